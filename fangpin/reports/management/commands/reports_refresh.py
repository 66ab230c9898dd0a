"""`fangpin reports-refresh [--county CODE]`: recompute the dashboard's KPI summary.

Each county is one job (listed under background jobs, audited), run in this
process.  `fangpin monitoring-sweep` and `fangpin demo-setup` run it too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangpin.areas.models import Area, AreaLevel
from fangpin.reports.services import refresh_counties


class Command(BaseCommand):
    help = "更新统计看板的村级汇总（每县一个后台任务，在本进程中运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--county", help="只更新这个县（区划代码）")

    def handle(self, *args: Any, county: str | None = None, **options: Any) -> None:
        if county and not Area.objects.filter(level=AreaLevel.COUNTY, code=county).exists():
            raise CommandError(f"找不到县级区划：{county}")
        if not refresh_counties(write=self.stdout.write, county_code=county):
            raise CommandError("部分县的统计汇总更新失败，见上方信息")
