"""Writing policy parameters (a new dated row closes the one it replaces) and the official
holiday calendar (every change audited, the deadlines it moves recomputed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Conflict, Forbidden, InvalidInput
from fangpin.core.models import AuditAction
from fangpin.core.roles import Role
from fangpin.policy.catalog import CATALOG, validate_value
from fangpin.policy.events import calendar_changed
from fangpin.policy.models import HolidayDay, HolidayKind, HolidayYear, PolicyParameter
from fangpin.policy.selectors import calendar_invalidate, holiday_year_in_force


def policy_set(
    *,
    actor: Actor,
    key: str,
    value: Any,
    area: Area | None,
    effective_from: date,
    source_document: str = "",
    note: str = "",
) -> PolicyParameter:
    """Add a version of a parameter for an area from a date. [DOMAIN §2.24]"""
    spec = CATALOG.get(key)
    if spec is None:
        raise InvalidInput(f"未知的政策参数：{key}")
    _check_may_set(actor, area)
    try:
        clean = validate_value(spec, value)
    except ValueError as exc:
        raise InvalidInput(f"{spec.label}：{exc}") from exc
    with transaction.atomic():
        same_scope = PolicyParameter.objects.select_for_update().filter(key=key, area=area)
        if same_scope.filter(effective_from=effective_from).exists():
            raise InvalidInput(f"{spec.label}在该区划已有{effective_from:%Y-%m-%d}生效的版本，请选择其他生效日期。")
        # The open version that starts before the new one ends the day before it.
        for row in same_scope.filter(effective_from__lt=effective_from, effective_to__isnull=True):
            row.effective_to = effective_from - timedelta(days=1)
            row.save(update_fields=["effective_to"])
        later = same_scope.filter(effective_from__gt=effective_from).order_by("effective_from").first()
        row = PolicyParameter.objects.create(
            key=key,
            area=area,
            value=clean,
            unit=spec.unit,
            effective_from=effective_from,
            effective_to=(later.effective_from - timedelta(days=1)) if later else None,
            source_document=source_document,
            note=note,
            created_by=actor.user if actor.user is not None else None,
        )
        audit_log(
            actor=actor,
            action=AuditAction.CONFIG,
            object_type="policy",
            object_id=row.pk,
            object_label=str(spec.label),
            area_code=area.code if area else "",
            changes={"value": [None, clean], "effective_from": [None, effective_from.isoformat()]},
        )
    return row


def _check_may_set(actor: Actor, area: Area | None) -> None:
    user = actor.user
    if user is None:  # command line / system: trusted operator
        return
    if not user.can("policy.edit") or user.role != Role.COUNTY_ADMIN:
        raise Forbidden()
    if area is None or area.level != AreaLevel.COUNTY or not user.scope_area.contains(area):
        raise Forbidden("县级管理员只能设定本县的政策参数。")


# ---------------------------------------------------------------- the official calendar

KIND_WORDS = {
    "法定节假日": HolidayKind.HOLIDAY,
    "节假日": HolidayKind.HOLIDAY,
    "休": HolidayKind.HOLIDAY,
    "调休上班日": HolidayKind.WORKDAY,
    "上班日": HolidayKind.WORKDAY,
    "班": HolidayKind.WORKDAY,
}
CALENDAR_COLUMNS = ("日期", "类型", "名称")


@dataclass(frozen=True)
class CalendarDay:
    day: date
    kind: str
    name: str = ""


def calendar_may_edit(user: Any, area: Area | None) -> bool:
    """County administrators keep their county's calendar, province (city) administrators
    theirs; the national schedule is entered from the command line. [issue 12]"""
    if user is None:
        return True
    if area is None or not user.can("calendar.edit") or user.scope_area is None:
        return False
    if user.role == Role.COUNTY_ADMIN:
        return area.level == AreaLevel.COUNTY and user.scope_area == area
    return (
        user.role == Role.PROVINCE_ADMIN
        and area.level in (AreaLevel.PROVINCE, AreaLevel.CITY)
        and user.scope_area == area
    )


def _check_may_edit_calendar(actor: Actor, area: Area | None) -> None:
    if not calendar_may_edit(actor.user, area):
        raise Forbidden("您只能维护本级区划的放假安排。")


def _own_year(*, actor: Actor, area: Area | None, year: int, source_document: str) -> HolidayYear:
    """The area's own row for `year`, locked; created as a copy of the schedule it inherits
    (a county correcting one day keeps the national days), or empty."""
    row = HolidayYear.objects.select_for_update().filter(area=area, year=year).first()
    if row is not None:
        return row
    inherited = holiday_year_in_force(area=area, year=year)
    source = source_document.strip() or (inherited.source_document if inherited else "")
    if not source:
        raise InvalidInput(f"依据文件：首次录入{year}年放假安排须填写依据文件（如国务院办公厅通知及文号）。")
    row = _new_year(year=year, area=area, source_document=source, entered_by=actor.user)
    if inherited is not None:
        HolidayDay.objects.bulk_create(
            HolidayDay(calendar_year=row, day=d.day, kind=d.kind, name=d.name) for d in inherited.days.all()
        )
    return row


def _new_year(*, year: int, area: Area | None, source_document: str, entered_by: Any) -> HolidayYear:
    """Insert the area's year; two administrators entering it at once → one wins, one is told."""
    try:
        with transaction.atomic():
            return HolidayYear.objects.create(
                year=year, area=area, source_document=source_document[:300], entered_by=entered_by
            )
    except IntegrityError as exc:
        raise Conflict(f"{year}年放假安排刚由他人录入，请刷新页面后查看。") from exc


