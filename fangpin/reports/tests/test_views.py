"""Dashboard, drill-down, DQ report and roster: numbers, scope, suppression, query count."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import CANARY_ID, CANARY_PHONE
from fangpin.assistance.tests.factories import episode_for, measure_for, plan_for
from fangpin.core.models import AuditEvent, Job
from fangpin.registry.models import Household, Person
from fangpin.reports import dashboard, rules

TODAY = date(2026, 3, 1)


@pytest.fixture
def monitored(world):
    """Two monitored households in 一村, one in 三村; one has an implemented measure in time."""
    a, b = world.households["A1a"][0], world.households["A1a"][1]
    c = world.households["A2a"][0]
    ep_a = episode_for(a, identified_on=date(2026, 1, 10), first_measure_on=date(2026, 1, 20))
    measure_for(plan_for(ep_a), "EMP-01", status="implemented", implemented_on=date(2026, 1, 20))
    episode_for(b, identified_on=date(2026, 1, 5))
    episode_for(c, identified_on=date(2025, 6, 1), monitoring_contact_phone=CANARY_PHONE)
    episode_for(world.households["B1a"][0], identified_on=date(2026, 1, 5))
    return {"a": a, "b": b, "c": c}


def _ctx(world, username, area_key, period="2026"):
    return dashboard.make_ctx(area=world.areas[area_key], period=rules.parse_period(period, TODAY), today=TODAY)


@time_machine.travel(TODAY, tick=False)
def test_county_kpis_count_only_the_county_and_group_by_township(world, monitored):
    values = dashboard.compute(user=world.users["county_admin_a"], ctx=_ctx(world, "county_admin_a", "A"))
    assert values["assistance_rate"]["total"] == (1, 3)
    assert values["assistance_rate"]["340102001"] == (1, 2)
    assert values["assistance_rate"]["340102002"] == (0, 1)
    assert values["measure_timeliness"]["total"] == (1, 2)  # identified in 2026: a (in time) and b
    assert values["developmental_measure_rate"]["total"] == (1, 3)
    assert values["measures_per_household"]["total"] == (1, 3)
    assert values["insurance_rate"]["total"][1] > 0


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_suppresses_small_village_counts(world, monitored, client_as):
    body = client_as("township_a1").get("/reports/dashboard/?period=2026").content.decode()
    assert "村级小于5的非零数字不显示" in body
    assert 'title="数量过小，不予显示"' in body
    county = client_as("county_admin_a").get("/reports/dashboard/?period=2026").content.decode()
    assert "33.3%" in county and "50.0%" in county  # county total 1/3; township 东镇 1/2, not suppressed


@time_machine.travel(TODAY, tick=False)
def test_drill_down_lists_the_households_behind_a_number(world, monitored, client_as):
    client = client_as("county_admin_a")
    num = client.get("/reports/dashboard/list/?kpi=assistance_rate&part=num&area=340102000000&period=2026")
    den = client.get("/reports/dashboard/list/?kpi=assistance_rate&part=den&area=340102000000&period=2026")
    assert monitored["a"].national_household_code in num.content.decode()
    assert monitored["b"].national_household_code not in num.content.decode()
    assert monitored["b"].national_household_code in den.content.decode()
    assert world.households["B1a"][0].national_household_code not in den.content.decode()


def test_an_area_outside_the_scope_is_404(world, monitored, client_as):
    client = client_as("township_a1")
    assert client.get("/reports/dashboard/?area=340103000000").status_code == 404
    assert client.get("/reports/dashboard/?area=340102002001").status_code == 404
    assert client.get("/reports/dashboard/list/?kpi=assistance_rate&area=340103000000").status_code == 404
    assert client_as("grid_a1a").get("/reports/dashboard/").status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_query_count_does_not_grow_with_the_data(world, client_as):
    client = client_as("county_admin_a")
    client.get("/reports/dashboard/")  # warm caches (session, user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/reports/dashboard/?period=2026").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i, h in enumerate(Household.objects.filter(village_code__startswith="340102")):
        ep = episode_for(h, identified_on=date(2026, 1, 1 + i))
        measure_for(plan_for(ep), "CMP-01", status="implemented", implemented_on=date(2026, 2, 1))
    assert count() == small


@time_machine.travel(TODAY, tick=False)
def test_the_quality_report_links_rows_to_their_household(world, monitored, client_as):
    client = client_as("county_admin_a")
    body = client.get("/reports/quality/?check=DQ-01").content.decode()
    assert f"/registry/households/{monitored['b'].pk}/" in body
    assert f"/registry/households/{monitored['a'].pk}/" not in body
    other = client_as("county_admin_b").get("/reports/quality/?check=DQ-01").content.decode()
    assert monitored["b"].national_household_code not in other


@time_machine.travel(TODAY, tick=False)
def test_the_quality_xlsx_holds_every_flagged_row_and_is_audited(world, monitored, client_as):
    response = client_as("township_a1").get("/reports/quality.xlsx?check=DQ-01")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    codes = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [monitored["b"].national_household_code]
    assert AuditEvent.objects.filter(object_type="reports.quality", action="export").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_the_roster_export_runs_as_a_job_in_national_column_order_with_masked_numbers(
    world, monitored, client_as, settings, tmp_path
):
    settings.FANGPIN = {**settings.FANGPIN, "EXPORT_DIR": tmp_path}
    Person.objects.filter(pk=world.canary.pk).update(relationship="head")
    client = client_as("county_admin_a")
    response = client.post("/reports/roster/")
    job = Job.objects.get(kind="reports.roster")
    assert response.status_code == 302 and job.status == "done", job.message
    download = client.get(f"/core/jobs/{job.pk}/download/")
    content = b"".join(download.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book.active.iter_rows(values_only=True))
    from fangpin.reports.roster import COLUMNS

    assert list(rows[0]) == COLUMNS
    assert len(rows) == 4  # three monitored households of county A
    flat = repr(rows)
    assert CANARY_ID not in flat and CANARY_PHONE not in flat
    assert "202601" in flat


def test_only_export_roles_may_start_the_roster(world, client_as):
    assert client_as("village_a1a").post("/reports/roster/").status_code == 403
    assert not Job.objects.filter(kind="reports.roster").exists()


def test_report_pages_carry_no_full_canary(world, monitored, client_as):
    for username in ("county_admin_a", "township_a1", "auditor_a"):
        client = client_as(username)
        for url in ("/reports/dashboard/", "/reports/quality/?check=DQ-18", "/reports/quality/?check=DQ-01"):
            body = client.get(url).content.decode()
            assert CANARY_ID not in body and CANARY_PHONE not in body, (username, url)
