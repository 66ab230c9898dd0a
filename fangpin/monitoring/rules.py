"""Pure monitoring policy: the checklist recommendation, the statutory clock
and the elimination guards. No Django, no ORM: every CONFIG value is passed in.
[DOMAIN §3.1–3.5, §4.1 R-MON-4, §4.2, §4.5]"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# The clock itself is the engine's one SLA mechanism; re-exported for the pure callers.
from fangpin.engine.clock import CALENDAR_DAYS as CALENDAR_DAYS
from fangpin.engine.clock import DUE_SOON as DUE_SOON
from fangpin.engine.clock import ON_TRACK as ON_TRACK
from fangpin.engine.clock import OVERDUE as OVERDUE
from fangpin.engine.clock import WORKING_DAYS as WORKING_DAYS
from fangpin.engine.clock import Due as Due
from fangpin.engine.clock import TimeLimit as TimeLimit
from fangpin.engine.clock import add_limit as add_limit
from fangpin.engine.clock import clock_state as clock_state
from fangpin.engine.clock import days_left as days_left
from fangpin.engine.clock import escalation_level as escalation_level
from fangpin.engine.clock import step_due as step_due
from fangpin.policy.rules import WorkCalendar

CLOCK_LABELS = {ON_TRACK: "正常", DUE_SOON: "临期", OVERDUE: "超期"}
RISK_LABELS = {
    "illness": "因病",
    "disability": "因残",
    "schooling": "因学",
    "natural_disaster": "因自然灾害",
    "accident": "因意外事故",
    "industry_failure": "因产业项目失败",
    "unstable_employment": "因务工就业不稳",
    "lack_of_labour": "缺劳动力",
    "unsafe_housing": "因安全住房",
    "unsafe_water": "因安全饮水",
    "other": "其他",
}
MAX_RISK_TYPES = 5


# ---------------------------------------------------------------- the clock


# ---------------------------------------------------------------- dates


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- R-MON-4


@dataclass(frozen=True)
class ChecklistInput:
    per_capita_income: Decimal | None
    income_line: Decimal
    income_label: str = "人均纯收入"  # which per-capita figure is compared (R-MON-3 reference income)
    house_unsafe: bool | None = None
    water_unsafe: bool | None = None
    child_out_of_school: bool | None = None
    member_without_medical_insurance: bool | None = None
    risk_types: Sequence[str] = ()
    escaped_household: bool = False
    sharp_drop_or_rigid_spending: bool = False


@dataclass(frozen=True)
class Recommendation:
    """A recommendation only: the village, township and county decide (R-MON-4, R-MON-5)."""

    suggest_inclusion: bool
    suggested_category: str
    findings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    note: str = "本建议仅供参考，是否纳入由村民主评议、乡镇审核、县级审定按程序决定；不设任何比例或指标。"


def checklist_recommendation(data: ChecklistInput) -> Recommendation:
    """Income below the line and at least one prominent difficulty suggests
    inclusion; a sudden shock may qualify above the line. [R-MON-4, 元谋 2023]"""
    findings: list[str] = []
    missing: list[str] = []
    below = None
    if data.per_capita_income is None:
        missing.append("缺少收支信息，无法与监测收入标准比较")
    else:
        below = data.per_capita_income < data.income_line
        findings.append(
            f"{data.income_label}{data.per_capita_income}元，"
            f"{'低于' if below else '不低于'}监测收入标准{data.income_line}元"
        )
    checks = {
        "住房出现安全问题": data.house_unsafe,
        "饮水出现安全问题": data.water_unsafe,
        "义务教育阶段适龄儿童失学辍学": data.child_out_of_school,
        "有成员未参加基本医疗保险": data.member_without_medical_insurance,
    }
    difficulties = [label for label, flag in checks.items() if flag]
    missing += [f"未记录：{label}" for label, flag in checks.items() if flag is None]
    findings += [f"存在困难：{label}" for label in difficulties]
    risks = [RISK_LABELS.get(r, r) for r in data.risk_types]
    if risks:
        findings.append("反映的风险：" + "、".join(risks))
    shock = data.sharp_drop_or_rigid_spending or bool(
        {"illness", "natural_disaster", "accident"} & set(data.risk_types)
    )
    has_difficulty = bool(difficulties or risks)
    if below and has_difficulty:
        category = "unstable_escaped" if data.escaped_household else "marginal"
        return Recommendation(True, category, findings, missing)
    if shock and below is False:
        findings.append("收入不低于标准，但存在突发性刚性支出或收入骤减风险，可按突发严重困难户研判")
        return Recommendation(True, "sudden_hardship", findings, missing)
    return Recommendation(False, "", findings, missing)


# ---------------------------------------------------------------- risk types


def risk_type_problems(risk_types: Sequence[str], disaster_subtype: str) -> list[str]:
    """Up to five known risk types; a natural disaster needs its subtype. [DOMAIN §4.3, R-ID-6]"""
    problems = []
    if not risk_types:
        problems.append("风险类型：至少选择一项")
    if len(risk_types) > MAX_RISK_TYPES:
        problems.append(f"风险类型：最多选择{MAX_RISK_TYPES}项")
    unknown = [r for r in risk_types if r not in RISK_LABELS]
    if unknown:
        problems.append("风险类型：无效的取值 " + "、".join(unknown))
    if len(set(risk_types)) != len(risk_types):
        problems.append("风险类型：不能重复选择")
    if "natural_disaster" in risk_types and not disaster_subtype:
        problems.append("自然灾害子项：风险类型含“因自然灾害”时必须选择灾害子项")
    return problems


# ---------------------------------------------------------------- elimination (§4.5)


@dataclass(frozen=True)
class IncomePoint:
    """One income snapshot: its date, per-capita net income and the line in force."""

    on: date
    per_capita: Decimal
    line: Decimal


@dataclass(frozen=True)
class EliminationFacts:
    mode: str  # "assisted" | "natural"
    today: date
    identified_on: date | None
    risk_types: Sequence[str]
    covered_risk_types: Sequence[str]
    income_points: Sequence[IncomePoint]
    house_unsafe: bool | None
    water_unsafe: bool | None
    child_out_of_school: bool | None
    member_without_medical_insurance: bool | None
    whole_household_without_labour: bool
    min_months: int
    stable_months: int
    natural_reason: str = ""
    justification: str = ""
    # §4.5.1 item 3: the latest snapshot's household net income and eligible
    # out-of-pocket spending, and the CONFIG share (None: not checked).
    latest_net_income: Decimal | None = None
    latest_out_of_pocket: Decimal | None = None
    rigid_spending_max_share: Decimal | None = None
    # §4.5.1 item 5: the household's open risk signals (clues not closed,
    # identification cases not finished), each as a Chinese description.
    open_risks: Sequence[str] = ()


def elimination_refusals(f: EliminationFacts) -> list[str]:
    """Every reason the elimination may not proceed, in Chinese; [] when it may. [§4.5, R-EL-1..3]"""
    reasons: list[str] = []
    if f.mode == "assisted":
        reasons += _months_since_identification(f)
        uncovered = [r for r in f.risk_types if r not in set(f.covered_risk_types)]
        if uncovered:
            labels = "、".join(RISK_LABELS.get(r, r) for r in uncovered)
            reasons.append(f"以下风险类型尚无已落实的对应帮扶措施：{labels}（R-EL-3）")
    elif f.mode == "natural":
        if not f.natural_reason:
            reasons.append("自然消除须选择原因")
        if not f.justification.strip():
            reasons.append("自然消除须填写情况说明")
    else:
        reasons.append("消除方式无效")
    reasons += _income_stable(f)
    reasons += _rigid_spending(f)
    reasons += _guarantees(f)
    reasons += _no_new_risk(f)
    if f.whole_household_without_labour:
        reasons.append("整户无劳动能力：落实兜底保障后暂不标注风险消除，继续跟踪（§4.5.3）")
    return reasons


def _months_since_identification(f: EliminationFacts) -> list[str]:
    if f.identified_on is None:
        return ["缺少识别监测时间，无法判断监测时长"]
    earliest = add_months(f.identified_on, f.min_months)
    if f.today < earliest:
        return [
            f"识别认定至今不足{f.min_months}个月（识别于{f.identified_on:%Y-%m-%d}，"
            f"最早可于{earliest:%Y-%m-%d}启动帮扶消除）（R-EL-1）"
        ]
    return []


def _income_stable(f: EliminationFacts) -> list[str]:
    """The latest snapshot and every snapshot back to one at least `stable_months`
    old are above their lines. [§4.5.1 items 1–2]"""
    points = sorted(f.income_points, key=lambda p: p.on)
    if not points:
        return ["缺少收支信息，无法判断收入是否稳定高于监测收入标准"]
    latest = points[-1]
    if latest.per_capita <= latest.line:
        return [f"最近一次收支信息人均纯收入{latest.per_capita}元，未高于监测收入标准{latest.line}元"]
    cutoff = add_months(f.today, -f.stable_months)
    anchor_index = max((i for i, p in enumerate(points) if p.on <= cutoff), default=None)
    if anchor_index is None:
        return [f"收入高于监测收入标准的记录不足{f.stable_months}个月（需有{cutoff:%Y-%m-%d}前的收支信息）"]
    below = [p for p in points[anchor_index:] if p.per_capita <= p.line]
    if below:
        return [
            f"近{f.stable_months}个月内收入未稳定高于监测收入标准（{below[0].on:%Y-%m-%d} "
            f"人均{below[0].per_capita}元，标准{below[0].line}元）"
        ]
    return []


def _rigid_spending(f: EliminationFacts) -> list[str]:
    """Large rigid spending stably resolved: the latest snapshot's eligible
    out-of-pocket spending is not above `rigid_spending_max_share` of the
    household's net income. fangpin's reading of §4.5.1 item 3 (DOMAIN names
    no measure; CONFIG elimination_rigid_spending_max_share)."""
    if f.rigid_spending_max_share is None or f.latest_out_of_pocket is None or f.latest_net_income is None:
        return []
    if f.latest_out_of_pocket <= 0:
        return []
    ceiling = (f.latest_net_income * f.rigid_spending_max_share).quantize(Decimal("0.01"))
    if f.latest_out_of_pocket > ceiling:
        share = f"{(f.rigid_spending_max_share * 100).normalize():f}%"
        return [
            f"刚性支出尚未稳定解决：最近一次收支信息合规自付支出{f.latest_out_of_pocket}元，"
            f"超过家庭纯收入{f.latest_net_income}元的{share}（§4.5.1第3项）"
        ]
    return []


def _no_new_risk(f: EliminationFacts) -> list[str]:
    """No new risk: no open clue or unfinished identification for the household. [§4.5.1 item 5]"""
    return [f"存在尚未办结的新风险：{r}（§4.5.1第5项）" for r in f.open_risks]


def _guarantees(f: EliminationFacts) -> list[str]:
    """Three guarantees and drinking water secure. [§4.5.1 item 4, §4.6]"""
    checks = {
        "住房安全": f.house_unsafe,
        "饮水安全": f.water_unsafe,
        "义务教育（无失学辍学）": f.child_out_of_school,
        "基本医疗保险": f.member_without_medical_insurance,
    }
    reasons = []
    for label, problem in checks.items():
        if problem is None:
            reasons.append(f"“两不愁三保障”及饮水安全：未记录{label}情况")
        elif problem:
            reasons.append(f"“两不愁三保障”及饮水安全：{label}未保障")
    return reasons


def follow_up_until(*, eliminated_on: date, months: int) -> date:
    """End of the post-elimination follow-up. [S000, CONFIG post_elimination_follow_up_months]"""
    return add_months(eliminated_on, months)


def notice_end(posted_on: date, limit: TimeLimit | dict[str, Any], calendar: WorkCalendar) -> Due:
    """Last day of a notice window; the posting day counts as day one when it is
    a counted day. [R-ID-3, CONFIG notice_min_days with unit]"""
    limit = TimeLimit.of(limit)
    counts_today = limit.unit == CALENDAR_DAYS or calendar.is_working_day(posted_on)
    due = add_limit(posted_on, TimeLimit(limit.value - 1 if counts_today else limit.value, limit.unit), calendar)
    uncovered_start = limit.unit == WORKING_DAYS and not calendar.covers(posted_on)
    return Due(due.on, due.provisional or uncovered_start)


def mask_name(name: str) -> str:
    """张*明 / 张* for public notices (masking rules are CONFIG nationally; DOMAIN §2.10)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
