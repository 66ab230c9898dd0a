# ruff: noqa: E501  (the transition tables are aligned columns; one row per line reads best)
"""The monitoring state machines: ONE literal TRANSITIONS table per machine.
Anything not in a table is refused. The docs diagram is generated from here.
[DOMAIN §3.1–3.5]

Each row: (source, action, target, roles, level, guard, needs_reason).
`roles` holds role codes; SYSTEM means only another service may fire the row
(e.g. an approved elimination case eliminates its episode). `guard` names the
checks the service runs before the move, joined by "+" (dq_blocking: the
county's blocking data-quality checks, services/quality_guard.py)."""

from __future__ import annotations

from dataclasses import dataclass

from fangpin.core.errors import Forbidden, TransitionRefused

VILLAGE = frozenset({"village_cadre"})
GRID = frozenset({"grid_worker"})
TOWNSHIP = frozenset({"township_staff"})
COUNTY = frozenset({"county_staff", "county_admin"})
SYSTEM = frozenset({"system"})


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]
    level: str
    guard: str | None
    needs_reason: bool


def _table(rows: list[tuple]) -> tuple[Transition, ...]:
    return tuple(Transition(*row) for row in rows)


# fmt: off
CLUE_TRANSITIONS = _table([
    # source       action                    target       roles                       level       guard  needs_reason
    ("received",  "accept",                  "accepted",  TOWNSHIP | COUNTY,          "township", None,  False),
    ("received",  "close_duplicate",         "closed",    TOWNSHIP | COUNTY,          "township", None,  True),
    ("received",  "close_already_monitored", "closed",    TOWNSHIP | COUNTY,          "township", None,  True),
    ("received",  "close_referred",          "closed",    TOWNSHIP | COUNTY,          "township", None,  True),
    ("accepted",  "start_verification",      "verifying", VILLAGE | GRID | TOWNSHIP,  "village",  None,  False),
    ("accepted",  "close_duplicate",         "closed",    VILLAGE | TOWNSHIP,         "village",  None,  True),
    ("accepted",  "close_already_monitored", "closed",    VILLAGE | TOWNSHIP,         "village",  None,  True),
    ("verifying", "close_not_at_risk",       "closed",    VILLAGE | TOWNSHIP,         "village",  None,  True),
    ("verifying", "close_duplicate",         "closed",    VILLAGE | TOWNSHIP,         "village",  None,  True),
    ("verifying", "close_already_monitored", "closed",    VILLAGE | TOWNSHIP,         "village",  None,  True),
    ("verifying", "close_referred",          "closed",    VILLAGE | TOWNSHIP,         "village",  None,  True),
    ("verifying", "start_identification",    "closed",    VILLAGE | TOWNSHIP,         "village",  "household_linked", False),
    ("verifying", "start_green_channel",     "closed",    TOWNSHIP | COUNTY,          "township", "household_linked", True),
])

CASE_TRANSITIONS = _table([
    # source               action                      target               roles               level       guard                   needs_reason
    ("applied",            "sign_consent",             "verifying",         VILLAGE,            "village",  None,                   False),
    ("applied",            "reject",                   "rejected",          VILLAGE,            "village",  None,                   True),
    ("verifying",          "record_home_verification", "verifying",         VILLAGE,            "village",  None,                   False),
    ("verifying",          "record_info_check",        "verifying",         TOWNSHIP | COUNTY,  "township", None,                   False),
    ("verifying",          "appraise",                 "appraised",         VILLAGE,            "village",  "verification_complete", False),
    ("verifying",          "reject",                   "rejected",          VILLAGE,            "village",  None,                   True),
    ("appraised",          "post_notice",              "notice",            VILLAGE,            "village",  None,                   False),
    ("appraised",          "reject",                   "rejected",          VILLAGE,            "village",  None,                   True),
    ("notice",             "uphold_objection",         "verifying",         VILLAGE | TOWNSHIP, "village",  None,                   True),
    ("notice",             "review",                   "township_reviewed", TOWNSHIP,           "township", "notice_complete",      False),
    ("notice",             "reject",                   "rejected",          TOWNSHIP,           "township", None,                   True),
    ("township_reviewed",  "approve",                  "county_approved",   COUNTY,             "county",   "dq_blocking",          False),
    ("township_reviewed",  "reject",                   "rejected",          COUNTY,             "county",   None,                   True),
    ("county_approved",    "announce",                 "announced",         COUNTY | TOWNSHIP,  "county",   None,                   False),
    ("announced",          "enter_system",             "monitored",         TOWNSHIP | VILLAGE, "township", None,                   False),
])