def _changed(*, row: HolidayYear, actor: Actor, action: str, changes: dict[str, Any]) -> None:
    """Audit, move the clock's cache stamp and recompute the deadlines the change moves."""
    row.changed_at = timezone.now()
    row.save(update_fields=["changed_at"])
    calendar_invalidate()
    transaction.on_commit(calendar_invalidate)
    area = row.area
    answers = calendar_changed.send(sender=HolidayYear, area=area, years={row.year}, actor=actor)
    moved = sum(int(count or 0) for _, count in answers)
    audit_log(
        actor=actor,
        action=action,
        object_type="policy.holiday_year",
        object_id=row.pk,
        object_label=f"{row.year}年放假安排（{area.name if area else '全国'}）",
        area_code=area.code if area else "",
        changes={**changes, "deadlines_recomputed": [None, moved]},
    )


def holiday_day_set(
    *, actor: Actor, area: Area | None, day: date, kind: str, name: str = "", source_document: str = ""
) -> HolidayDay:
    """Add or correct one day of the area's schedule. [issue 12]"""
    _check_may_edit_calendar(actor, area)
    if kind not in HolidayKind.values:
        raise InvalidInput("类型：须为“法定节假日”或“调休上班日”")
    name = (name or "").strip()
    if len(name) > 60:
        raise InvalidInput("名称：不能超过60字")
    with transaction.atomic():
        row = _own_year(actor=actor, area=area, year=day.year, source_document=source_document)
        existing = HolidayDay.objects.filter(calendar_year=row, day=day).first()
        before = [existing.kind, existing.name] if existing else None
        obj, _ = HolidayDay.objects.update_or_create(calendar_year=row, day=day, defaults={"kind": kind, "name": name})
        _changed(
            row=row,
            actor=actor,
            action=AuditAction.UPDATE if existing else AuditAction.CREATE,
            changes={day.isoformat(): [before, [kind, name]]},
        )
    return obj


def holiday_day_delete(*, actor: Actor, area: Area | None, day: date) -> None:
    """Remove one day from the area's schedule (it becomes an ordinary day). [issue 12]"""
    _check_may_edit_calendar(actor, area)
    with transaction.atomic():
        row = _own_year(actor=actor, area=area, year=day.year, source_document="")
        existing = HolidayDay.objects.filter(calendar_year=row, day=day).first()
        if existing is None:
            raise InvalidInput(f"{day:%Y-%m-%d}不在{day.year}年放假安排中。")
        existing.delete()
        _changed(
            row=row,
            actor=actor,
            action=AuditAction.DELETE,
            changes={day.isoformat(): [[existing.kind, existing.name], None]},
        )


def holiday_year_load(
    *, actor: Actor, area: Area | None, year: int, days: list[CalendarDay], source_document: str
) -> HolidayYear:
    """Replace the area's whole schedule of `year` (a loaded file): nothing is written unless
    every day is of that year. [issue 12]"""
    _check_may_edit_calendar(actor, area)
    source_document = (source_document or "").strip()
    if not source_document:
        raise InvalidInput("依据文件：请填写放假安排的依据文件（如国务院办公厅通知及文号）。")
    wrong = [d.day for d in days if d.day.year != year]
    if wrong:
        raise InvalidInput(f"日期：{wrong[0]:%Y-%m-%d}不是{year}年的日期。")
    with transaction.atomic():
        row = HolidayYear.objects.select_for_update().filter(area=area, year=year).first()
        before = row.days.count() if row else None
        if row is None:
            row = _new_year(year=year, area=area, source_document=source_document, entered_by=actor.user)
        row.days.all().delete()
        HolidayDay.objects.bulk_create(HolidayDay(calendar_year=row, day=d.day, kind=d.kind, name=d.name) for d in days)
        row.source_document, row.entered_by, row.entered_at = source_document[:300], actor.user, timezone.now()
        row.save(update_fields=["source_document", "entered_by", "entered_at"])
        _changed(
            row=row,
            actor=actor,
            action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
            changes={"days": [before, len(days)], "source_document": [None, source_document]},
        )
    return row


def _cell_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    raise ValueError(text)


def calendar_rows_parse(header: list[Any], rows: Any) -> tuple[list[CalendarDay], list[str]]:
    """The days of a `日期,类型,名称` table, and one Chinese message per bad row."""
    names = [str(h or "").strip() for h in header]
    missing = [c for c in CALENDAR_COLUMNS[:2] if c not in names]
    if missing:
        return [], [f"表头：缺少列“{'”“'.join(missing)}”（须为 日期,类型,名称）"]
    at = {c: names.index(c) for c in CALENDAR_COLUMNS if c in names}
    days: list[CalendarDay] = []
    errors: list[str] = []
    seen: dict[date, int] = {}
    for number, values, _numeric in rows:
        cells = [*values, "", "", ""]
        if not any(str(c or "").strip() for c in values):
            continue
        if any("\x00" in str(c or "") for c in values):
            errors.append(f"第{number}行：含有空字符（NUL），请在Excel或WPS中重新保存文件")
            continue
        try:
            day = _cell_date(cells[at["日期"]])
        except ValueError:
            errors.append(f"第{number}行 日期：“{cells[at['日期']]}”不是有效日期（如2027-02-05）")
            continue
        kind = KIND_WORDS.get(str(cells[at["类型"]] or "").strip())
        if kind is None:
            errors.append(f"第{number}行 类型：“{cells[at['类型']]}”无效，须为 法定节假日/调休上班日（或 休/班）")
            continue
        if day in seen:
            errors.append(f"第{number}行 日期：{day:%Y-%m-%d}与第{seen[day]}行重复")
            continue
        seen[day] = number
        name = str(cells[at["名称"]] or "").strip() if "名称" in at else ""
        days.append(CalendarDay(day, kind, name[:60]))
    return days, errors
