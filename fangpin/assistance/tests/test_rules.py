from datetime import date

import pytest

from fangpin.assistance import rules


def test_every_measure_belongs_to_a_known_category_and_codes_are_unique():
    assert all(t.category in rules.CATEGORIES for t in rules.MEASURE_TYPES.values())
    assert len(rules.MEASURE_TYPES) == len({t.name for t in rules.MEASURE_TYPES.values()})


def test_developmental_measures_are_industry_employment_finance_and_posts():
    assert rules.MEASURE_TYPES["EMP-01"].is_developmental
    assert rules.MEASURE_TYPES["POST-01"].is_developmental
    assert not rules.MEASURE_TYPES["CMP-01"].is_developmental


@pytest.mark.parametrize(
    ("risk", "category", "covers"),
    [
        ("illness", "health", True),
        ("illness", "comprehensive", True),
        ("illness", "housing", False),
        ("schooling", "other_education", True),
        ("schooling", "industry", False),
        ("unsafe_housing", "relocation", True),
        ("unsafe_water", "water", True),
        ("unsafe_water", "housing", False),
    ],
)
def test_risk_coverage_follows_r_el_3(risk, category, covers):
    assert (category in rules.categories_covering(risk)) is covers


def test_every_risk_type_has_a_coverage_row():
    assert set(rules.RISK_COVERAGE) >= {
        "illness", "disability", "schooling", "natural_disaster", "accident", "industry_failure",
        "unstable_employment", "lack_of_labour", "unsafe_housing", "unsafe_water", "other",
    }  # fmt: skip


def test_covered_and_uncovered_split_the_risk_types():
    risks = ["illness", "unsafe_water"]
    assert rules.covered_risk_types(risks, ["health"]) == ["illness"]
    assert rules.uncovered_risk_types(risks, ["health"]) == ["unsafe_water"]


@pytest.mark.parametrize(
    ("first", "today", "expected"),
    [
        (None, date(2026, 1, 10), rules.ON_TRACK),
        (None, date(2026, 1, 26), rules.DUE_SOON),
        (None, date(2026, 1, 31), rules.DUE_SOON),
        (None, date(2026, 2, 1), rules.OVERDUE),
        (date(2026, 1, 31), date(2026, 3, 1), rules.MET),
        (date(2026, 2, 2), date(2026, 3, 1), rules.MET_LATE),
    ],
)
def test_measure_deadline_is_thirty_days_after_identification(first, today, expected):
    got = rules.measure_deadline_status(
        identified_on=date(2026, 1, 1), first_measure_on=first, today=today, deadline_days=30, due_soon_days=7
    )
    assert got == expected


def test_small_counts_are_suppressed_but_zero_is_shown():
    assert rules.suppress_small(3, 5) is None
    assert rules.suppress_small(0, 5) == 0
    assert rules.suppress_small(5, 5) == 5


def test_rate_is_none_without_a_denominator():
    assert rules.rate(1, 0) is None
    assert rules.rate(1, 3) == 33.3
