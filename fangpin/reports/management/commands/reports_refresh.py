"""`fangpin reports-refresh [--county CODE]`: recompute the dashboard's KPI summary.

Each county is one job (listed under background jobs, audited), run in this
process.  `fangpin monitoring-sweep` and `fangpin demo-setup` run it too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangpin.areas.models import Area, AreaLevel
from fangpin.core.models import JobStatus
from fangpin.reports.services import refresh_run_now


def refresh_all(*, write: Any, county_code: str | None = None) -> bool:
    """Refresh every county (or one); report each; True when all succeeded."""
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


class Command(BaseCommand):
    help = "更新统计看板的村级汇总（每县一个后台任务，在本进程中运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", help="只更新这个县（区划代码）")

    def handle(self, *args: Any, county: str | None = None, **options: Any) -> None:
        if county and not Area.objects.filter(level=AreaLevel.COUNTY, code=county).exists():
            raise CommandError(f"找不到县级区划：{county}")
        if not refresh_all(write=self.stdout.write, county_code=county):
            raise CommandError("部分县的统计汇总更新失败，见上方信息")
