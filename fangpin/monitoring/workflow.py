# ruff: noqa: E501  (the transition tables are aligned columns; one row per line reads best)
"""The monitoring state machines: ONE literal TRANSITIONS table per machine.
Anything not in a table is refused. The docs diagram is generated from here.
[DOMAIN §3.1–3.5]

Each row: (source, action, target, roles, level, guards, needs_reason, stamp, effect)
(fangpin.engine.machine.Row). `roles` holds role codes; SYSTEM means only another
service may fire the row (e.g. an approved elimination case eliminates its episode).
`guards` name the checks the engine runs before the move, in order (dq_blocking: the
county's blocking data-quality checks, services/quality_guard.py); `stamp` is the date
field the step sets to today; `effect` names the hook that records the rest. The guard
and effect functions are bound to these names where each machine is declared
(services/clues.py, cases.py, elimination.py, episodes.py). See docs/architecture.md."""

from __future__ import annotations

from fangpin.engine import machine as engine_machine
from fangpin.engine.machine import Row, table

VILLAGE = frozenset({"village_cadre"})
GRID = frozenset({"grid_worker"})
TOWNSHIP = frozenset({"township_staff"})
COUNTY = frozenset({"county_staff", "county_admin"})
SYSTEM = engine_machine.SYSTEM
Transition = Row  # the row type, under the name the callers used


# fmt: off
CLUE_TRANSITIONS = table([
    # source       action                    target       roles                       level       guards                 reason stamp          effect
    ("received",  "accept",                  "accepted",  TOWNSHIP | COUNTY,          "township", (),                    False, "accepted_at", None),
    ("received",  "close_duplicate",         "closed",    TOWNSHIP | COUNTY,          "township", (),                    True,  None,          "close"),
    ("received",  "close_already_monitored", "closed",    TOWNSHIP | COUNTY,          "township", (),                    True,  None,          "close"),
    ("received",  "close_referred",          "closed",    TOWNSHIP | COUNTY,          "township", (),                    True,  None,          "close"),
    ("accepted",  "start_verification",      "verifying", VILLAGE | GRID | TOWNSHIP,  "village",  (),                    False, None,          None),
    ("accepted",  "close_duplicate",         "closed",    VILLAGE | TOWNSHIP,         "village",  (),                    True,  None,          "close"),
    ("accepted",  "close_already_monitored", "closed",    VILLAGE | TOWNSHIP,         "village",  (),                    True,  None,          "close"),
    ("verifying", "close_not_at_risk",       "closed",    VILLAGE | TOWNSHIP,         "village",  (),                    True,  None,          "close"),
    ("verifying", "close_duplicate",         "closed",    VILLAGE | TOWNSHIP,         "village",  (),                    True,  None,          "close"),
    ("verifying", "close_already_monitored", "closed",    VILLAGE | TOWNSHIP,         "village",  (),                    True,  None,          "close"),
    ("verifying", "close_referred",          "closed",    VILLAGE | TOWNSHIP,         "village",  (),                    True,  None,          "close"),
    ("verifying", "start_identification",    "closed",    VILLAGE | TOWNSHIP,         "village",  ("household_linked",), False, None,          "close"),
    ("verifying", "start_green_channel",     "closed",    TOWNSHIP | COUNTY,          "township", ("household_linked",), True,  None,          "close"),
])

CASE_TRANSITIONS = table([
    # source               action                      target               roles               level       guards                      reason stamp                   effect
    ("applied",            "sign_consent",             "verifying",         VILLAGE,            "village",  (),                         False, "consent_signed_on",    None),
    ("applied",            "reject",                   "rejected",          VILLAGE,            "village",  (),                         True,  None,                   "close"),
    ("verifying",          "record_home_verification", "verifying",         VILLAGE,            "village",  (),                         False, "home_verified_on",     "record_note"),
    ("verifying",          "record_info_check",        "verifying",         TOWNSHIP | COUNTY,  "township", (),                         False, "info_checked_on",      "record_note"),
    ("verifying",          "appraise",                 "appraised",         VILLAGE,            "village",  ("verification_complete",), False, "appraised_on",         "record_note"),
    ("verifying",          "reject",                   "rejected",          VILLAGE,            "village",  (),                         True,  None,                   "close"),
    ("appraised",          "post_notice",              "notice",            VILLAGE,            "village",  (),                         False, None,                   "post_village_notice"),
    ("appraised",          "reject",                   "rejected",          VILLAGE,            "village",  (),                         True,  None,                   "close"),
    ("notice",             "uphold_objection",         "verifying",         VILLAGE | TOWNSHIP, "village",  (),                         True,  None,                   "reopen_verification"),
    ("notice",             "review",                   "township_reviewed", TOWNSHIP,           "township", ("notice_complete",),       False, "township_reviewed_on", None),
    ("notice",             "reject",                   "rejected",          TOWNSHIP,           "township", (),                         True,  None,                   "close"),
    ("township_reviewed",  "approve",                  "county_approved",   COUNTY,             "county",   ("dq_blocking",),           False, "county_approved_on",   None),
    ("township_reviewed",  "reject",                   "rejected",          COUNTY,             "county",   (),                         True,  None,                   "close"),
    ("county_approved",    "announce",                 "announced",         COUNTY | TOWNSHIP,  "county",   (),                         False, "announced_on",         "post_announcement"),
    ("announced",          "enter_system",             "monitored",         TOWNSHIP | VILLAGE, "township", (),                         False, "entered_on",           "open_episode"),
])

