"""Refreshing the dashboard's KPI summary: one county per transaction, audited, run as a job.

The figures come from `dashboard.compute_grouped`, the same aggregate the live
page runs, grouped by village for the whole county with the county's policy
parameters.  The county's old rows are replaced in the same transaction, so a
reader sees either the old summary or the new one, never a mix.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangpin.areas.models import PREFIX_LENGTH, Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.bulk import bulk_insert
from fangpin.core.errors import Forbidden, InvalidInput
from fangpin.core.jobs import job_enqueue, job_run, register
from fangpin.core.models import AuditAction, Channel, Job, JobStatus
from fangpin.reports import dashboard
from fangpin.reports.models import KpiRefresh, KpiSummary

JOB_KIND = "reports.refresh"


def summary_refresh(
    *, actor: Actor, county: Area, today: date, job: Job | None = None, progress: Any = None
) -> dict[str, Any]:
    """Recompute every KPI of every village of `county` for the summarised periods."""
    if county.level != AreaLevel.COUNTY:
        raise InvalidInput(
            _("统计汇总按县更新：%(name)s（%(code)s）不是县级区划。") % {"name": county.name, "code": county.code}
        )
    periods = dashboard.summary_periods(today)
    villages = dict(
        Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith=county.prefix).values_list("code", "pk")
    )
    length = PREFIX_LENGTH[AreaLevel.VILLAGE]
    rows: list[dict[str, Any]] = []
    with transaction.atomic():
        # Two refreshes of one county run one after the other (the second replaces the first's rows).
        Area.objects.select_for_update(no_key=True).filter(pk=county.pk).first()
        dashboard.no_jit()
        # Stock KPIs are the same in every period: computed with the first one, copied to the others.
        stock: dict[str, dict[str, tuple[int, int]]] = {}
        flows = [k for k in dashboard.KPIS if not k.stock]
        for i, period in enumerate(periods):
            if progress is not None:
                progress.update(i, len(periods), _("统计期 %(key)s") % {"key": period.key})
            ctx = dashboard.make_ctx(area=county, period=period, today=today)
            kpis = flows if stock else dashboard.KPIS
            values = dashboard.compute_grouped(user=dashboard.WHOLE_AREA, ctx=ctx, length=length, kpis=kpis)
            if not stock:
                stock = {k.key: values[k.key] for k in dashboard.KPIS if k.stock}
            values.update(stock)
            for key, cells in values.items():
                for code, (num, den) in cells.items():
                    if code == "total" or code not in villages or (num == 0 and den == 0):
                        continue
                    rows.append(
                        {
                            "village_id": villages[code],
                            "village_code": code,
                            "period": period.key,
                            "kpi": key,
                            "num": num,
                            "den": den,
                        }
                    )
        old = KpiSummary.objects.filter(village_code__startswith=county.prefix).delete()[0]
        bulk_insert(KpiSummary, rows)
        refresh, _created = KpiRefresh.objects.update_or_create(
            county=county,
            defaults={
                "computed_at": timezone.now(),
                "as_of": today,
                "periods": [p.key for p in periods],
                "job": job,
            },
        )
        audit_log(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="reports.kpi_summary",
            object_id=county.code,
            object_label=f"{county.name}统计汇总",
            area_code=county.code,
            changes={"rows": [old, len(rows)], "periods": [None, len(periods)], "as_of": [None, today.isoformat()]},
        )
    if progress is not None:
        progress.update(len(periods), len(periods), _("完成"), force=True)
    return {
        "county": county.code,
        "rows": len(rows),
        "periods": len(periods),
        "computed_at": refresh.computed_at.isoformat(),
    }


def _may_refresh(user: Any, county: Area) -> bool:
    return bool(user.can("reports.refresh") and user.scope_area is not None and user.scope_area.contains(county))


def refresh_enqueue(*, user: Any, county: Area | None) -> Job:
    """Start a background refresh of one county (a second click while it runs joins that job);
    None (a user without an area in scope) is refused like a county outside it."""
    if county is None or not _may_refresh(user, county):
        raise Forbidden()
    return job_enqueue(
        kind=JOB_KIND, params={"county": county.code}, user=user, identity_key=f"{JOB_KIND}:{county.code}"
    )


def refresh_run_now(*, county: Area, progress_cb: Any = None) -> Job:
    """The console command's refresh: a job record like the button's, run in this process."""
    job = Job.objects.create(kind=JOB_KIND, params={"county": county.code, "by": "command"})
    return job_run(job.pk, progress_cb=progress_cb)


@register(JOB_KIND)
def run_refresh(job: Job, progress: Any) -> dict[str, Any]:
    county = Area.objects.filter(code=job.params.get("county"), level=AreaLevel.COUNTY).first()
    if county is None:
        raise InvalidInput(_("统计汇总更新：找不到县级区划 %(code)s。") % {"code": job.params.get("county")})
    user = job.requested_by
    if user is None and job.params.get("by") == "command":
        actor = Actor.command()
    elif user is not None and _may_refresh(user, county):
        actor = Actor(user=user, channel=Channel.WEB)
    else:
        raise Forbidden()
    return summary_refresh(actor=actor, county=county, today=timezone.localdate(), job=job, progress=progress)


def refresh_counties(*, write: Any, county_code: str | None = None) -> bool:
    """Refresh every county (or one) in this process, reporting each through `write`; True when
    all succeeded. Shared by `reports-refresh`, `demo-setup` and the end of `monitoring-sweep`."""
    counties = Area.objects.filter(level=AreaLevel.COUNTY).order_by("code")
    if county_code:
        counties = counties.filter(code=county_code)
    ok = True
    for county in counties:
        job = refresh_run_now(county=county)
        if job.status == JobStatus.DONE:
            write(
                f"统计汇总：{county.name} 已更新 {job.result.get('periods', 0)} 个统计期、"
                f"{job.result.get('rows', 0)} 行（任务 #{job.pk}）"
            )
        else:
            ok = False
            write(f"统计汇总：{county.name} 更新失败（任务 #{job.pk}）：{job.message}")
    return ok


def refresh_after_sweep(*, write: Any, **_signal: Any) -> None:
    """Receiver of monitoring's `sweep_done`: the day's figures include what the sweep changed."""
    refresh_counties(write=write)
