"""The statutory clock on the official calendar table (issue 12 §1): seeded 2004–2026 data,
no refusal past the entered years (provisional deadlines), recomputation when a year is
entered, and the coverage warning."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from conftest import CANARY_ID, CANARY_NAME, CANARY_PHONE
from fangpin.core.actor import Actor
from fangpin.core.models import AuditEvent
from fangpin.monitoring import rules
from fangpin.monitoring.models import CaseEvent, RiskClue
from fangpin.monitoring.rules import WORKING_DAYS, Due, TimeLimit
from fangpin.monitoring.services.sweeps import calendar_sweep
from fangpin.monitoring.tests.helpers import act, case_to_notice, new_clue, start_case
from fangpin.policy.models import HolidayDay, HolidayKind, HolidayYear
from fangpin.policy.selectors import work_calendar
from fangpin.policy.services import CalendarDay, holiday_year_load, policy_set
from fangpin.policy.signals import PACKAGE_SOURCE

PROVISIONAL = "（暂按周末推算）"


def plausible_2027() -> list[CalendarDay]:
    """A plausible 2027 schedule, written for the tests: the real State Council notice for
    2027 is not published yet (December 2026). New Year's Day Fri 1 Jan; Spring Festival
    Fri 5 – Thu 11 Feb with make-up workdays Sun 31 Jan and Sat 20 Feb."""
    days = [CalendarDay(date(2027, 1, 1), HolidayKind.HOLIDAY, "元旦")]
    days += [CalendarDay(date(2027, 2, d), HolidayKind.HOLIDAY, "春节") for d in range(5, 12)]
    days += [
        CalendarDay(date(2027, 1, 31), HolidayKind.WORKDAY, "春节"),
        CalendarDay(date(2027, 2, 20), HolidayKind.WORKDAY, "春节"),
    ]
    return days


def load_2027(world, area_key: str = "A", by: str = "county_admin_a") -> HolidayYear:
    return holiday_year_load(
        actor=act(world, by),
        area=world.areas[area_key],
        year=2027,
        days=plausible_2027(),
        source_document="国务院办公厅关于2027年部分节假日安排的通知（测试用，拟定）",
    )


def working_day_limit(world, key: str, value: int, area: str = "A") -> None:
    policy_set(
        actor=Actor.command(),
        key=key,
        value={"value": value, "unit": WORKING_DAYS},
        area=world.areas[area],
        effective_from=date(2026, 1, 1),
    )


# ---------------------------------------------------------------- the seeded package data


def test_the_2026_national_day_and_mid_autumn_holidays_come_from_the_seeded_package_data(world):
    calendar = work_calendar(area=world.areas["A1a"])
    # Mid-Autumn Fri 25 Sep (with the weekend 26–27) and National Day 1–7 Oct are off;
    # Sun 20 Sep and Sat 10 Oct are the make-up workdays.
    assert [d for d in (date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 7)) if calendar.is_working_day(d)] == []
    assert calendar.is_working_day(date(2026, 9, 20)) and calendar.is_working_day(date(2026, 10, 10))
    assert calendar.is_working_day(date(2026, 10, 8))
    year = HolidayYear.objects.get(year=2026, area__isnull=True)
    assert year.source_document == PACKAGE_SOURCE
    names = dict(year.days.values_list("day", "name"))
    assert names[date(2026, 9, 25)] == "中秋" and names[date(2026, 10, 1)] == "国庆节"
    assert year.days.get(day=date(2026, 10, 10)).kind == HolidayKind.WORKDAY
    # Thu 24 Sep + 3 working days: 25–27 off, Mon 28, Tue 29, Wed 30.
    assert rules.add_limit(date(2026, 9, 24), TimeLimit(3, WORKING_DAYS), calendar) == Due(date(2026, 9, 30))
    # Wed 30 Sep + 2 working days: 1–7 Oct off, Thu 8, Fri 9.
    assert rules.add_limit(date(2026, 9, 30), TimeLimit(2, WORKING_DAYS), calendar) == Due(date(2026, 10, 9))
    assert set(HolidayYear.objects.filter(area__isnull=True).values_list("year", flat=True)) == set(range(2004, 2027))


def test_twenty_working_days_from_2026_12_10_reach_2027_provisionally(world):
    # December 2026 has no holiday in the package data: Fri 11 (1), 14–18 (6), 21–25 (11),
    # Mon 28 – Thu 31 (15). 2027 is not entered, so Mon–Fri count: Fri 1 Jan (16),
    # Mon 4 – Thu 7 Jan (20) → 2027-01-07, provisional.
    working_day_limit(world, "identification_time_limit", 20)
    with time_machine.travel(date(2026, 12, 10), tick=False):
        case = start_case(world)
    assert (case.clock_started_on, case.deadline_on, case.deadline_provisional) == (
        date(2026, 12, 10),
        date(2027, 1, 7),
        True,
    )


# ---------------------------------------------------------------- never refused


@pytest.fixture
def on_dec_28():
    with time_machine.travel(date(2026, 12, 28), tick=False):
        yield


def test_a_clue_received_on_2026_12_28_is_accepted_with_a_provisional_verification_due(world, client_as, on_dec_28):
    clue = new_clue(world)
    # Accept: 2 calendar days (never provisional). Verify: 5 working days: Tue 29, Wed 30,
    # Thu 31, then 2027 by weekdays: Fri 1 Jan, Mon 4 Jan.
    assert (clue.accept_due, clue.accept_due_provisional) == (date(2026, 12, 30), False)
    assert (clue.verify_due, clue.verify_due_provisional) == (date(2027, 1, 4), True)
    page = client_as("township_a1").get(f"/monitoring/clues/{clue.pk}/").content.decode()
    assert "2027-01-04" in page and PROVISIONAL in page
    api = client_as("township_a1").get(f"/api/v1/monitoring/clues/{clue.pk}")
    assert api.status_code == 200 and api.json()["verify_due_provisional"] is True


def test_the_public_self_report_on_2026_12_28_is_accepted_and_says_the_due_is_provisional(world, client, on_dec_28):
    response = client.post(
        "/monitoring/report/",
        {
            "village": world.areas["A1a"].pk,
            "reporter_name": CANARY_NAME,
            "id_number": CANARY_ID,
            "reporter_phone": CANARY_PHONE,
            "risk_types": ["illness"],
            "summary": "家人住院花费大",
            "idempotency_key": "dec28",
            "consent": "on",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "节假日日历" not in body
    clue = RiskClue.objects.get()
    assert clue.tracking_code in body and "2027年1月4日" in body and PROVISIONAL in body


def test_the_self_report_api_on_2026_12_28_answers_201_with_the_provisional_flag(world, client, on_dec_28):
    payload = {
        "village_code": world.areas["A1a"].code,
        "reporter_name": CANARY_NAME,
        "id_number": CANARY_ID,
        "reporter_phone": CANARY_PHONE,
        "summary": "因病支出大",
        "consent": True,
    }
    response = client.post("/api/v1/monitoring/public/self-report", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["verify_due"] == "2027-01-04" and response.json()["verify_due_provisional"] is True


# ---------------------------------------------------------------- recomputation


def test_loading_a_2027_schedule_recomputes_the_provisional_case_and_the_timeline_says_so(world, client_as):
    working_day_limit(world, "identification_time_limit", 20)
    with time_machine.travel(date(2027, 1, 20), tick=False):
        case = start_case(world)
        # Weekdays only (2027 not entered): Jan 21, 22, 25–29, Feb 1–5, 8–12, 15–17 → Wed 17 Feb.
        assert (case.deadline_on, case.deadline_provisional) == (date(2027, 2, 17), True)
        load_2027(world)
    case.refresh_from_db()
    # With the schedule: Jan 21, 22, 25–29 (7), Sun 31 make-up (8), Feb 1–4 (12), 5–11 off,
    # Fri 12 (13), 15–19 (18), Sat 20 make-up (19), Mon 22 (20).
    assert (case.deadline_on, case.deadline_provisional) == (date(2027, 2, 22), False)
    event = CaseEvent.objects.get(case_kind="identification", case_id=case.pk, action="deadline_recomputed")
    assert event.reason == "办结时限按新录入的放假安排重新计算：原 2027-02-17（暂按周末推算），现 2027-02-22"
    with time_machine.travel(date(2027, 1, 21), tick=False):
        page = client_as("county_staff_a").get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert "办结时限按新录入的放假安排重新计算" in page and "2027-02-22" in page
    assert "时限按新录入的放假安排重新计算 · " in page and "deadline_recomputed" not in page  # the action's label


def test_loading_a_year_also_moves_an_open_clues_verification_due(world):
    with time_machine.travel(date(2026, 12, 28), tick=False):
        clue = new_clue(world)
        other = new_clue(world, village="B1a", by="village_b1a")
        load_2027(world)
    clue.refresh_from_db()
    other.refresh_from_db()
    # County A's own schedule does not move county B's clue.
    assert (other.verify_due, other.verify_due_provisional) == (date(2027, 1, 4), True)
    assert not CaseEvent.objects.filter(case_kind="clue", case_id=other.pk, action="deadline_recomputed").exists()
    # Fri 1 Jan 2027 is now New Year's Day: Tue 29, Wed 30, Thu 31, Mon 4, Tue 5.
    assert (clue.verify_due, clue.verify_due_provisional) == (date(2027, 1, 5), False)
    event = CaseEvent.objects.get(case_kind="clue", case_id=clue.pk, action="deadline_recomputed")
    assert "核实时限" in event.reason and "原 2027-01-04（暂按周末推算），现 2027-01-05" in event.reason


def test_a_15_calendar_day_case_across_the_2027_spring_festival_is_unaffected_by_holidays(world):
    # The default identification limit is 15 calendar days: Mon 1 Feb + 15 = Tue 16 Feb, holidays or not.
    with time_machine.travel(date(2027, 2, 1), tick=False):
        case = start_case(world)
        assert (case.deadline_on, case.deadline_provisional) == (date(2027, 2, 16), False)
        load_2027(world)
    case.refresh_from_db()
    assert (case.deadline_on, case.deadline_provisional) == (date(2027, 2, 16), False)
    assert not CaseEvent.objects.filter(action="deadline_recomputed").exists()


def test_the_change_and_the_recomputation_share_one_audit_trail_with_the_county(world):
    working_day_limit(world, "identification_time_limit", 20)
    with time_machine.travel(date(2027, 1, 20), tick=False):
        case = start_case(world)
        row = load_2027(world)
    audit = AuditEvent.objects.get(object_type="policy.holiday_year", object_id=str(row.pk))
    assert audit.area_code == world.areas["A"].code and audit.changes["deadlines_recomputed"] == [None, 1]
    moved = AuditEvent.objects.filter(object_type="monitoring.identification", object_id=str(case.pk))
    assert moved.filter(changes__has_key="办结时限").exists()


# ---------------------------------------------------------------- the coverage warning


def test_the_sweep_warns_each_county_from_60_days_before_the_last_entered_day(world, caplog):
    assert calendar_sweep(on=date(2026, 10, 31)) == []  # 61 days before 2026-12-31
    with caplog.at_level(logging.WARNING, logger="fangpin.monitoring.sweeps"):
        warnings = calendar_sweep(on=date(2026, 11, 1))
    assert [r.getMessage() for r in caplog.records] == warnings
    assert warnings == [
        f"甲县（{world.areas['A'].code}）：2027年放假安排尚未录入",
        f"乙县（{world.areas['B'].code}）：2027年放假安排尚未录入",
    ]
    with time_machine.travel(date(2026, 12, 8), tick=False):
        load_2027(world)
    assert calendar_sweep(on=date(2026, 12, 8)) == [f"乙县（{world.areas['B'].code}）：2027年放假安排尚未录入"]
    with time_machine.travel(date(2026, 12, 8), tick=False):
        out = io.StringIO()
        call_command("monitoring_sweep", stdout=out)
    assert f"放假安排：乙县（{world.areas['B'].code}）：2027年放假安排尚未录入" in out.getvalue()


def test_county_and_province_admins_see_the_warning_on_home_and_work_queue_village_cadres_do_not(world, client_as):
    with time_machine.travel(date(2026, 12, 8), tick=False):
        home = client_as("county_admin_a").get("/").content.decode()
        queue = client_as("county_admin_a").get("/monitoring/queue/").content.decode()
        province = client_as("province_admin").get("/").content.decode()
        cadre = client_as("village_a1a").get("/").content.decode()
    for page in (home, queue, province):
        assert "2027年放假安排尚未录入" in page and "/policy/calendar/" in page
    assert "2027年放假安排尚未录入" not in cadre
    with time_machine.travel(date(2026, 10, 1), tick=False):
        assert "放假安排尚未录入" not in client_as("county_admin_a").get("/").content.decode()


def test_no_calendar_rows_at_all_still_computes_by_weekdays(world):
    HolidayDay.objects.all().delete()
    HolidayYear.objects.all().delete()
    with time_machine.travel(date(2026, 10, 1), tick=False):  # National Day, but nothing entered
        clue = new_clue(world)
    # Fri 2, Mon 5, Tue 6, Wed 7, Thu 8: weekdays, marked provisional.
    assert (clue.verify_due, clue.verify_due_provisional) == (date(2026, 10, 8), True)


def test_a_running_working_day_notice_moves_with_the_schedule_and_its_text_too(world, client_as):
    policy_set(
        actor=Actor.command(),
        key="notice_min_days",
        value={"value": 5, "unit": WORKING_DAYS},
        area=world.areas["A"],
        effective_from=date(2026, 1, 1),
    )
    with time_machine.travel(date(2027, 2, 3), tick=False):
        case = case_to_notice(world, start_case(world))
        notice = case.notices.get()
        # Wed 3 Feb counts as day one, then Thu 4, Fri 5, Mon 8, Tue 9 (weekdays only).
        assert (notice.ends_on, notice.ends_provisional) == (date(2027, 2, 9), True)
        page = client_as("village_a1a").get(f"/monitoring/notices/{notice.pk}/").content.decode()
        assert "暂按周末推算" in page
        load_2027(world)
    notice.refresh_from_db()
    # With the schedule: Wed 3, Thu 4, then 5–11 off, Fri 12, Mon 15, Tue 16.
    assert (notice.ends_on, notice.ends_provisional) == (date(2027, 2, 16), False)
    assert "至2027年02月16日" in notice.body and "2027年02月09日" not in notice.body
    event = CaseEvent.objects.get(case_kind="identification", case_id=case.pk, action="deadline_recomputed")
    assert event.reason == "公示截止日期按新录入的放假安排重新计算：原 2027-02-09（暂按周末推算），现 2027-02-16"
