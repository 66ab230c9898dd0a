"""Pure registry rules: income arithmetic and ages. No Django, no ORM. [DOMAIN §4.1 R-MON-3]"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class IncomeComponents:
    wage: Decimal
    business: Decimal
    property: Decimal
    transfer: Decimal
    business_expense: Decimal
    insurance_claims: Decimal = Decimal("0")
    eligible_out_of_pocket: Decimal = Decimal("0")


def household_net_income(c: IncomeComponents) -> Decimal:
    """wage + business + property + transfer − business expense. [R-MON-3]"""
    return (c.wage + c.business + c.property + c.transfer - c.business_expense).quantize(CENT)


def per_capita(amount: Decimal, size: int) -> Decimal:
    """Per-capita value; a household of size 0 has none (0)."""
    if size <= 0:
        return Decimal("0.00")
    return (amount / size).quantize(CENT, rounding=ROUND_HALF_UP)


def inclusion_reference_income(c: IncomeComponents, formula: str) -> Decimal:
    """The income used for the inclusion test, by the configured formula. [R-MON-3, CONFIG]"""
    net = household_net_income(c)
    if formula == "net":
        return net
    if formula == "net_minus_out_of_pocket":
        return (net - c.eligible_out_of_pocket).quantize(CENT)
    if formula == "net_plus_claims_minus_out_of_pocket":
        return (net + c.insurance_claims - c.eligible_out_of_pocket).quantize(CENT)
    raise ValueError(f"unknown inclusion_reference_income_formula {formula!r}")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def default_window(on: date) -> tuple[date, date]:
    """The 12 months before `on`: first day of the same month last year to the end of last month."""
    start = date(on.year - 1, on.month, 1)
    first_this_month = date(on.year, on.month, 1)
    end = date.fromordinal(first_this_month.toordinal() - 1)
    return start, end


def month_start(day: date) -> date:
    """The first day of `day`'s month (migrant-work records are kept by month)."""
    return day.replace(day=1)


# ---------------------------------------------------------------- per-capita size and reference income

ACTIVE_MEMBERS, SNAPSHOT_SIZE = "active_members", "snapshot_size"


def household_size_for_per_capita(rule: str, *, snapshot_size: int, active_members: int) -> int:
    """The divisor of per-capita income by the county's rule: the co-resident,
    shared-budget count recorded with the snapshot (N4), or the registered active
    members. [DOMAIN §2.5 household_size_for_per_capita, CONFIG household_size_rule]"""
    if rule == SNAPSHOT_SIZE:
        return snapshot_size
    if rule == ACTIVE_MEMBERS:
        return active_members
    raise ValueError(f"unknown household_size_rule {rule!r}")


@dataclass(frozen=True)
class SnapshotFigures:
    """What a cadre reads off one snapshot: every figure derived from the stored
    inputs by the rules in force (the inputs themselves are never overwritten)."""

    net_income: Decimal
    size: int
    size_rule: str
    per_capita: Decimal
    reference_income: Decimal
    reference_per_capita: Decimal
    formula: str


def snapshot_figures(
    c: IncomeComponents, *, snapshot_size: int, active_members: int, size_rule: str, formula: str
) -> SnapshotFigures:
    """Net and per-capita income, and the inclusion reference income (total and
    per capita), by the configured size rule and formula. [R-MON-3]"""
    size = household_size_for_per_capita(size_rule, snapshot_size=snapshot_size, active_members=active_members)
    net = household_net_income(c)
    reference = inclusion_reference_income(c, formula)
    return SnapshotFigures(
        net_income=net,
        size=size,
        size_rule=size_rule,
        per_capita=per_capita(net, size),
        reference_income=reference,
        reference_per_capita=per_capita(reference, size),
        formula=formula,
    )


def without_basic_medical_insurance(members: Iterable[tuple[bool, bool]]) -> bool | None:
    """The household's 有成员未参加基本医疗保险 from the members' own fields (resident or
    employee basic medical insurance); None when the household has no active
    member to judge by. [DOMAIN §2.5 three_guarantees_status, §4.6.2]"""
    flags = list(members)
    if not flags:
        return None
    return any(not (resident or employee) for resident, employee in flags)
