from datetime import date

from fangpin.quality import rules


def test_blocking_checks_parse_codes_and_ignore_unknown_ones():
    assert rules.blocking_checks("DQ-02, dq-05，DQ-99 x") == frozenset({"DQ-02", "DQ-05"})
    assert rules.severity("DQ-02", frozenset({"DQ-02"})) == rules.BLOCKING
    assert rules.severity("DQ-07", frozenset({"DQ-02"})) == rules.WARNING


def test_birth_date_bounds_cover_ages_sixteen_to_fifty_nine():
    earliest, latest = rules.birth_date_bounds(date(2026, 6, 1), 16, 59)
    assert latest == date(2010, 6, 1)
    assert earliest == date(1966, 6, 2)
