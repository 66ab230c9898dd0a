"""Reading the dashboard's KPI summary for one area and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from fangpin.areas.models import LEVEL_ORDER, PREFIX_LENGTH, Area, AreaLevel
from fangpin.core.scoping import visible
from fangpin.registry.choices import HouseholdStatus, HouseholdType, PersonStatus
from fangpin.registry.models import Household, ImportBatch, Person
from fangpin.reports import dashboard
from fangpin.reports.models import KpiSummary

FRESH, MISSING, NOT_SUMMARISED = "summary", "missing", "period"


@dataclass(frozen=True)
class SummaryRead:
    state: str  # FRESH: values come from the summary; otherwise why not
    values: dict[str, dict[str, tuple[int, int]]] | None = None
    computed_at: datetime | None = None
    as_of: date | None = None


def _counties(area: Area) -> Any:
    """The counties whose summaries make up the area: those inside it, or the one it lies in."""
    county_len = PREFIX_LENGTH[AreaLevel.COUNTY]
    inside = LEVEL_ORDER.index(AreaLevel(area.level)) <= LEVEL_ORDER.index(AreaLevel.COUNTY)
    prefix = area.prefix if inside else area.code[:county_len]
    return Area.objects.filter(level=AreaLevel.COUNTY, code__startswith=prefix)


def summary_read(*, area: Area, period_key: str) -> SummaryRead:
    """{kpi: {child prefix | "total": (num, den)}} summed from the village rows, in two queries.

    Usable only when every county of the area has a summary that holds the period."""
    rows = list(
        _counties(area).values("code", "kpi_refresh__computed_at", "kpi_refresh__as_of", "kpi_refresh__periods")
    )
    if not rows or any(r["kpi_refresh__computed_at"] is None for r in rows):
        return SummaryRead(MISSING)
    if any(period_key not in (r["kpi_refresh__periods"] or []) for r in rows):
        return SummaryRead(NOT_SUMMARISED)
    length = PREFIX_LENGTH[dashboard.CHILD_LEVEL[AreaLevel(area.level)]]
    values: dict[str, dict[str, tuple[int, int]]] = {k.key: {} for k in dashboard.KPIS}
    grouped = (
        KpiSummary.objects.filter(period=period_key, village_code__startswith=area.prefix)
        .annotate(child=Substr("village_code", 1, length))
        .values("child", "kpi")
        .annotate(num=Sum("num"), den=Sum("den"))
        .order_by()
    )
    for row in grouped:
        if row["kpi"] in values:
            values[row["kpi"]][row["child"]] = (int(row["num"]), int(row["den"]))
    for cells in values.values():
        cells["total"] = (sum(n for n, _ in cells.values()), sum(d for _, d in cells.values()))
    return SummaryRead(
        FRESH,
        values=values,
        computed_at=min(r["kpi_refresh__computed_at"] for r in rows),
        as_of=min(r["kpi_refresh__as_of"] for r in rows),
    )


def home_summary(*, user: Any) -> dict[str, Any]:
    """What a user's home page shows: registry counts inside their area only."""
    households = visible(Household.objects.filter(status=HouseholdStatus.ACTIVE), user)
    counts = households.aggregate(
        total=Count("id"),
        escaped=Count("id", filter=Q(household_type=HouseholdType.ESCAPED)),
    )
    persons = visible(Person.objects.filter(status=PersonStatus.ACTIVE), user).count()
    return {
        "households": counts["total"],
        "escaped": counts["escaped"],
        "persons": persons,
        "imports": list(visible(ImportBatch.objects.all(), user)[:5]),
    }
