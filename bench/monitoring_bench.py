"""BM: the dashboard and the work-queue pages on a county with monitored cases, in
PostgreSQL, against a naive ORM implementation of the same pages in the same run.

Data: a synthetic county (`fangpin synth`, COPY-loaded as in the search benchmark)
plus bulk-inserted monitoring rows: one monitored episode per 15 households (20k
for 300k), its identification case, plans, measures, visits, open clues and open
cases.  The query count of each page is measured at two data sizes (10% and
100% of the monitoring rows) and must not grow.  The naive views live here, not
in the app: Python loops over the ORM with per-row lookups, as a first version
of these pages would be written.

The dashboard reads the per-village KPI summary: after each data size the
county's summary is refreshed (the job's service, timed as `refresh_seconds`).
Before that refresh at 100%, the page is also timed without a summary, when it
computes live (`dashboard_live_p95_ms`, the cost the summary removes).

    make bench BENCH_ARGS='monitoring --households 300000'
    BENCH_NAIVE_REPS=1 make bench BENCH_ARGS='monitoring --households 300000'

BENCH_DB names the database (default fangpin_bench_monitoring; it is dropped and
re-created). BENCH_REPS (default 20) is the number of timed requests of our pages and
BENCH_NAIVE_REPS (default reps ÷ 5, at least 3) of the naive ones: the naive
dashboard takes minutes per request at 300k households.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date, timedelta
from typing import Any

from bench.common import DATA, RESULTS, p95, write_result

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# BENCH_DB: a database of one's own when several checkouts benchmark on one server.
DB = os.environ.get("BENCH_DB", "fangpin_bench_monitoring")
TODAY = date(2026, 11, 20)
RISKS = ["illness", "disability", "schooling", "unstable_employment", "lack_of_labour", "unsafe_housing", "accident"]


# ------------------------------------------------------------------ naive peers


def naive_dashboard(request: Any) -> Any:
    """The dashboard written the obvious way: loop over areas and episodes in Python."""
    from django.shortcuts import render
    from django.urls import reverse
    from django.utils import timezone

    from fangpin.assistance.models import AssistanceMeasure, Visit
    from fangpin.monitoring.models import IdentificationCase, MonitoringEpisode, RiskClue
    from fangpin.registry.models import Household, Person
    from fangpin.reports import dashboard, rules

    area = request.user.area
    today = timezone.localdate()
    period = rules.parse_period(request.GET.get("period", ""), today)
    ctx = dashboard.make_ctx(area=area, period=period, today=today)
    children = dashboard.child_areas(area)
    table: dict[str, list[tuple[int, int]]] = {k.key: [] for k in dashboard.KPIS}
    for child in children:
        acc = {k.key: [0, 0] for k in dashboard.KPIS}
        episodes = MonitoringEpisode.objects.filter(village_code__startswith=child.prefix, identified_on__isnull=False)
        for ep in episodes:
            measures = list(AssistanceMeasure.objects.filter(plan__episode=ep))
            members = [p for p in ep.household.members.all() if p.status == "active"]
            labour = any(p.labour_capacity in ("skilled", "ordinary", "weak") for p in members)
            is_open = ep.status in ("monitored", "green_channel")
            in_period = period.start <= ep.identified_on <= period.end
            if in_period:
                acc["measure_timeliness"][1] += 1
                due = ep.identified_on + timedelta(days=ctx.measure_days)
                if ep.first_measure_on and ep.first_measure_on <= due:
                    acc["measure_timeliness"][0] += 1
            if is_open:
                acc["assistance_rate"][1] += 1
                acc["assistance_rate"][0] += bool(ep.first_measure_on)
                acc["long_unresolved_share"][1] += 1
                long_ago = today - timedelta(days=round(ctx.long_months * 30.44))
                acc["long_unresolved_share"][0] += labour and ep.identified_on <= long_ago
                if labour:
                    acc["developmental_measure_rate"][1] += 1
                    acc["developmental_measure_rate"][0] += any(
                        m.is_developmental and m.implemented_on for m in measures
                    )
            if ep.identified_on <= period.end:
                acc["measures_per_household"][1] += 1
                acc["measures_per_household"][0] += len(measures)
                acc["elimination_rate"][1] += 1
                acc["elimination_rate"][0] += bool(ep.eliminated_on and ep.eliminated_on <= period.end)
            if ep.eliminated_on and period.start <= ep.eliminated_on <= period.end:
                acc["reversal_rate"][1] += 1
                successor = MonitoringEpisode.objects.filter(previous_episode=ep).exists()
                acc["reversal_rate"][0] += bool(ep.reversal_history) or successor
        for case in IdentificationCase.objects.filter(village_code__startswith=child.prefix, status="monitored"):
            if case.entered_on and period.start <= case.entered_on <= period.end:
                acc["identification_timeliness"][1] += 1
                acc["identification_timeliness"][0] += case.entered_on <= case.deadline_on
        monitored = set(
            MonitoringEpisode.objects.filter(
                village_code__startswith=child.prefix, status__in=["monitored", "green_channel"]
            ).values_list("household_id", flat=True)
        )
        for p in Person.objects.filter(
            household__village_code__startswith=child.prefix, status="active"
        ).select_related("household"):
            if p.household.household_type == "escaped" or p.household_id in monitored:
                acc["insurance_rate"][1] += 1
                acc["insurance_rate"][0] += p.in_resident_medical or p.in_employee_medical
        seen = set(
            Visit.objects.filter(
                household__village_code__startswith=child.prefix,
                visited_on__gte=period.start,
                visited_on__lte=period.end,
            ).values_list("household_id", flat=True)
        ) | set(
            RiskClue.objects.filter(
                village_code__startswith=child.prefix,
                received_at__date__gte=period.start,
                received_at__date__lte=period.end,
            ).values_list("household_id", flat=True)
        )
        for h in Household.objects.filter(village_code__startswith=child.prefix, status="active"):
            acc["monitoring_coverage"][1] += 1
            acc["monitoring_coverage"][0] += h.pk in seen
        for key, pair in acc.items():
            table[key].append((pair[0], pair[1]))
    rows = []
    for k in dashboard.KPIS:
        num = sum(n for n, _ in table[k.key])
        den = sum(d for _, d in table[k.key])
        cells = [
            {"area": c, **dashboard.present(n, d, kind=k.kind, suppress_below=None)}
            for c, (n, d) in zip(children, table[k.key], strict=True)
        ]
        rows.append({"kpi": k, "total": dashboard.present(num, den, kind=k.kind, suppress_below=None), "cells": cells})
    chart = {"areas": [c.name for c in children], "codes": [c.code for c in children], "series": []}
    context = {
        "area": area,
        "period": period,
        "table": rows,
        "children": children,
        "chart": chart,
        "min_cell": 5,
        "list_url": reverse("reports:dashboard-list"),
    }
    return render(request, "reports/dashboard.html", context)


def naive_work_queue(request: Any) -> Any:
    """The work queue written the obvious way: load every waiting row, count and sort in Python."""
    from django.shortcuts import render
    from django.utils import timezone

    from fangpin.core.scoping import visible
    from fangpin.monitoring import selectors, workflow
    from fangpin.monitoring.models import EliminationCase, IdentificationCase, Objection, RiskClue

    user = request.user
    on = timezone.localdate()
    params = selectors.ParamCache(on)
    items = []
    counts = {}
    sources = [
        ("clue", "风险线索", RiskClue, "tracking_code"),
        ("identification", "识别认定", IdentificationCase, "case_no"),
        ("elimination", "风险消除", EliminationCase, "case_no"),
    ]
    for machine, label, model, code_field in sources:
        states = workflow.queue_states(user.role)[machine]
        mine = [obj for obj in visible(model, user) if obj.status in states]
        counts[machine] = len(mine)
        built = [selectors._item(machine, label, obj, code_field, on, params) for obj in mine]
        built.sort(key=lambda i: i.sort_key)
        items += built[: selectors.QUEUE_LIMIT]
    counts["objection"] = len([o for o in visible(Objection, user) if o.status == "pending"])
    items.sort(key=lambda i: i.sort_key)
    queue = {
        "items": items,
        "counts": counts,
        "total": sum(counts.values()),
        "overdue": sum(1 for i in items if i.clock and i.clock.state == "overdue"),
        "escalated": selectors._escalated(
            user=user,
            states=workflow.escalated_states(user.role),
            need=workflow.ESCALATION_NEED.get(user.role),
            on=on,
            params=params,
        ),
    }
    return render(request, "monitoring/work_queue.html", {"queue": queue})


def _urlpatterns() -> list[Any]:
    from django.urls import path

    from config.urls import urlpatterns as app_urls
    from fangpin.core.scoping import SCOPED, classify

    return [
        path("bench/naive-dashboard/", classify(SCOPED)(naive_dashboard)),
        path("bench/naive-queue/", classify(SCOPED)(naive_work_queue)),
        *app_urls,
    ]


class _Urls:
    """ROOT_URLCONF object for the benchmark: the app plus the two naive pages."""

    @property
    def urlpatterns(self) -> list[Any]:
        return _urlpatterns()


# ------------------------------------------------------------------ data


def _prepare_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def _insert_monitoring(
    households: list[tuple[int, str, int]], *, start_index: int, rng: random.Random, visitor: int
) -> int:
    """Bulk-insert episodes, cases, plans, measures, visits and open clues/cases for `households`."""
    from django.db import connection

    from fangpin.assistance.models import AssistanceMeasure, AssistancePlan, Visit
    from fangpin.assistance.rules import MEASURE_TYPES
    from fangpin.monitoring.models import IdentificationCase, MonitoringEpisode, RiskClue

    codes = list(MEASURE_TYPES)
    episodes, cases = [], []
    for hid, vcode, vid in households:
        identified = TODAY - timedelta(days=rng.randint(20, 700))
        roll = rng.random()
        status = "monitored" if roll < 0.6 else "eliminated" if roll < 0.9 else "stable"
        eliminated = identified + timedelta(days=rng.randint(190, 400)) if status != "monitored" else None
        if eliminated and eliminated > TODAY:
            eliminated, status = None, "monitored"
        first = identified + timedelta(days=rng.randint(3, 45)) if rng.random() < 0.9 else None
        episodes.append(
            MonitoringEpisode(
                household_id=hid,
                village_id=vid,
                village_code=vcode,
                category=rng.choice(["unstable_escaped", "marginal", "sudden_hardship"]),
                risk_types=rng.sample(RISKS, rng.randint(1, 2)),
                identified_on=identified,
                status=status,
                eliminated_on=eliminated,
                elimination_mode="assisted" if eliminated else "",
                first_measure_on=first if first and first <= TODAY else None,
                income_at_identification=rng.randint(3000, 9000),
            )
        )
    MonitoringEpisode.objects.bulk_create(episodes, batch_size=5000)
    for i, ep in enumerate(episodes, start=start_index):
        cases.append(
            IdentificationCase(
                case_no=f"B{i:09d}",
                household_id=ep.household_id,
                village_id=ep.village_id,
                village_code=ep.village_code,
                episode=ep,
                category=ep.category,
                risk_types=ep.risk_types,
                status="monitored",
                clock_started_on=ep.identified_on - timedelta(days=14),
                deadline_on=ep.identified_on,
                entered_on=ep.identified_on - timedelta(days=rng.choice([0, 0, 0, -3])),
            )
        )
    IdentificationCase.objects.bulk_create(cases, batch_size=5000)
    plans = [AssistancePlan(household_id=ep.household_id, episode=ep, goals="稳定增收") for ep in episodes]
    AssistancePlan.objects.bulk_create(plans, batch_size=5000)
    measures, visits = [], []
    for plan, ep in zip(plans, episodes, strict=True):
        for _ in range(rng.randint(1, 4)):
            t = MEASURE_TYPES[rng.choice(codes)]
            implemented = ep.first_measure_on
            measures.append(
                AssistanceMeasure(
                    plan=plan,
                    household_id=ep.household_id,
                    measure_code=t.code,
                    category=t.category,
                    is_developmental=t.is_developmental,
                    responsible_department=t.department,
                    start_date=ep.identified_on,
                    status="implemented" if implemented else "planned",
                    implemented_on=implemented,
                )
            )
        for _ in range(rng.randint(0, 2)):
            visits.append(
                Visit(
                    household_id=ep.household_id,
                    plan=plan,
                    visitor_id=visitor,
                    visitor_role="village_cadre",
                    visited_on=TODAY - timedelta(days=rng.randint(0, 300)),
                    findings="走访正常",
                )
            )
    AssistanceMeasure.objects.bulk_create(measures, batch_size=5000)
    Visit.objects.bulk_create(visits, batch_size=5000)
    # Work waiting on people: open clues and open identification cases (5% of the episodes each).
    open_clues, open_cases = [], []
    sample = rng.sample(episodes, max(1, len(episodes) // 20))
    for j, ep in enumerate(sample, start=start_index):
        day = TODAY - timedelta(days=rng.randint(0, 20))
        open_clues.append(
            RiskClue(
                tracking_code=f"BC{j:010d}",
                source="visit",
                village_id=ep.village_id,
                village_code=ep.village_code,
                household_id=ep.household_id,
                summary="走访发现风险",
                risk_types=["illness"],
                status=rng.choice(["received", "accepted", "verifying"]),
                accept_due=day + timedelta(days=2),
                verify_due=day + timedelta(days=7),
            )
        )
        open_cases.append(
            IdentificationCase(
                case_no=f"O{j:09d}",
                household_id=ep.household_id,
                village_id=ep.village_id,
                village_code=ep.village_code,
                category="marginal",
                risk_types=["illness"],
                status=rng.choice(["applied", "verifying", "appraised", "township_reviewed", "county_approved"]),
                clock_started_on=day,
                deadline_on=day + timedelta(days=15),
                step_started_on=day,
            )
        )
    RiskClue.objects.bulk_create(open_clues, batch_size=5000)
    IdentificationCase.objects.bulk_create(open_cases, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE monitoring_monitoringepisode; ANALYZE monitoring_identificationcase; ANALYZE monitoring_riskclue;"
            " ANALYZE assistance_assistancemeasure; ANALYZE assistance_assistanceplan; ANALYZE assistance_visit;"
        )
    return len(episodes)


# ------------------------------------------------------------------ run


def _time_get(client: Any, url: str, params: dict[str, str], reps: int, *, warm: bool = True) -> list[float]:
    if warm:
        client.get(url, params)
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        response = client.get(url, params)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return out


def _queries(client: Any, url: str, params: dict[str, str]) -> int:
    """Queries one request runs (an execute wrapper: no 9,000-query logging cap)."""
    from django.db import connection

    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        assert client.get(url, params).status_code == 200
    return count


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("BENCH_REPS", "20"))
    naive_reps = int(sys.argv[3]) if len(sys.argv) > 3 else int(os.environ.get("BENCH_NAIVE_REPS", max(3, reps // 5)))
    # BENCH_REUSE=1: time the pages again on the database a previous full run left behind
    # (same data); the query counts at 10% are then taken from that run's JSON.
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        _prepare_database()
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.search_settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from bench.search_bench import _load
    from fangpin.accounts.models import User
    from fangpin.areas.models import Area
    from fangpin.core.actor import Actor
    from fangpin.monitoring.models import MonitoringEpisode
    from fangpin.registry.models import Household, Person
    from fangpin.reports.models import KpiRefresh, KpiSummary
    from fangpin.reports.services import summary_refresh
    from fangpin.synth.county import write_county

    def refresh() -> float:
        """The refresh job's service for the county, as the button or the nightly sweep runs it."""
        started = time.perf_counter()
        summary_refresh(actor=Actor.command(), county=Area.objects.get(level="county"), today=timezone.localdate())
        return time.perf_counter() - started

    settings.ROOT_URLCONF = _Urls()
    pages = {
        "dashboard": ("/reports/dashboard/", "/bench/naive-dashboard/", {"period": "2026"}),
        "work_queue": ("/monitoring/queue/", "/bench/naive-queue/", {}),
    }
    client = Client()
    if reuse:
        call_command("migrate", verbosity=0)  # the app may have moved on since the full run
        client.force_login(User.objects.get(username="bench"))
        previous = json.loads((RESULTS / "monitoring_pg.json").read_text())["figures"]
        queries_small = {n: previous["pages"][n]["queries_ours_at_10pct"] for n in pages}
        refresh_small = None  # not re-measured
        naive_small: dict[str, int | None] = dict.fromkeys(pages)  # not re-measured
        load_seconds, insert_seconds = previous["load_seconds"], previous["monitoring_insert_seconds"]
        persons = Person.objects.count()
        households = Household.objects.count()
        monitored_count = MonitoringEpisode.objects.count()
    else:
        call_command("migrate", verbosity=0)
        work = DATA / f"search-{households}"
        if not (work / "registry.csv").exists():
            write_county(work, households=households, seed=21)
        call_command("load_areas", str(work / "areas.csv"), verbosity=0)
        started = time.perf_counter()
        persons = _load(work / "registry.csv")
        load_seconds = time.perf_counter() - started
        county = Area.objects.get(level="county")
        user = User.objects.create_user(username="bench", password="x-bench-2026", role="county_admin", area=county)  # noqa: S106
        client.force_login(user)
        rng = random.Random(2026)
        pool = list(Household.objects.values_list("pk", "village_code", "village_id").order_by("pk"))
        monitored = rng.sample(pool, len(pool) // 15)
        monitored_count = len(monitored)
        first = len(monitored) // 10
        started = time.perf_counter()
        _insert_monitoring(monitored[:first], start_index=0, rng=rng, visitor=user.pk)
        insert_seconds = time.perf_counter() - started
        refresh_small = refresh()
        queries_small = {name: _queries(client, ours, params) for name, (ours, _naive, params) in pages.items()}
        naive_small = {name: _queries(client, naive, params) for name, (_ours, naive, params) in pages.items()}
        started = time.perf_counter()
        _insert_monitoring(monitored[first:], start_index=first, rng=rng, visitor=user.pk)
        insert_seconds += time.perf_counter() - started
    # The dashboard without a summary (what every request cost before the summary table).
    KpiSummary.objects.all().delete()
    KpiRefresh.objects.all().delete()
    live = _time_get(client, pages["dashboard"][0], pages["dashboard"][2], max(3, reps // 4))
    refresh_full = refresh()
    queries_full = {name: _queries(client, ours, params) for name, (ours, _naive, params) in pages.items()}
    naive_full = {name: _queries(client, naive, params) for name, (_ours, naive, params) in pages.items()}

    figures: dict[str, Any] = {}
    ours_all: list[float] = []
    naive_all: list[float] = []
    for name, (ours, naive, params) in pages.items():
        o = _time_get(client, ours, params, reps)
        # The query count above already ran the naive page once on this data (its warm-up).
        n = _time_get(client, naive, params, naive_reps, warm=False)
        ours_all += o
        naive_all += n
        figures[name] = {
            "ours_p95_ms": round(p95(o) * 1000, 1),
            "naive_p95_ms": round(p95(n) * 1000, 1),
            "ratio": round(p95(o) / p95(n), 4),
            "ours_requests": len(o),
            "naive_requests": len(n),
            "queries_ours_at_10pct": queries_small[name],
            "queries_ours_at_100pct": queries_full[name],
            "queries_naive_at_10pct": naive_small[name],
            "queries_naive_at_100pct": naive_full[name],
            "query_count_constant": queries_small[name] == queries_full[name],
        }
        if name == "dashboard":
            figures[name]["live_without_summary_p95_ms"] = round(p95(live) * 1000, 1)
            figures[name]["live_without_summary_requests"] = len(live)
        if queries_small[name] != queries_full[name]:
            print(f"WARNING: {name} query count grows with the data: {queries_small[name]} -> {queries_full[name]}")
    write_result(
        "monitoring_pg",
        ratio=p95(ours_all) / p95(naive_all),
        ratio_means=(
            "p95 latency of the dashboard and work-queue pages together: fangpin (dashboard from the "
            "per-village KPI summary, work queue with bounded queries) ÷ naive ORM loops of the same pages, "
            "same data and template (lower is better); per-page ratios under figures.pages"
        ),
        figures={
            "households": households,
            "persons": persons,
            "monitored_episodes": monitored_count,
            "load_seconds": round(load_seconds, 1),
            "monitoring_insert_seconds": round(insert_seconds, 1),
            "refresh_seconds_at_10pct": round(refresh_small, 1) if refresh_small is not None else None,
            "refresh_seconds": round(refresh_full, 1),
            "summary_rows": KpiSummary.objects.count(),
            "summary_periods": len(KpiRefresh.objects.get().periods),
            "reused_database": reuse,
            "pages": figures,
            "database": "PostgreSQL",
            "user": "county administrator",
        },
        command=(
            f"{'BENCH_REUSE=1 ' if reuse else ''}BENCH_DB={DB} BENCH_NAIVE_REPS={naive_reps} "
            f"make bench BENCH_ARGS='monitoring --households {households}'"
        ),
    )


if __name__ == "__main__":
    main()
