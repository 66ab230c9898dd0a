"""`fangpin calendar-load FILE --year 2027 --source "…" [--area CODE]`: load a year's official
holiday schedule (CSV or XLSX, columns 日期,类型,名称) nationally or for one area. [issue 12]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.core.errors import DomainError
from fangpin.core.spreadsheet import read_table
from fangpin.policy.services import calendar_rows_parse, holiday_year_load


class Command(BaseCommand):
    help = "载入某年放假安排（CSV/XLSX，列：日期,类型,名称）；不指定 --area 时为全国安排"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--source", required=True, help="依据文件，如国务院办公厅通知及文号")
        parser.add_argument("--area", default="", help="省、市或县的区划代码（默认全国）")

    def handle(self, *args: Any, **options: Any) -> None:
        area = Area.objects.filter(code=options["area"]).first() if options["area"] else None
        if options["area"] and area is None:
            raise CommandError(f"区划代码不存在：{options['area']}")
        try:
            table = read_table(options["file"])
            days, errors = calendar_rows_parse(table.header, table.rows)
            if errors:
                raise CommandError("\n".join(["文件有误，未写入：", *errors]))
            row = holiday_year_load(
                actor=Actor.command(), area=area, year=options["year"], days=days, source_document=options["source"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已载入{row.year}年放假安排（{area.name if area else '全国'}），共{len(days)}天。")
