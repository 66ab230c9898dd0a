from datetime import date

from fangpin.reports import rules


def test_months_between_counts_whole_months():
    assert rules.months_between(date(2026, 1, 15), date(2026, 7, 14)) == 5
    assert rules.months_between(date(2026, 1, 15), date(2026, 7, 15)) == 6


def test_add_months_clips_to_the_end_of_the_month():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_premium_cutoff_is_the_last_day_of_the_month():
    assert rules.premium_cutoff(2024, 2) == date(2024, 2, 29)


def test_periods_parse_year_quarter_and_month_and_default_to_this_year():
    assert rules.parse_period("2026Q2", date(2026, 1, 1)).end == date(2026, 6, 30)
    assert rules.parse_period("2026-02", date(2026, 1, 1)).end == date(2026, 2, 28)
    assert rules.parse_period("junk", date(2025, 5, 1)).start == date(2025, 1, 1)
