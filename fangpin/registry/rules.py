"""Pure registry rules: income arithmetic and ages. No Django, no ORM. [DOMAIN §4.1 R-MON-3]"""

from __future__ import annotations

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