ELIMINATION_TRANSITIONS = table([
    # source               action              target               roles                        level       guards                                reason stamp                   effect
    ("proposed",           "override_guards",  "proposed",          COUNTY,                      "county",   (),                                   True,  "override_at",          "override"),
    ("proposed",           "verify",           "home_verified",     VILLAGE,                     "village",  ("elimination_guards",),              False, "home_verified_on",     None),
    ("proposed",           "reject",           "rejected",          VILLAGE | TOWNSHIP | COUNTY, "village",  (),                                   True,  None,                   "close"),
    ("home_verified",      "appraise",         "appraised",         VILLAGE,                     "village",  (),                                   False, "appraised_on",         None),
    ("home_verified",      "reject",           "rejected",          VILLAGE,                     "village",  (),                                   True,  None,                   "close"),
    ("appraised",          "post_notice",      "notice",            VILLAGE,                     "village",  (),                                   False, None,                   "post_village_notice"),
    ("appraised",          "reject",           "rejected",          VILLAGE,                     "village",  (),                                   True,  None,                   "close"),
    ("notice",             "uphold_objection", "home_verified",     VILLAGE | TOWNSHIP,          "village",  (),                                   True,  None,                   "reopen_appraisal"),
    ("notice",             "review",           "township_reviewed", TOWNSHIP,                    "township", ("notice_complete",),                 False, "township_reviewed_on", None),
    ("notice",             "reject",           "rejected",          TOWNSHIP,                    "township", (),                                   True,  None,                   "close"),
    ("township_reviewed",  "approve",          "county_approved",   COUNTY,                      "county",   ("elimination_guards", "dq_blocking"), False, "county_approved_on",   None),
    ("township_reviewed",  "reject",           "rejected",          COUNTY,                      "county",   (),                                   True,  None,                   "close"),
    ("county_approved",    "announce",         "announced",         COUNTY | TOWNSHIP,           "county",   (),                                   False, "announced_on",         "post_announcement"),
    ("announced",          "flag",             "flagged",           TOWNSHIP | VILLAGE,          "township", (),                                   False, "flagged_on",           "eliminate_episode"),
])

EPISODE_TRANSITIONS = table([
    # source           action                     target          roles    level     guards               reason stamp  effect
    ("green_channel",  "complete_identification", "monitored",    SYSTEM,  "county", (),                  False, None,  "apply_changes"),
    ("green_channel",  "not_included",            "not_included", SYSTEM,  "county", (),                  True,  None,  None),
    ("monitored",      "eliminate",               "eliminated",   SYSTEM,  "county", (),                  False, None,  "apply_changes"),
    ("monitored",      "revoke",                  "revoked",      COUNTY,  "county", (),                  True,  None,  None),
    ("eliminated",     "reverse",                 "monitored",    COUNTY,  "county", (),                  True,  None,  "reverse"),
    ("eliminated",     "end_follow_up",           "stable",       SYSTEM,  "county", ("follow_up_over",), False, None,  None),
    ("eliminated",     "reidentify",              "reidentified", SYSTEM,  "county", (),                  False, None,  None),
    ("stable",         "reidentify",              "reidentified", SYSTEM,  "county", (),                  False, None,  None),
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


def guards_of(row: Row) -> frozenset[str]:
    """The guard names of a row."""
    return frozenset(row.guards)


def _machine(name: str) -> engine_machine.Machine:
    return engine_machine.Machine(name=name, label=name, rows=MACHINES[name], action_labels=ACTION_LABELS)


def transition_for(machine: str, *, state: str, action: str, role: str) -> Row:
    """The row for (state, action) if `role` may fire it; else a clear Chinese refusal."""
    return _machine(machine).row(state=state, action=action, role=role)


def allowed_actions(machine: str, *, state: str, role: str) -> list[Row]:
    """The rows `role` may fire from `state` (the buttons a page shows)."""
    return [t for t in MACHINES[machine] if t.source == state and role in t.roles]


def roles_acting_on(machine: str, *, state: str) -> set[str]:
    """Who has something to do when a case is in `state` (the work queue, notifications)."""
    return {r for t in MACHINES[machine] if t.source == state for r in t.roles} - SYSTEM


def mermaid(machine: str) -> str:
    """A Mermaid state diagram generated from the table."""
    return engine_machine.mermaid(MACHINES[machine])


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
