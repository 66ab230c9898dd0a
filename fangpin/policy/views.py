"""Policy parameters: everyone reads the values in force for their area; the
county administrator adds new dated versions for the county. The official holiday
calendar: a year as twelve month grids, edited by the county (or province) administrator."""

from __future__ import annotations

import calendar as pycalendar
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.errors import DomainError, InvalidInput
from fangpin.core.spreadsheet import read_table
from fangpin.core.views_util import scoped_view
from fangpin.policy.catalog import CATALOG, UNITS
from fangpin.policy.forms import CalendarDayForm, CalendarDeleteForm, CalendarLoadForm, ParameterForm
from fangpin.policy.models import HolidayDay, PolicyParameter
from fangpin.policy.rules import WorkCalendar
from fangpin.policy.selectors import (
    MissingParameter,
    calendar_warning,
    holiday_year_in_force,
    monitoring_income_line,
    policy_get,
    work_calendar,
)
from fangpin.policy.services import (
    CalendarDay,
    calendar_may_edit,
    calendar_rows_parse,
    holiday_day_delete,
    holiday_day_set,
    holiday_year_load,
    policy_set,
)


def _rows(area: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    chain = [a.pk for a in [*area.ancestors(), area]] if area else []
    rows = []
    for key, spec in CATALOG.items():
        try:
            current = policy_get(key, area=area, on=today)
        except MissingParameter:
            current = None
        history = PolicyParameter.objects.filter(key=key).select_related("area").filter(
            area_id__in=chain
        ) | PolicyParameter.objects.filter(key=key, area__isnull=True)
        rows.append(
            {
                "spec": spec,
                "unit": UNITS.get(spec.unit, ""),
                "current": current,
                "history": history.order_by("-effective_from", "-id")[:20],
            }
        )
    return rows


@scoped_view("policy.view")
def parameter_list(request: AuthedRequest) -> HttpResponse:
    area = request.user.scope_area
    county = next((a for a in [*area.ancestors(), area] if a.level == "county"), None) if area else None
    form = ParameterForm(request.POST or None)
    can_edit = request.user.can("policy.edit")
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            policy_set(
                actor=Actor.from_request(request),
                key=form.cleaned_data["key"],
                value=form.service_value(),
                area=county,
                effective_from=form.cleaned_data["effective_from"],
                source_document=form.cleaned_data["source_document"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, "已新增参数版本。")
            return redirect("policy:list")
        except DomainError as exc:
            form.add_error(None, exc.message)
    try:
        line = monitoring_income_line(area=area, on=timezone.localdate())
    except MissingParameter:
        line = None
    return render(
        request,
        "policy/list.html",
        {"rows": _rows(area), "form": form, "can_edit": can_edit, "line": line, "county": county},
    )


# ---------------------------------------------------------------- the official calendar

MAX_CALENDAR_FILE = 2 * 1024 * 1024  # a year's schedule is a few dozen rows


def _calendar_year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    year = int(raw) if raw.isdigit() else timezone.localdate().year
    return min(max(year, 2000), 2100)


def _months(year: int, days: dict[date, HolidayDay], calendar: WorkCalendar) -> list[dict[str, Any]]:
    """Twelve month grids (Monday first): each cell is a day of the month or None."""
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for d in week:
                if d.month != month:
                    cells.append(None)
                    continue
                entry = days.get(d)
                kind = entry.kind if entry else ("rest" if not calendar.is_working_day(d) else "")
                cells.append({"day": d, "kind": kind, "name": entry.name if entry else ""})
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    return months


def _calendar_page(request: AuthedRequest, *, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    area = request.user.scope_area
    year = _calendar_year(request)
    row = holiday_year_in_force(area=area, year=year)
    days = {d.day: d for d in row.days.all()} if row else {}
    can_edit = calendar_may_edit(request.user, area)
    forms = forms or {}
    context = {
        "year": year,
        "row": row,
        "area": area,
        "own": row is not None and row.area_id == (area.pk if area else None),
        "months": _months(year, days, work_calendar(area=area)),
        "listed": sorted(days.values(), key=lambda d: d.day),
        "warning": calendar_warning(area=area, on=timezone.localdate()),
        "can_edit": can_edit,
        "day_form": forms.get("day") or CalendarDayForm(initial={"day": date(year, 1, 1)}),
        "load_form": forms.get("load") or CalendarLoadForm(initial={"year": year}),
        "errors": forms.get("errors", []),
    }
    return render(request, "policy/calendar.html", context, status=status)


@scoped_view("calendar.view")
def calendar_view(request: AuthedRequest) -> HttpResponse:
    return _calendar_page(request)


def _after(request: HttpRequest, year: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{reverse('policy:calendar')}?year={year}")


@require_POST
@scoped_view("calendar.edit")
def calendar_day_set(request: AuthedRequest) -> HttpResponse:
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            holiday_day_set(
                actor=Actor.from_request(request),
                area=request.user.scope_area,
                day=data["day"],
                kind=data["kind"],
                name=data["name"],
                source_document=data["source_document"],
            )
            return _after(request, data["day"].year, f"已保存{data['day']:%Y-%m-%d}。")
        except DomainError as exc:
            form.add_error(None, exc.message)
    return _calendar_page(request, forms={"day": form}, status=400)


@require_POST
@scoped_view("calendar.edit")
def calendar_day_delete(request: AuthedRequest) -> HttpResponse:
    form = CalendarDeleteForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("日期：请选择要删除的日期。")
    day = form.cleaned_data["day"]
    holiday_day_delete(actor=Actor.from_request(request), area=request.user.scope_area, day=day)
    return _after(request, day.year, f"已删除{day:%Y-%m-%d}，该日按普通日期计算。")


def _read_calendar_file(upload: Any) -> tuple[list[CalendarDay], list[str]]:
    if upload.size > MAX_CALENDAR_FILE:
        raise InvalidInput("文件过大：放假安排文件不能超过2MB。")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "calendar"
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        table = read_table(path)
        return calendar_rows_parse(table.header, table.rows)


@require_POST
@scoped_view("calendar.edit")
def calendar_load(request: AuthedRequest) -> HttpResponse:
    form = CalendarLoadForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            days, errors = _read_calendar_file(data["file"])
            if not errors:
                row = holiday_year_load(
                    actor=Actor.from_request(request),
                    area=request.user.scope_area,
                    year=data["year"],
                    days=days,
                    source_document=data["source_document"],
                )
                return _after(request, row.year, f"已载入{row.year}年放假安排，共{len(days)}天。")
        except DomainError as exc:
            errors = [exc.message]
    return _calendar_page(request, forms={"load": form, "errors": errors}, status=400)
