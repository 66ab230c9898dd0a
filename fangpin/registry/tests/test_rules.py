from datetime import date
from decimal import Decimal

import pytest

from fangpin.registry import rules

C = rules.IncomeComponents(
    wage=Decimal("20000"),
    business=Decimal("5000"),
    property=Decimal("300"),
    transfer=Decimal("1700"),
    business_expense=Decimal("2000"),
    insurance_claims=Decimal("1000"),
    eligible_out_of_pocket=Decimal("4000"),
)


def test_net_income_is_the_four_components_less_business_expense():
    assert rules.household_net_income(C) == Decimal("25000.00")


def test_per_capita_rounds_to_cents_and_handles_empty_households():
    assert rules.per_capita(Decimal("25000"), 3) == Decimal("8333.33")
    assert rules.per_capita(Decimal("25000"), 0) == Decimal("0.00")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("net", "25000.00"),
        ("net_minus_out_of_pocket", "21000.00"),
        ("net_plus_claims_minus_out_of_pocket", "22000.00"),
    ],
)
def test_inclusion_reference_income_follows_the_configured_formula(formula, expected):
    assert rules.inclusion_reference_income(C, formula) == Decimal(expected)


def test_age_counts_birthdays():
    assert rules.age_on(date(2010, 6, 2), date(2026, 6, 1)) == 15
    assert rules.age_on(date(2010, 6, 1), date(2026, 6, 1)) == 16


def test_default_window_is_the_twelve_months_before_this_month():
    assert rules.default_window(date(2026, 3, 15)) == (date(2025, 3, 1), date(2026, 2, 28))
