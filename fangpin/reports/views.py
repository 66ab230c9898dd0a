"""Data-quality report, dashboard with drill-down, roster export."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fangpin.accounts.http import AuthedRequest
from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import InvalidInput, NotFound
from fangpin.core.jobs import job_enqueue
from fangpin.core.models import AuditAction, JobStatus
from fangpin.core.scoping import area_in_scope
from fangpin.core.views_util import scoped_view
from fangpin.core.xlsx import write_xlsx
from fangpin.policy.selectors import policy_get
from fangpin.quality import rules as quality_rules
from fangpin.quality import selectors as quality
from fangpin.registry.choices import LegacyPoorClass
from fangpin.reports import dashboard, rules, selectors, services

ROW_LIMIT = 500
XLSX_LIMIT = 100_000


@scoped_view("reports.view")
def quality_report(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    code = (request.GET.get("check") or "").upper()
    check = quality.BY_CODE.get(code)
    context: dict[str, Any] = {"summary": quality.summary(request.user, today), "check": check}
    if check is not None:
        ctx = quality.context_for(request.user, today)
        context["rows"] = list(quality.check_rows(check, ctx)[:ROW_LIMIT])
        context["limit"] = ROW_LIMIT
    return render(request, "reports/quality.html", context)


@scoped_view("reports.view")
def quality_xlsx(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    ctx = quality.context_for(request.user, today)
    wanted = (request.GET.get("check") or "").upper()
    checks = [quality.BY_CODE[wanted]] if wanted in quality.BY_CODE else quality.CHECKS
    blocking = quality_rules.blocking_checks(str(ctx.param("dq_blocking_checks")))
    severity = {quality_rules.BLOCKING: _("阻断"), quality_rules.WARNING: _("提示")}

    def rows() -> Any:
        for c in checks:
            for r in quality.check_rows(c, ctx)[:XLSX_LIMIT].iterator(chunk_size=2000):
                sev = severity[quality_rules.severity(c.code, blocking)]
                yield [c.code, str(c.title), sev, r["village_name"], r["hh_code"], r["person_name"]]

    out = io.BytesIO()
    header = [_("检查编号"), _("问题"), _("级别"), _("村"), _("户编号"), _("成员")]
    count = write_xlsx(out, sheet=_("数据质量检查"), header=header, rows=rows(), widths=[10, 50, 8, 16, 22, 12])
    with transaction.atomic():
        audit_log(
            actor=Actor.from_request(request),
            action=AuditAction.EXPORT,
            object_type="reports.quality",
            object_label="数据质量检查导出",
            area_code=request.user.area.code if request.user.area else "",
            changes={"rows": [None, count], "check": [None, wanted or "all"]},
        )
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="dq-{today:%Y%m%d}.xlsx"'
    return response


def _area(request: AuthedRequest) -> Area:
    """The requested area inside the user's scope (default: the user's own area); else 404."""
    own = request.user.scope_area
    if own is None or own.level == AreaLevel.GRID:
        raise NotFound()
    code = (request.GET.get("area") or "").strip()
    if not code or code == own.code:
        return own
    area = Area.objects.filter(code=code).first()
    if area is None or not area_in_scope(request.user, area) or area.level == AreaLevel.GRID:
        raise NotFound()
    return area


def _legacy_class(request: HttpRequest) -> str:
    """The 原建档立卡脱贫户 class filter (DOMAIN §6.2), "" for all households."""
    value = request.GET.get("legacy_class", "")
    if value and value not in LegacyPoorClass.values:
        raise InvalidInput(_("脱贫户分类管理类别无效，请从列表中选择。"))
    return value


@scoped_view("reports.view")
def dashboard_page(request: AuthedRequest) -> HttpResponse:
    area = _area(request)
    today = timezone.localdate()
    period = rules.parse_period(request.GET.get("period", ""), today)
    legacy_class = _legacy_class(request)
    # The summary holds all households; one class is computed live for the request.
    summary = selectors.summary_read(area=area, period_key=period.key) if not legacy_class else None
    if summary is not None and summary.values is not None:
        values = summary.values
    else:
        # No summary holds these figures yet: compute them once for this request, and say so.
        ctx = dashboard.make_ctx(area=area, period=period, today=today, legacy_class=legacy_class)
        values = dashboard.compute(user=request.user, ctx=ctx)
    children = dashboard.child_areas(area)
    village_level = children and children[0].level == AreaLevel.VILLAGE
    min_cell = int(policy_get("dashboard_min_cell", area=area, on=today).value)
    table: list[dict[str, Any]] = []
    for k in dashboard.KPIS:
        own_village = min_cell if area.level == AreaLevel.VILLAGE else None
        total = dashboard.present(*values[k.key]["total"], kind=k.kind, suppress_below=own_village)
        cells = [
            {
                "area": child,
                **dashboard.present(
                    *values[k.key].get(child.prefix, (0, 0)),
                    kind=k.kind,
                    suppress_below=min_cell if village_level else None,
                ),
            }
            for child in children
        ]
        table.append({"kpi": k, "total": total, "cells": cells})
    chart = {
        "areas": [c.name for c in children],
        "codes": [c.code for c in children],
        "series": [
            {"key": r["kpi"].key, "name": str(r["kpi"].label), "data": [c["value"] for c in r["cells"]]} for r in table
        ],
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "area": area,
            "period": period,
            "table": table,
            "children": children,
            "chart": chart,
            "min_cell": min_cell,
            "village_level": village_level,
            "summary": summary,
            "legacy_class": legacy_class,
            "legacy_classes": LegacyPoorClass.choices,
            "list_url": reverse("reports:dashboard-list"),
            "can_export": request.user.can("reports.export"),
            "can_refresh": request.user.can("reports.refresh"),
        },
    )


@scoped_view("reports.refresh")
def dashboard_refresh(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        raise InvalidInput(_("请在统计看板点击“更新统计数据”。"))
    job = services.refresh_enqueue(user=request.user, county=request.user.scope_area)
    if job.status == JobStatus.DONE:
        messages.success(request, _("统计数据已更新（后台任务 #%(id)s）。") % {"id": job.pk})
    elif job.status == JobStatus.FAILED:
        messages.error(request, _("统计数据更新失败（后台任务 #%(id)s）：%(msg)s") % {"id": job.pk, "msg": job.message})
    else:
        messages.info(
            request,
            _("已在后台开始更新统计数据（任务 #%(id)s），大县需要一两分钟；完成后刷新本页即可。") % {"id": job.pk},
        )
    query = urlencode({k: request.POST[k] for k in ("area", "period") if request.POST.get(k)})
    return redirect(f"{reverse('reports:dashboard')}?{query}" if query else reverse("reports:dashboard"))


@scoped_view("reports.view")
def dashboard_list(request: AuthedRequest) -> HttpResponse:
    area = _area(request)
    kpi = dashboard.BY_KEY.get(request.GET.get("kpi", ""))
    part = request.GET.get("part", "den")
    if kpi is None or part not in ("num", "den"):
        raise InvalidInput(_("请从统计看板点击数字查看明细。"))
    today = timezone.localdate()
    period = rules.parse_period(request.GET.get("period", ""), today)
    legacy_class = _legacy_class(request)
    ctx = dashboard.make_ctx(area=area, period=period, today=today, legacy_class=legacy_class)
    rows = list(dashboard.drill_rows(user=request.user, ctx=ctx, kpi=kpi, part=part)[:ROW_LIMIT])
    base = kpi.base
    items = [
        {
            "household_id": r.get("household_id", r["pk"]) if base != "household" else r["pk"],
            "code": r.get("household__national_household_code") or r.get("national_household_code"),
            "village": r.get("household__village__name") or r.get("village__name"),
        }
        for r in rows
    ]
    return render(
        request,
        "reports/dashboard_list.html",
        {
            "area": area,
            "kpi": kpi,
            "part": part,
            "period": period,
            "items": items,
            "limit": ROW_LIMIT,
            "legacy_class": legacy_class,
            "legacy_label": LegacyPoorClass(legacy_class).label if legacy_class else "",
        },
    )


@scoped_view("reports.export")
def roster_export(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        raise InvalidInput(_("请在统计看板点击“导出监测对象花名册”。"))
    params = {"include_closed": bool(request.POST.get("include_closed"))}
    job = job_enqueue(kind="reports.roster", params=params, user=request.user)
    return redirect("core:job", pk=job.pk)
