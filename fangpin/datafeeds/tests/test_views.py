"""Data-feed pages and API: upload, progress, feedback file, review queue, rules, dashboard, scoping."""

from __future__ import annotations

import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from conftest import CANARY_ID, make_id
from fangpin.datafeeds.models import DepartmentWarning, FeedRun, ReviewPair, ReviewStatus, RunStatus, WarningRule

ROWS = (
    "姓名,身份证号,性别,出生日期,村代码,参保状态,年度累计个人自付,结算日期\n"
    f"金丝雀,{CANARY_ID},男,1980-01-01,340102001001,已参保,30000,2026-10-10\n"
    "户主A1b0,,男,1970-01-01,340102001002,已参保,100,2026-10-12\n"
    f"外县人,{make_id('650003', date(1990, 5, 5), 1)},男,1990-05-05,,已参保,50000,2026-10-12\n"
    "坏行,1,2,3,4,5,6,7,8,9\n"
)


def _post(client, text=ROWS, period="2026-10"):
    upload = io.BytesIO(text.encode("gb18030"))
    upload.name = "med.csv"
    return client.post("/feeds/", {"source": "medical_security", "period": period, "file": upload})


def test_a_liaison_uploads_a_file_and_follows_its_run_to_the_feedback_workbook(client_as, world):
    client = client_as("liaison_a")
    response = _post(client)
    run = FeedRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/feeds/runs/{run.pk}/"
    assert run.status == RunStatus.DONE and run.created_by == world.users["liaison_a"]
    page = client.get(f"/feeds/runs/{run.pk}/")
    assert page.status_code == 200 and 'data-status="done"' in page.content.decode()
    book = client.get(f"/feeds/runs/{run.pk}/feedback.xlsx")
    assert book.status_code == 200
    wb = load_workbook(io.BytesIO(book.content))
    problems = [[c.value for c in row] for row in wb["未匹配和有问题的行"].iter_rows(min_row=2)]
    assert any(r[0] == 4 and "在防返贫监测对象及农户信息库中未找到此人" in r[4] for r in problems)
    assert any(r[0] == 5 and "无法读取" in r[4] for r in problems)
    assert CANARY_ID not in str(problems)
    outcomes = [[c.value for c in row] for row in wb["预警核实结果"].iter_rows(min_row=2)]
    assert {r[1] for r in outcomes} == {"W-MED-1", "W-MED-2"}
    # The liaison sees no registry: warnings, review queue and the registry are closed to them.
    assert client.get("/feeds/warnings/").status_code == 403
    assert client.get("/feeds/review/").status_code == 403
    assert client.get("/registry/").status_code == 403


def test_a_bad_period_is_refused_on_the_page_and_nothing_is_stored(client_as, world):
    response = _post(client_as("county_admin_a"), period="2026-13")
    assert response.status_code == 200 and "数据期间格式" in response.content.decode()
    assert not FeedRun.objects.exists()


def test_another_countys_run_is_not_found(client_as, world):
    _post(client_as("county_admin_a"))
    run = FeedRun.objects.get()
    assert client_as("county_admin_b").get(f"/feeds/runs/{run.pk}/").status_code == 404
    assert client_as("county_admin_b").get(f"/feeds/runs/{run.pk}/feedback.xlsx").status_code == 404


def test_the_review_page_shows_both_records_side_by_side_with_masked_ids_and_records_the_decision(client_as, world):
    _post(client_as("county_admin_a"))
    pair = ReviewPair.objects.get()
    client = client_as("county_staff_a")
    page = client.get(f"/feeds/review/{pair.pk}/").content.decode()
    assert "户主A1b0" in page and pair.person.id_number_masked in page and pair.person.id_number not in page
    response = client.post(f"/feeds/review/{pair.pk}/", {"verdict": "dismissed"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.DISMISSED and pair.decided_by == world.users["county_staff_a"]
    assert client.post(f"/feeds/review/{pair.pk}/", {"verdict": "confirmed"}).status_code == 409
    assert client_as("township_a1").get(f"/feeds/review/{pair.pk}/").status_code == 403


def test_warnings_are_listed_within_the_area_and_the_dashboard_shows_feedback_rates(client_as, world):
    _post(client_as("county_admin_a"))
    page = client_as("township_a1").get("/feeds/warnings/").content.decode()
    assert "W-MED-1" in page and CANARY_ID not in page
    assert "W-MED-1" not in client_as("township_a2").get("/feeds/warnings/").content.decode()
    dashboard = client_as("county_admin_a").get("/feeds/dashboard/").content.decode()
    assert "医保部门" in dashboard and "0.0%" in dashboard


def test_a_rule_is_previewed_edited_and_switched_on_only_by_the_county_admin(client_as, world):
    _post(client_as("county_admin_a"))
    run = FeedRun.objects.get()
    rule = WarningRule.objects.get(code="W-MED-1")
    admin = client_as("county_admin_a")
    preview = admin.get(f"/feeds/rules/{rule.pk}/?run={run.pk}").content.decode()
    assert "1 户被预警" in preview and CANARY_ID not in preview
    response = admin.post(f"/feeds/rules/{rule.pk}/edit/", {"title": rule.title, "condition": "oop_ytd >= 40000"})
    assert response.status_code == 302
    # The national rule stays as it is; the county's edit is its own version.
    own = WarningRule.objects.get(code="W-MED-1", scope_code="340102")
    assert own.condition == "oop_ytd >= 40000" and not own.enabled
    rule.refresh_from_db()
    assert rule.condition != own.condition and rule.enabled
    bad = admin.post(f"/feeds/rules/{own.pk}/edit/", {"title": "x", "condition": "__import__('os')"})
    assert bad.status_code == 400 and "不支持的函数" in bad.content.decode()
    assert client_as("county_staff_a").post(f"/feeds/rules/{own.pk}/toggle/", {"enabled": "1"}).status_code == 403
    admin.post(f"/feeds/rules/{own.pk}/toggle/", {"enabled": "1"})
    own.refresh_from_db()
    assert own.enabled


def test_the_api_takes_a_liaisons_upload_and_reports_the_run(client_as, world):
    client = client_as("liaison_a")
    upload = io.BytesIO(ROWS.encode("utf-8"))
    upload.name = "med.csv"
    response = client.post("/api/v1/feeds/runs", {"source": "medical_security", "period": "2026-10", "file": upload})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["stats"]["exact"] == 1
    assert client.get(f"/api/v1/feeds/runs/{body['id']}").json()["id"] == body["id"]
    assert client_as("county_admin_b").get(f"/api/v1/feeds/runs/{body['id']}").status_code == 404
    assert client_as("village_a1a").get(f"/api/v1/feeds/runs/{body['id']}").status_code == 403
    assert DepartmentWarning.objects.count() == 2


def test_a_liaison_sees_only_the_tabs_whose_pages_open_for_them(client_as, world):
    liaison_page = client_as("liaison_a").get(reverse("datafeeds:run-list")).content.decode()
    assert "比对批次" in liaison_page
    assert "疑似匹配核对" not in liaison_page and "部门预警" not in liaison_page
    admin_page = client_as("county_admin_a").get(reverse("datafeeds:run-list")).content.decode()
    assert "疑似匹配核对" in admin_page and "反馈情况" in admin_page