ELIMINATION_TRANSITIONS = _table([
    # source               action             target               roles                        level       guard                 needs_reason
    ("proposed",           "override_guards", "proposed",          COUNTY,                      "county",   None,                 True),
    ("proposed",           "verify",          "home_verified",     VILLAGE,                     "village",  "elimination_guards", False),
    ("proposed",           "reject",          "rejected",          VILLAGE | TOWNSHIP | COUNTY, "village",  None,                 True),
    ("home_verified",      "appraise",        "appraised",         VILLAGE,                     "village",  None,                 False),
    ("home_verified",      "reject",          "rejected",          VILLAGE,                     "village",  None,                 True),
    ("appraised",          "post_notice",     "notice",            VILLAGE,                     "village",  None,                 False),
    ("appraised",          "reject",          "rejected",          VILLAGE,                     "village",  None,                 True),
    ("notice",             "uphold_objection", "home_verified",    VILLAGE | TOWNSHIP,          "village",  None,                 True),
    ("notice",             "review",          "township_reviewed", TOWNSHIP,                    "township", "notice_complete",    False),
    ("notice",             "reject",          "rejected",          TOWNSHIP,                    "township", None,                 True),
    ("township_reviewed",  "approve",         "county_approved",   COUNTY,                      "county",   "elimination_guards+dq_blocking", False),
    ("township_reviewed",  "reject",          "rejected",          COUNTY,                      "county",   None,                 True),
    ("county_approved",    "announce",        "announced",         COUNTY | TOWNSHIP,           "county",   None,                 False),
    ("announced",          "flag",            "flagged",           TOWNSHIP | VILLAGE,          "township", None,                 False),
])

EPISODE_TRANSITIONS = _table([
    # source           action                     target          roles    level     guard             needs_reason
    ("green_channel",  "complete_identification", "monitored",    SYSTEM,  "county", None,             False),
    ("green_channel",  "not_included",            "not_included", SYSTEM,  "county", None,             True),
    ("monitored",      "eliminate",               "eliminated",   SYSTEM,  "county", None,             False),
    ("monitored",      "revoke",                  "revoked",      COUNTY,  "county", None,             True),
    ("eliminated",     "reverse",                 "monitored",    COUNTY,  "county", None,             True),
    ("eliminated",     "end_follow_up",           "stable",       SYSTEM,  "county", "follow_up_over", False),
    ("eliminated",     "reidentify",              "reidentified", SYSTEM,  "county", None,             False),
    ("stable",         "reidentify",              "reidentified", SYSTEM,  "county", None,             False),
])
# fmt: on

MACHINES: dict[str, tuple[Transition, ...]] = {
    "clue": CLUE_TRANSITIONS,
    "identification": CASE_TRANSITIONS,
    "elimination": ELIMINATION_TRANSITIONS,
    "episode": EPISODE_TRANSITIONS,
}

