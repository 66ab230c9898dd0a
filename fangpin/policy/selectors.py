"""Reading policy parameters: the most specific area wins, on the given date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext_lazy as _

from fangpin.areas.models import Area
from fangpin.core.errors import DomainError
from fangpin.policy.catalog import CATALOG
from fangpin.policy.models import HolidayDay, HolidayKind, HolidayYear, PolicyParameter
from fangpin.policy.rules import WorkCalendar


class MissingParameter(DomainError):
    default_message = _("缺少政策参数")


@dataclass(frozen=True)
class ResolvedParam:
    key: str
    value: Any
    unit: str
    effective_from: date
    area_code: str  # "" for the national default
    row_id: int


def _chain(area: Area | None) -> list[int | None]:
    """Area ids from the area itself up to the root, then None (national)."""
    ids: list[int | None] = []
    node = area
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return [*ids, None]


def _rows_in_force(key: str, on: date, area_ids: list[int]) -> list[PolicyParameter]:
    """The rows of `key` in force on `on` for these areas or nationally, latest effective date first."""
    return list(
        PolicyParameter.objects.filter(key=key, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .filter(Q(area_id__in=area_ids) | Q(area__isnull=True))
        .select_related("area")
        .order_by("-effective_from")
    )


def _resolved(key: str, row: PolicyParameter) -> ResolvedParam:
    return ResolvedParam(key, row.value, row.unit, row.effective_from, row.area.code if row.area else "", row.pk)


def _missing(key: str, on: date) -> MissingParameter:
    label = CATALOG[key].label if key in CATALOG else key
    return MissingParameter(f"缺少政策参数“{label}”（{on:%Y-%m-%d}），请县级管理员在“政策参数”中设定。")


def policy_get(key: str, *, area: Area | None, on: date) -> ResolvedParam:
    """The value of `key` in force on `on` for `area`. [DOMAIN §2.24, §6.3 item 1]"""
    chain = _chain(area)
    rows = _rows_in_force(key, on, [i for i in chain if i is not None])
    for area_id in chain:
        for row in rows:
            if row.area_id == area_id:
                return _resolved(key, row)
    raise _missing(key, on)


def policy_get_many(key: str, *, areas: list[Area], on: date) -> dict[int, ResolvedParam]:
    """`policy_get` for many areas at once (area id → value): the ancestors are read one level
    per query and the parameter rows in one query, then each area resolves exactly as
    `policy_get` does (the most specific area wins, the latest effective date first)."""
    parent_of = {a.pk: a.parent_id for a in areas}
    wanted = {pid for pid in parent_of.values() if pid is not None and pid not in parent_of}
    while wanted:
        found = dict(Area.objects.filter(pk__in=wanted).values_list("pk", "parent_id"))
        parent_of.update(found)
        wanted = {pid for pid in found.values() if pid is not None and pid not in parent_of}
    rows = _rows_in_force(key, on, list(parent_of))
    latest: dict[int | None, PolicyParameter] = {}
    for r in rows:
        latest.setdefault(r.area_id, r)
    out: dict[int, ResolvedParam] = {}
    for area in areas:
        chain: list[int | None] = []
        node: int | None = area.pk
        while node is not None:
            chain.append(node)
            node = parent_of.get(node)
        row = next((latest[a] for a in [*chain, None] if a in latest), None)
        if row is None:
            raise _missing(key, on)
        out[area.pk] = _resolved(key, row)
    return out


def monitoring_income_line(*, area: Area | None, on: date) -> Decimal:
    """Yearly per-capita monitoring line: fixed, or a multiple of 低保 × 12. [R-MON-2]"""
    line = policy_get("monitoring_income_threshold", area=area, on=on).value
    if line["mode"] == "fixed_amount":
        return Decimal(line["amount"])
    dibao = Decimal(str(policy_get("dibao_standard_monthly", area=area, on=on).value))
    return (Decimal(line["multiple"]) * dibao * 12).quantize(Decimal("0.01"))


def policy_history(*, key: str | None = None) -> Any:
    qs = PolicyParameter.objects.select_related("area", "created_by")
    return qs.filter(key=key) if key else qs


# ---------------------------------------------------------------- the official calendar


@dataclass(frozen=True)
class _YearRow:
    pk: int
    year: int
    prefix: str  # "" for the national schedule


# Process-wide cache of the calendar tables, keyed by a stamp that every change of a year or its
# days moves (count, latest change, id sum): another process's change is seen at the next read.
_calendar_cache: dict[str, Any] = {"stamp": None, "rows": [], "calendars": {}}


def calendar_invalidate() -> None:
    """Forget the cached calendars (called by every calendar write)."""
    _calendar_cache.update(stamp=None, rows=[], calendars={})


def _calendar_rows() -> list[_YearRow]:
    agg = HolidayYear.objects.aggregate(n=Count("id"), at=Max("changed_at"), ids=Sum("id"))
    stamp = (agg["n"], agg["at"], agg["ids"])
    if _calendar_cache["stamp"] != stamp:
        rows = HolidayYear.objects.select_related("area").only("pk", "year", "area__code", "area__level")
        calendar_invalidate()
        _calendar_cache["rows"] = [_YearRow(r.pk, r.year, r.area.prefix if r.area else "") for r in rows]
        _calendar_cache["stamp"] = stamp
    rows_now: list[_YearRow] = _calendar_cache["rows"]
    return rows_now


def _years_in_force(area: Area | None, rows: list[_YearRow]) -> dict[int, _YearRow]:
    """Per year, the row of the most specific area above `area` (the national one last)."""
    code = area.code if area is not None else ""
    best: dict[int, _YearRow] = {}
    for row in rows:
        if code.startswith(row.prefix) and (row.year not in best or len(row.prefix) > len(best[row.year].prefix)):
            best[row.year] = row
    return best


def work_calendar(*, area: Area | None) -> WorkCalendar:
    """The official calendar the statutory clock reads for `area`: per year, the schedule of the
    most specific area that entered it (county, city, province, then national). [issue 12]"""
    chosen = _years_in_force(area, _calendar_rows())
    key = tuple(sorted(r.pk for r in chosen.values()))
    calendars: dict[tuple[int, ...], WorkCalendar] = _calendar_cache["calendars"]
    if key not in calendars:
        days = HolidayDay.objects.filter(calendar_year_id__in=key).values_list("day", "kind")
        calendars[key] = WorkCalendar(
            holidays=frozenset(d for d, kind in days if kind == HolidayKind.HOLIDAY),
            workdays=frozenset(d for d, kind in days if kind == HolidayKind.WORKDAY),
            covered_years=frozenset(chosen),
        )
    return calendars[key]


def holiday_year_in_force(*, area: Area | None, year: int) -> HolidayYear | None:
    """The schedule of `year` that applies to `area` (its own, an area's above, or national)."""
    row = _years_in_force(area, _calendar_rows()).get(year)
    return HolidayYear.objects.select_related("area", "entered_by").get(pk=row.pk) if row else None


def calendar_warning(*, area: Area | None, on: date) -> str:
    """ "2027年放假安排尚未录入" from `calendar_warning_days` before the last entered day
    (or once it has passed); "" otherwise. [issue 12, CONFIG calendar_warning_days]"""
    until = work_calendar(area=area).covered_until
    lead = int(policy_get("calendar_warning_days", area=area, on=on).value)
    if until is not None and (until - on).days > lead:
        return ""
    year = until.year + 1 if until is not None else on.year
    return f"{year}年放假安排尚未录入"
