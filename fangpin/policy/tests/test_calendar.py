"""The official holiday calendar page and services (issue 12 §1): who may edit which area,
CSV/XLSX loading with per-row Chinese errors and nothing written, audit rows with the area."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from fangpin.core.errors import Forbidden
from fangpin.core.models import AuditEvent
from fangpin.monitoring.tests.helpers import act
from fangpin.policy.models import HolidayDay, HolidayKind, HolidayYear
from fangpin.policy.selectors import holiday_year_in_force, work_calendar
from fangpin.policy.services import holiday_day_set

SOURCE = "国务院办公厅关于2027年部分节假日安排的通知（测试用，拟定）"
# A plausible 2027 Spring Festival, written for the tests (the real notice is not published yet).
GOOD_ROWS = [("2027-02-05", "法定节假日", "春节"), ("2027-02-06", "休", "春节"), ("2027-02-20", "班", "春节")]
BAD_ROWS = [("2027-02-05", "法定节假日", "春节"), ("2027-02-30", "法定节假日", "春节"), ("2027-02-20", "加班", "")]


@pytest.fixture
def in_december():
    with time_machine.travel(date(2026, 12, 8), tick=False):
        yield


def csv_file(rows, encoding="utf-8") -> SimpleUploadedFile:
    text = "日期,类型,名称\n" + "".join(",".join(r) + "\n" for r in rows)
    return SimpleUploadedFile("2027.csv", text.encode(encoding), content_type="text/csv")


def xlsx_file(rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日期", "类型", "名称"])
    for day, kind, name in rows:
        sheet.append([date.fromisoformat(day) if day != "2027-02-30" else day, kind, name])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("2027.xlsx", buffer.getvalue(), content_type="application/vnd.ms-excel")


def test_county_admin_sees_the_year_as_a_calendar_with_its_source_and_names(world, client_as, in_december):
    page = client_as("county_admin_a").get("/policy/calendar/?year=2026")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-day="2026-10-01" data-kind="holiday" title="国庆节"' in body
    assert 'data-day="2026-10-10" data-kind="workday"' in body  # make-up Saturday, shown apart
    assert 'data-day="2026-10-17" data-kind="rest"' in body  # an ordinary Saturday
    assert "chinesecalendar 软件包数据" in body and 'data-testid="calendar-area">全国' in body
    assert "2027年放假安排尚未录入" in body and 'action="/policy/calendar/load/"' in body


def test_county_admin_corrects_a_day_for_the_own_county_only_with_an_audit_row(world, client_as, in_december):
    response = client_as("county_admin_a").post(
        "/policy/calendar/day/", {"day": "2026-12-31", "kind": HolidayKind.HOLIDAY, "name": "县庆"}
    )
    assert response.status_code == 302
    own = HolidayYear.objects.get(year=2026, area=world.areas["A"])
    # The county's 2026 starts as a copy of the national one, plus the correction.
    assert own.days.count() == HolidayYear.objects.get(year=2026, area__isnull=True).days.count() + 1
    assert not work_calendar(area=world.areas["A1a"]).is_working_day(date(2026, 12, 31))
    assert work_calendar(area=world.areas["B1a"]).is_working_day(date(2026, 12, 31))
    audit = AuditEvent.objects.get(object_type="policy.holiday_year", object_id=str(own.pk))
    assert audit.area_code == world.areas["A"].code and audit.changes["2026-12-31"] == [None, ["holiday", "县庆"]]
    page = client_as("county_admin_a").get("/policy/calendar/?year=2026").content.decode()
    assert 'data-testid="calendar-area">甲县' in page


def test_deleting_a_day_makes_it_ordinary_and_is_audited(world, client_as, in_december):
    client = client_as("county_admin_a")
    client.post(
        "/policy/calendar/day/", {"day": "2027-01-01", "kind": "holiday", "name": "元旦", "source_document": SOURCE}
    )
    response = client.post("/policy/calendar/day/delete/", {"day": "2027-01-01"})
    assert response.status_code == 302
    assert not HolidayDay.objects.filter(day=date(2027, 1, 1)).exists()
    assert AuditEvent.objects.filter(
        object_type="policy.holiday_year", action="delete", area_code=world.areas["A"].code
    ).exists()


def test_first_day_of_a_new_year_needs_its_source_document(world, client_as, in_december):
    response = client_as("county_admin_a").post("/policy/calendar/day/", {"day": "2027-01-01", "kind": "holiday"})
    assert response.status_code == 400 and "依据文件" in response.content.decode()
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_village_cadre_can_neither_see_nor_edit_the_calendar(world, client_as, in_december):
    client = client_as("village_a1a")
    assert client.get("/policy/calendar/").status_code == 403
    response = client.post("/policy/calendar/day/", {"day": "2027-01-01", "kind": "holiday", "source_document": SOURCE})
    assert response.status_code == 403
    assert (
        client.post(
            "/policy/calendar/load/", {"year": 2027, "source_document": SOURCE, "file": csv_file(GOOD_ROWS)}
        ).status_code
        == 403
    )
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_county_staff_reads_the_calendar_without_edit_forms(world, client_as, in_december):
    page = client_as("county_staff_a").get("/policy/calendar/?year=2026")
    assert page.status_code == 200 and 'action="/policy/calendar/load/"' not in page.content.decode()
    assert client_as("county_staff_a").post("/policy/calendar/day/delete/", {"day": "2026-10-01"}).status_code == 403


def test_a_county_admin_cannot_edit_another_county_or_the_province(world, in_december):
    for area in ("B", "prov", None):
        with pytest.raises(Forbidden):
            holiday_day_set(
                actor=act(world, "county_admin_a"),
                area=world.areas[area] if area else None,
                day=date(2027, 1, 1),
                kind="holiday",
                source_document=SOURCE,
            )
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_province_admin_enters_the_province_schedule_for_every_county_below(world, client_as, in_december):
    response = client_as("province_admin").post(
        "/policy/calendar/load/", {"year": 2027, "source_document": SOURCE, "file": csv_file(GOOD_ROWS)}
    )
    assert response.status_code == 302
    for village in ("A1a", "B1a"):
        row = holiday_year_in_force(area=world.areas[village], year=2027)
        assert row.area == world.areas["prov"] and row.source_document == SOURCE
    audit = AuditEvent.objects.get(object_type="policy.holiday_year")
    assert audit.area_code == world.areas["prov"].code and audit.actor_id == world.users["province_admin"].pk


def test_a_gb18030_csv_loads_a_year_and_its_kinds(world, client_as, in_december):
    response = client_as("county_admin_a").post(
        "/policy/calendar/load/", {"year": 2027, "source_document": SOURCE, "file": csv_file(GOOD_ROWS, "gb18030")}
    )
    assert response.status_code == 302
    row = HolidayYear.objects.get(year=2027, area=world.areas["A"])
    assert dict(row.days.values_list("day", "kind")) == {
        date(2027, 2, 5): "holiday",
        date(2027, 2, 6): "holiday",
        date(2027, 2, 20): "workday",
    }
    assert row.entered_by == world.users["county_admin_a"] and row.source_document == SOURCE
    assert AuditEvent.objects.filter(object_type="policy.holiday_year", area_code=world.areas["A"].code).count() == 1


@pytest.mark.parametrize("make", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_an_upload_with_a_bad_row_names_each_row_in_chinese_and_writes_nothing(world, client_as, in_december, make):
    response = client_as("county_admin_a").post(
        "/policy/calendar/load/", {"year": 2027, "source_document": SOURCE, "file": make(BAD_ROWS)}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "第3行 日期：“2027-02-30”不是有效日期" in body
    assert "第4行 类型：“加班”无效" in body
    assert not HolidayYear.objects.filter(year=2027).exists() and not HolidayDay.objects.filter(day__year=2027).exists()
    assert not AuditEvent.objects.filter(object_type="policy.holiday_year").exists()


def test_an_upload_with_a_day_of_another_year_is_refused(world, client_as, in_december):
    response = client_as("county_admin_a").post(
        "/policy/calendar/load/",
        {"year": 2027, "source_document": SOURCE, "file": csv_file([("2028-01-01", "休", "元旦")])},
    )
    assert response.status_code == 400 and "不是2027年的日期" in response.content.decode()
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_the_calendar_page_is_in_the_navigation_of_its_readers_only(world, client_as, in_december):
    assert "/policy/calendar/" in client_as("county_admin_a").get("/policy/").content.decode()
    assert "/policy/calendar/" not in client_as("village_a1a").get("/policy/").content.decode()


def test_the_national_schedule_is_loaded_from_the_command_line(world, tmp_path, in_december):
    path = tmp_path / "2027.csv"
    path.write_text("日期,类型,名称\n2027-01-01,法定节假日,元旦\n", encoding="utf-8")
    call_command("calendar_load", str(path), year=2027, source=SOURCE, stdout=io.StringIO())
    row = HolidayYear.objects.get(year=2027, area__isnull=True)
    assert row.source_document == SOURCE and not work_calendar(area=world.areas["B1a"]).is_working_day(date(2027, 1, 1))
    assert AuditEvent.objects.filter(object_type="policy.holiday_year", object_id=str(row.pk), area_code="").exists()


def test_a_nul_byte_in_a_cell_is_a_row_error_not_a_crash(world, client_as, in_december):
    rows = [("2027-02-05", "法定节假日", "春\x00节")]
    response = client_as("county_admin_a").post(
        "/policy/calendar/load/", {"year": 2027, "source_document": SOURCE, "file": csv_file(rows)}
    )
    assert response.status_code == 400 and "第2行：含有空字符（NUL）" in response.content.decode()
    assert not HolidayYear.objects.filter(year=2027).exists()