ACTION_LABELS = {
    "accept": "受理并转村核实",
    "close_duplicate": "办结：重复线索",
    "close_already_monitored": "办结：已是监测对象",
    "close_referred": "办结：转行业部门处理",
    "start_verification": "开始入户核实",
    "close_not_at_risk": "办结：经核实无风险",
    "start_identification": "启动识别程序",
    "start_green_channel": "启动绿色通道",
    "sign_consent": "签署承诺授权书",
    "reject": "不予通过",
    "record_home_verification": "登记入户核实",
    "record_info_check": "登记信息比对结果",
    "appraise": "登记民主评议",
    "post_notice": "发布村级公示",
    "uphold_objection": "异议成立，退回核实",
    "review": "乡镇审核通过",
    "approve": "县级审定通过",
    "announce": "发布结果公告",
    "enter_system": "录入系统，纳入监测",
    "override_guards": "县级特批（说明理由）",
    "verify": "入户核实通过",
    "flag": "标注风险消除",
    "complete_identification": "完成识别程序",
    "not_included": "程序未通过，未纳入",
    "eliminate": "风险消除",
    "revoke": "撤销纳入（错评纠正）",
    "reverse": "回退（风险消除不稳定）",
    "end_follow_up": "跟踪期满",
    "reidentify": "重新纳入",
}

CLUE_OUTCOME_OF_ACTION = {
    "close_duplicate": "duplicate",
    "close_already_monitored": "already_monitored",
    "close_referred": "referred",
    "close_not_at_risk": "not_at_risk",
    "start_identification": "identification_started",
    "start_green_channel": "green_channel",
}


def guards_of(row: Transition) -> frozenset[str]:
    """The guard names of a row ("elimination_guards+dq_blocking" -> both)."""
    return frozenset(g for g in (row.guard or "").split("+") if g)


def transition_for(machine: str, *, state: str, action: str, role: str) -> Transition:
    """The row for (state, action) if `role` may fire it; else a clear Chinese refusal."""
    rows = [t for t in MACHINES[machine] if t.source == state and t.action == action]
    if not rows:
        label = ACTION_LABELS.get(action, action)
        raise TransitionRefused(f"当前状态下不能执行“{label}”。")
    row = rows[0]
    if role not in row.roles:
        raise Forbidden(f"您的角色不能执行“{ACTION_LABELS.get(action, action)}”。")
    return row


def allowed_actions(machine: str, *, state: str, role: str) -> list[Transition]:
    """The rows `role` may fire from `state` (the buttons a page shows)."""
    return [t for t in MACHINES[machine] if t.source == state and role in t.roles]


def roles_acting_on(machine: str, *, state: str) -> set[str]:
    """Who has something to do when a case is in `state` (the work queue, notifications)."""
    return {r for t in MACHINES[machine] if t.source == state for r in t.roles} - SYSTEM


def mermaid(machine: str) -> str:
    """A Mermaid state diagram generated from the table."""
    lines = ["stateDiagram-v2"]
    for t in MACHINES[machine]:
        roles = "/".join(sorted(t.roles))
        extra = (f" [{t.guard}]" if t.guard else "") + (" (理由)" if t.needs_reason else "")
        lines.append(f"    {t.source} --> {t.target}: {t.action} · {roles}{extra}")
    return "\n".join(lines)


ESCALATION_NEED = {"township_staff": 1, "county_staff": 2, "county_admin": 2}
LOWER_LEVELS = {
    "township_staff": {"village"},
    "county_staff": {"village", "township"},
    "county_admin": {"village", "township"},
}


def queue_states(role: str) -> dict[str, list[str]]:
    """Per machine, the states in which `role` has something to do (the work queue)."""
    return {m: sorted({t.source for t in rows if role in t.roles}) for m, rows in MACHINES.items() if m != "episode"}


def escalated_states(role: str) -> list[str]:
    """Identification states acted on below `role`'s level (what an overdue case escalates to it)."""
    lower = LOWER_LEVELS.get(role, set())
    own = {t.source for t in CASE_TRANSITIONS if role in t.roles}
    return sorted({t.source for t in CASE_TRANSITIONS if t.level in lower} - own)
