"""After every migrate, each known parameter has at least its national default row."""

from __future__ import annotations

from datetime import date
from typing import Any

import chinese_calendar

from fangpin.policy.catalog import CATALOG
from fangpin.policy.models import HolidayDay, HolidayKind, HolidayYear, PolicyParameter


def seed_national_defaults(sender: Any, using: str = "default", **kwargs: Any) -> None:
    for spec in CATALOG.values():
        if not PolicyParameter.objects.using(using).filter(key=spec.key, area__isnull=True).exists():
            PolicyParameter.objects.using(using).create(
                key=spec.key,
                area=None,
                value=spec.default,
                unit=spec.unit,
                effective_from=date(2021, 1, 1),
                source_document=spec.source,
                note="全国默认值（可由省、市、县按年度另行设定）",
            )


PACKAGE_SOURCE = "chinesecalendar 软件包数据（国务院办公厅通知）"


def seed_package_calendar(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The national schedules the `chinesecalendar` package knows (2004–2026), once per year:
    from then on the tables are the clock's only source (issue 12). A year entered by hand
    is never overwritten."""
    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    by_year: dict[int, list[tuple[date, str, str]]] = {}
    package = {HolidayKind.HOLIDAY: chinese_calendar.holidays, HolidayKind.WORKDAY: chinese_calendar.workdays}
    for kind, days in package.items():
        for day, name in days.items():
            by_year.setdefault(day.year, []).append((day, kind, names.get(name, name)))
    have = set(HolidayYear.objects.using(using).filter(area__isnull=True).values_list("year", flat=True))
    for year in sorted(set(by_year) - have):
        row = HolidayYear.objects.using(using).create(year=year, area=None, source_document=PACKAGE_SOURCE)
        HolidayDay.objects.using(using).bulk_create(
            HolidayDay(calendar_year=row, day=day, kind=kind, name=name) for day, kind, name in sorted(by_year[year])
        )
