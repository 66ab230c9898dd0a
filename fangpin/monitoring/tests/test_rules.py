"""Pure rules: the clock across official holidays and make-up workdays, the
R-MON-4 checklist, and every elimination guard. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fangpin.monitoring import rules
from fangpin.monitoring.rules import CALENDAR_DAYS, WORKING_DAYS, Due, TimeLimit, WorkCalendar

# --------------------------------------------------------------- the clock


def _days(*spans: tuple[str, str]) -> frozenset[date]:
    out = set()
    for first, last in spans:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            out.add(day)
            day = date.fromordinal(day.toordinal() + 1)
    return frozenset(out)


# The 2026 schedule as the State Council General Office published it, the same
# days the `chinesecalendar` package seeds: the rules take the calendar as a plain value.
CAL_2026 = WorkCalendar(
    holidays=_days(
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
    ),
    workdays=frozenset(
        date.fromisoformat(d)
        for d in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")
    ),
    covered_years=frozenset({2026}),
)


@pytest.mark.parametrize(
    ("start", "limit", "due"),
    [
        # 15 calendar days ignore holidays entirely.
        (date(2026, 9, 28), TimeLimit(15, CALENDAR_DAYS), date(2026, 10, 13)),
        # National Day 2026: Oct 1–7 off, Sat Oct 10 is a make-up workday.
        # Working days after Mon Sep 28: 29, 30, Oct 8, 9, 10 (make-up), 12 ...
        (date(2026, 9, 28), TimeLimit(2, WORKING_DAYS), date(2026, 9, 30)),
        (date(2026, 9, 28), TimeLimit(3, WORKING_DAYS), date(2026, 10, 8)),
        (date(2026, 9, 28), TimeLimit(5, WORKING_DAYS), date(2026, 10, 10)),
        (date(2026, 9, 28), TimeLimit(6, WORKING_DAYS), date(2026, 10, 12)),
        # Spring Festival 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are make-up workdays.
        (date(2026, 2, 12), TimeLimit(2, WORKING_DAYS), date(2026, 2, 14)),
        (date(2026, 2, 12), TimeLimit(3, WORKING_DAYS), date(2026, 2, 24)),
        (date(2026, 2, 12), TimeLimit(20, WORKING_DAYS), date(2026, 3, 18)),
    ],
)
def test_deadline_follows_the_official_holiday_calendar(start, limit, due):
    assert rules.add_limit(start, limit, CAL_2026) == Due(due, provisional=False)


def test_make_up_saturdays_are_working_days_and_holiday_weekdays_are_not():
    assert CAL_2026.is_working_day(date(2026, 10, 10))  # Saturday, make-up
    assert not CAL_2026.is_working_day(date(2026, 10, 2))  # Friday, National Day
    assert CAL_2026.is_working_day(date(2026, 2, 28))  # Saturday, make-up
    assert not CAL_2026.is_working_day(date(2026, 2, 16))  # Monday, Spring Festival


def test_twenty_working_days_from_2026_12_10_run_into_2027_provisionally():
    # Thu 2026-12-10, start day not counted. December 2026 has no holiday: Fri 11 (1),
    # 14–18 (6), 21–25 (11), 28–31 (15). 2027 is not entered: Mon–Fri count, so Fri
    # 2027-01-01 (16) and Mon 4 – Thu 7 (20) → 2027-01-07, provisional.
    assert rules.add_limit(date(2026, 12, 10), TimeLimit(20, WORKING_DAYS), CAL_2026) == Due(date(2027, 1, 7), True)
    # Ten working days stay inside 2026: Fri 11, 14–18, 21–24 → Thu 2026-12-24, final.
    assert rules.add_limit(date(2026, 12, 10), TimeLimit(10, WORKING_DAYS), CAL_2026) == Due(date(2026, 12, 24), False)


def test_a_year_without_a_schedule_is_never_refused_and_counts_weekdays():
    due = rules.add_limit(date(2099, 1, 1), TimeLimit(3, WORKING_DAYS), CAL_2026)  # Thursday
    assert due == Due(date(2099, 1, 6), provisional=True)  # Fri 2, Mon 5, Tue 6
    assert CAL_2026.covered_until == date(2026, 12, 31)


def test_calendar_days_are_never_provisional():
    assert rules.add_limit(date(2026, 12, 28), TimeLimit(15, CALENDAR_DAYS), CAL_2026) == Due(date(2027, 1, 12), False)


def test_unit_is_part_of_the_parameter():
    assert TimeLimit.of({"value": 20, "unit": "working_days"}) == TimeLimit(20, WORKING_DAYS)
    assert TimeLimit.of({"value": 15}) == TimeLimit(15, CALENDAR_DAYS)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 3, 10), "on_track"),
        (date(2026, 3, 15), "due_soon"),
        (date(2026, 3, 17), "due_soon"),
        (date(2026, 3, 18), "overdue"),
    ],
)
def test_clock_state_is_on_track_due_soon_or_overdue(today, state):
    assert rules.clock_state(today=today, due=date(2026, 3, 17), due_soon_days=2) == state


@pytest.mark.parametrize(("overdue_days", "level"), [(0, 0), (1, 1), (3, 1), (4, 2), (30, 2)])
def test_overdue_cases_escalate_level_by_level(overdue_days, level):
    due = date(2026, 3, 17)
    today = date.fromordinal(due.toordinal() + overdue_days)
    assert rules.escalation_level(today=today, due=due, step_days=3) == level


def test_step_deadline_never_passes_the_overall_deadline():
    assert rules.step_due(step_start=date(2026, 3, 1), step_days=5, overall_due=date(2026, 3, 16)) == date(2026, 3, 6)
    assert rules.step_due(step_start=date(2026, 3, 14), step_days=5, overall_due=date(2026, 3, 16)) == date(2026, 3, 16)


def test_days_left_counts_working_days_across_national_day():
    assert rules.days_left(today=date(2026, 9, 30), due=date(2026, 10, 9), calendar=CAL_2026, unit=WORKING_DAYS) == 2
    assert rules.days_left(today=date(2026, 10, 9), due=date(2026, 9, 30), calendar=CAL_2026, unit=WORKING_DAYS) == -2


def test_notice_window_counts_the_posting_day():
    assert rules.notice_end(date(2026, 3, 2), TimeLimit(5, CALENDAR_DAYS), CAL_2026) == Due(date(2026, 3, 6))
    # Posted on a holiday with working days: the holiday does not count.
    assert rules.notice_end(date(2026, 10, 1), TimeLimit(5, WORKING_DAYS), CAL_2026) == Due(date(2026, 10, 13))
    # Posted on a working day of a year not entered: provisional even when it ends that day.
    assert rules.notice_end(date(2027, 3, 1), TimeLimit(1, WORKING_DAYS), CAL_2026) == Due(date(2027, 3, 1), True)


def test_add_months_clamps_to_month_end():
    assert rules.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 3, 15), -6) == date(2025, 9, 15)


# --------------------------------------------------------------- R-MON-4


def test_income_below_line_with_a_difficulty_suggests_inclusion_as_recommendation_only():
    rec = rules.checklist_recommendation(
        rules.ChecklistInput(
            per_capita_income=Decimal("5000"), income_line=Decimal("7500"), house_unsafe=True, escaped_household=True
        )
    )
    assert rec.suggest_inclusion and rec.suggested_category == "unstable_escaped"
    assert "不设任何比例" in rec.note


def test_sudden_shock_above_the_line_suggests_sudden_hardship():
    rec = rules.checklist_recommendation(
        rules.ChecklistInput(per_capita_income=Decimal("9000"), income_line=Decimal("7500"), risk_types=["accident"])
    )
    assert rec.suggest_inclusion and rec.suggested_category == "sudden_hardship"


def test_missing_income_is_reported_not_guessed():
    rec = rules.checklist_recommendation(rules.ChecklistInput(per_capita_income=None, income_line=Decimal("7500")))
    assert not rec.suggest_inclusion and any("缺少收支信息" in m for m in rec.missing)


def test_risk_types_are_at_most_five_and_disaster_needs_subtype():
    assert rules.risk_type_problems(["illness"], "") == []
    six = ["illness", "disability", "schooling", "accident", "other", "lack_of_labour"]
    assert any("最多" in p for p in rules.risk_type_problems(six, ""))
    assert any("自然灾害子项" in p for p in rules.risk_type_problems(["natural_disaster"], ""))


# --------------------------------------------------------------- elimination guards

LINE = Decimal("7500")


def facts(**kw):
    base = {
        "mode": "assisted",
        "today": date(2026, 10, 1),
        "identified_on": date(2026, 3, 1),
        "risk_types": ["illness"],
        "covered_risk_types": ["illness"],
        "income_points": [
            rules.IncomePoint(date(2026, 3, 31), Decimal("9000"), LINE),
            rules.IncomePoint(date(2026, 9, 30), Decimal("9500"), LINE),
        ],
        "house_unsafe": False,
        "water_unsafe": False,
        "child_out_of_school": False,
        "member_without_medical_insurance": False,
        "whole_household_without_labour": False,
        "min_months": 6,
        "stable_months": 6,
    }
    base.update(kw)
    return rules.EliminationFacts(**base)


def test_all_guards_pass_for_a_stable_assisted_household():
    assert rules.elimination_refusals(facts()) == []


def test_less_than_six_months_since_identification_is_refused():
    reasons = rules.elimination_refusals(facts(identified_on=date(2026, 5, 1)))
    assert len(reasons) == 1 and "不足6个月" in reasons[0] and "2026-11-01" in reasons[0]


def test_each_risk_type_needs_an_implemented_measure():
    reasons = rules.elimination_refusals(facts(risk_types=["illness", "unsafe_water"]))
    assert reasons == ["以下风险类型尚无已落实的对应帮扶措施：因安全饮水（R-EL-3）"]


def test_income_not_above_the_line_now_is_refused():
    points = [
        rules.IncomePoint(date(2026, 3, 31), Decimal("9000"), LINE),
        rules.IncomePoint(date(2026, 9, 30), LINE, LINE),
    ]
    reasons = rules.elimination_refusals(facts(income_points=points))
    assert len(reasons) == 1 and "未高于监测收入标准" in reasons[0]


def test_income_above_the_line_for_less_than_six_months_is_refused():
    points = [rules.IncomePoint(date(2026, 6, 30), Decimal("9000"), LINE)]
    reasons = rules.elimination_refusals(facts(income_points=points))
    assert len(reasons) == 1 and "不足6个月" in reasons[0]


def test_a_dip_below_the_line_within_six_months_is_refused():
    points = [
        rules.IncomePoint(date(2026, 3, 31), Decimal("9000"), LINE),
        rules.IncomePoint(date(2026, 6, 30), Decimal("7000"), LINE),
        rules.IncomePoint(date(2026, 9, 30), Decimal("9500"), LINE),
    ]
    reasons = rules.elimination_refusals(facts(income_points=points))
    assert len(reasons) == 1 and "未稳定高于" in reasons[0]


def test_no_snapshot_is_refused():
    assert any("缺少收支信息" in r for r in rules.elimination_refusals(facts(income_points=[])))


def test_three_guarantees_and_water_must_be_secure_and_recorded():
    reasons = rules.elimination_refusals(facts(house_unsafe=True, water_unsafe=None))
    assert any("住房安全未保障" in r for r in reasons) and any("未记录饮水安全" in r for r in reasons)


def test_a_whole_household_without_labour_is_not_eliminated():
    reasons = rules.elimination_refusals(facts(whole_household_without_labour=True))
    assert len(reasons) == 1 and "整户无劳动能力" in reasons[0]


def test_all_failing_reasons_are_listed_together():
    reasons = rules.elimination_refusals(
        facts(
            identified_on=date(2026, 8, 1),
            covered_risk_types=[],
            income_points=[],
            house_unsafe=True,
            whole_household_without_labour=True,
        )
    )
    assert len(reasons) == 5


def test_natural_elimination_is_exempt_from_months_and_measures_but_needs_reason_and_justification():
    ok = facts(
        mode="natural",
        identified_on=date(2026, 9, 1),
        covered_risk_types=[],
        natural_reason="deceased",
        justification="患病成员已去世",
    )
    assert rules.elimination_refusals(ok) == []
    bad = rules.elimination_refusals(facts(mode="natural", covered_risk_types=[]))
    assert "自然消除须选择原因" in bad and "自然消除须填写情况说明" in bad


def test_mask_name_keeps_first_and_last_character():
    assert rules.mask_name("张三丰") == "张*丰"
    assert rules.mask_name("李四") == "李*"
    assert rules.mask_name("欧阳娜娜") == "欧**娜"
