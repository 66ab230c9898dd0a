"""The dashboard's KPI summary: same figures as the live aggregate at every level, refreshed
by a job (button, console command, daily sweep), dated on the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.assistance.models import Visit
from fangpin.assistance.tests.factories import episode_for, measure_for, plan_for
from fangpin.core.actor import Actor
from fangpin.core.models import AuditEvent, Job
from fangpin.monitoring.models import IdentificationCase, RiskClue
from fangpin.registry.models import Household
from fangpin.reports import dashboard, rules, selectors
from fangpin.reports.models import KpiRefresh, KpiSummary
from fangpin.reports.services import summary_refresh

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 9, 0)


def _varied_monitoring(world) -> None:
    """Every household of the world gets monitoring history of a different shape."""
    visitor = world.users["village_a1a"]
    households = list(Household.objects.order_by("pk"))
    for i, h in enumerate(households):
        identified = date(2025, 1, 5) + timedelta(days=37 * i)
        shape = i % 4
        if shape == 0:  # eliminated last year, then relapsed: a successor episode is open
            old = episode_for(
                h,
                identified_on=identified,
                status="eliminated",
                eliminated_on=identified + timedelta(days=200),
                first_measure_on=identified + timedelta(days=10),
            )
            measure_for(plan_for(old), "EMP-01", status="implemented", implemented_on=identified + timedelta(days=10))
            episode_for(h, identified_on=date(2026, 1, 3 + i), previous_episode=old)
        elif shape == 1:  # open, measure late, with a reversal on record
            ep = episode_for(
                h,
                identified_on=identified,
                first_measure_on=identified + timedelta(days=45),
                reversal_history=[{"on": "2025-10-01"}],
            )
            plan = plan_for(ep)
            measure_for(plan, "HEA-02", status="implemented", implemented_on=identified + timedelta(days=45))
            measure_for(plan, "CMP-01")
        elif shape == 2:  # eliminated this year, no measure
            episode_for(h, identified_on=identified, status="eliminated", eliminated_on=date(2026, 2, 1 + i))
        if shape != 3:
            IdentificationCase.objects.create(
                case_no=f"T{i:05d}",
                household=h,
                village=h.village,
                village_code=h.village_code,
                category="marginal",
                risk_types=["illness"],
                status="monitored",
                clock_started_on=identified - timedelta(days=20),
                deadline_on=identified - timedelta(days=5 - i % 3 * 5),
                entered_on=identified,
            )
        if i % 3 == 0:
            Visit.objects.create(
                household=h,
                visitor=visitor,
                visitor_role="village_cadre",
                visited_on=date(2025, 6, 1) + timedelta(days=40 * i),
                findings="走访正常",
            )
        if i % 5 == 1:
            RiskClue.objects.create(
                tracking_code=f"TC{i:06d}",
                source="visit",
                village=h.village,
                village_code=h.village_code,
                household=h,
                summary="走访发现风险",
                risk_types=["illness"],
                received_at=timezone.make_aware(datetime(2025, 9, 1) + timedelta(days=30 * i)),
            )


def _nonzero(values: dict) -> dict:
    return {k: {c: v for c, v in cells.items() if v != (0, 0)} for k, cells in values.items()}


@pytest.fixture
def province_auditor(world):
    return User.objects.create_user(
        username="auditor_prov", password="Test-password-2026", role="auditor", area=world.areas["prov"]
    )


@time_machine.travel(NOW, tick=False)
def test_every_kpi_at_every_level_from_the_summary_equals_the_live_computation(world, province_auditor):
    _varied_monitoring(world)
    for county in ("A", "B"):
        summary_refresh(actor=Actor.command(), county=world.areas[county], today=TODAY)
    viewer = {"prov": province_auditor, "city": province_auditor, "A": world.users["county_admin_a"]}
    viewer["B"] = world.users["county_admin_b"]
    checked = 0
    for period_key in ("2026", "2026Q1", "2026-02", "2025", "2025Q3", "2025-06"):
        period = rules.parse_period(period_key, TODAY)
        for key, area in world.areas.items():
            if area.level == "grid":
                continue
            user = viewer.get(key) or viewer[key[0]]
            live = dashboard.compute(user=user, ctx=dashboard.make_ctx(area=area, period=period, today=TODAY))
            read = selectors.summary_read(area=area, period_key=period_key)
            assert read.state == selectors.FRESH, (key, period_key)
            assert _nonzero(read.values) == _nonzero(live), (key, period_key)
            checked += sum(1 for cells in live.values() if cells["total"][1])
    assert checked > 100  # the data make most KPIs non-empty, not a comparison of zeros


@time_machine.travel(NOW, tick=False)
def test_the_refresh_replaces_the_county_rows_in_one_audited_step(world):
    _varied_monitoring(world)
    actor = Actor.command()
    first = summary_refresh(actor=actor, county=world.areas["A"], today=TODAY)
    b_rows = KpiSummary.objects.filter(village_code__startswith="340103").count()
    assert first["periods"] == len(dashboard.summary_periods(TODAY)) == 22  # 2026, Q1, Jan–Mar; 2025 in full
    assert KpiSummary.objects.count() == first["rows"] and b_rows == 0
    Household.objects.filter(pk=world.households["A1a"][1].pk).update(status="dissolved")
    second = summary_refresh(actor=actor, county=world.areas["A"], today=TODAY)
    assert KpiSummary.objects.count() == second["rows"]
    coverage = KpiSummary.objects.get(period="2026", village_code="340102001001", kpi="monitoring_coverage")
    assert coverage.den == 2  # the cancelled household left the village's figures
    events = AuditEvent.objects.filter(object_type="reports.kpi_summary", object_id="340102000000")
    assert events.count() == 2
    assert events.order_by("seq").last().changes["rows"] == [first["rows"], second["rows"]]


@time_machine.travel(NOW, tick=False)
def test_the_page_says_when_its_figures_were_computed_and_computes_live_without_a_summary(world, client_as):
    _varied_monitoring(world)
    client = client_as("township_a1")
    before = client.get("/reports/dashboard/?period=2026").content.decode()
    assert "尚未生成统计汇总" in before and "数据更新于" not in before
    live_row = before.split('data-testid="kpi-assistance_rate"')[1].split("</tr>")[0]
    summary_refresh(actor=Actor.command(), county=world.areas["A"], today=TODAY)
    after = client.get("/reports/dashboard/?period=2026").content.decode()
    assert "数据更新于 2026-03-01" in after and "尚未生成统计汇总" not in after
    assert after.split('data-testid="kpi-assistance_rate"')[1].split("</tr>")[0] == live_row
    assert "村级小于5的非零数字不显示" in after  # suppression at village level unchanged
    older = client.get("/reports/dashboard/?period=2023").content.decode()
    assert "统计期 2023 不在预先汇总的范围内" in older


@time_machine.travel(NOW, tick=False)
def test_a_county_admin_starts_a_background_refresh_of_the_own_county(world, client_as):
    _varied_monitoring(world)
    body = client_as("county_admin_a").get("/reports/dashboard/").content.decode()
    assert 'data-testid="refresh"' in body
    client = client_as("county_admin_a")
    response = client.post("/reports/dashboard/refresh/", {"area": "340102001000", "period": "2026Q1"})
    job = Job.objects.get(kind="reports.refresh")
    assert response.status_code == 302 and job.status == "done", job.message
    assert response["Location"] == "/reports/dashboard/?area=340102001000&period=2026Q1"
    page = client.get(response["Location"]).content.decode()
    assert f"统计数据已更新（后台任务 #{job.pk}）" in page and "数据更新于 2026-03-01" in page
    assert job.params == {"county": "340102000000"} and job.requested_by == world.users["county_admin_a"]
    assert KpiRefresh.objects.get().county == world.areas["A"]
    assert not KpiSummary.objects.filter(village_code__startswith="340103").exists()
    event = AuditEvent.objects.get(object_type="reports.kpi_summary")
    assert event.actor_id == world.users["county_admin_a"].pk


def test_only_county_admins_may_start_a_refresh(world, client_as):
    for username in ("township_a1", "county_staff_a", "auditor_a"):
        client = client_as(username)
        assert 'data-testid="refresh"' not in client.get("/reports/dashboard/").content.decode()
        assert client.post("/reports/dashboard/refresh/").status_code == 403
    assert not Job.objects.filter(kind="reports.refresh").exists()
    assert not KpiSummary.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_console_command_and_the_daily_sweep_refresh_every_county(world, capsys):
    _varied_monitoring(world)
    call_command("reports_refresh")
    assert set(KpiRefresh.objects.values_list("county__code", flat=True)) == {"340102000000", "340103000000"}
    jobs = Job.objects.filter(kind="reports.refresh")
    assert jobs.count() == 2 and {j.status for j in jobs} == {"done"}
    assert "统计汇总：甲县 已更新 22 个统计期" in capsys.readouterr().out
    KpiSummary.objects.all().delete()
    KpiRefresh.objects.all().delete()
    call_command("monitoring_sweep")
    assert KpiRefresh.objects.count() == 2 and KpiSummary.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_summary_page_query_count_does_not_grow_with_the_data(world, client_as):
    client = client_as("county_admin_a")
    client.get("/reports/dashboard/")  # warm caches (session, user)
    actor = Actor.command()

    def count() -> int:
        summary_refresh(actor=actor, county=world.areas["A"], today=TODAY)
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/reports/dashboard/?period=2026").content.decode()
        assert "数据更新于" in body
        return len(ctx.captured_queries)

    small = count()
    _varied_monitoring(world)
    assert count() == small
