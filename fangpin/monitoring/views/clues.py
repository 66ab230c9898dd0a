"""Clue pages: list, new, detail with the allowed actions, start identification."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.errors import DomainError, InvalidInput
from fangpin.core.views_util import scoped_view
from fangpin.monitoring import selectors, workflow
from fangpin.monitoring.choices import ClueSource, ClueStatus
from fangpin.monitoring.forms import ActionForm, ClueForm, StartIdentificationForm, villages_under
from fangpin.monitoring.services import (
    clue_create,
    clue_start_identification,
    clue_transition,
    household_recommendation,
)
from fangpin.monitoring.views.common import household_by_code, page_of


@scoped_view("monitoring.view")
def clue_list(request: AuthedRequest) -> HttpResponse:
    status, source = request.GET.get("status", ""), request.GET.get("source", "")
    qs = selectors.clue_list(user=request.user, status=status, source=source, q=request.GET.get("q", ""))
    return render(
        request,
        "monitoring/clue_list.html",
        {
            "page": page_of(request, qs),
            "statuses": ClueStatus.choices,
            "sources": ClueSource.choices,
            "status": status,
            "source": source,
            "can_create": request.user.can("monitoring.clue_create"),
        },
    )


@scoped_view("monitoring.clue_create")
def clue_new(request: AuthedRequest) -> HttpResponse:
    form = ClueForm(request.POST or None, villages=villages_under(request.user.scope_area))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = household_by_code(request.user, data["household_code"])
        try:
            if data["household_code"] and household is None:
                raise InvalidInput("户编号：找不到该户，或不在您的管辖范围内")
            clue = clue_create(
                source=data["source"],
                village=data["village"],
                summary=data["summary"],
                household=household,
                risk_types=data["risk_types"],
                source_ref=data["source_ref"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                actor=Actor.from_request(request),
                channel="page",
                idempotency_key=data.get("idempotency_key") or None,
            )
        except DomainError as exc:
            for reason in exc.reasons or [exc.message]:
                form.add_error(None, reason)
        else:
            messages.success(request, f"线索已登记，查询码 {clue.tracking_code}。")
            return redirect("monitoring:clue-detail", pk=clue.pk)
    return render(request, "monitoring/form_page.html", {"form": form, "title": "登记风险线索"})


@scoped_view("monitoring.view")
def clue_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    clue = selectors.clue_get(user=request.user, pk=pk)
    actions = workflow.allowed_actions("clue", state=clue.status, role=request.user.role)
    start = [a for a in actions if a.action in ("start_identification", "start_green_channel")]
    recommendation = None
    if start and clue.household_id:
        recommendation = household_recommendation(
            household=clue.household, risk_types=list(clue.risk_types), on=timezone.localdate()
        )
    return render(
        request,
        "monitoring/clue_detail.html",
        {
            "clue": clue,
            "clock": selectors.clue_clock(clue),
            "actions": [a for a in actions if a not in start],
            "labels": workflow.ACTION_LABELS,
            "start_form": StartIdentificationForm(
                initial={"version": clue.version, "risk_types": clue.risk_types, "category": "marginal"}
            )
            if start
            else None,
            "can_green": any(a.action == "start_green_channel" for a in start),
            "recommendation": recommendation,
            "timeline": selectors.timeline("clue", clue.pk),
        },
    )


@require_POST
@scoped_view("monitoring.act")
def clue_act(request: AuthedRequest, pk: int) -> HttpResponse:
    clue = selectors.clue_get(user=request.user, pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("提交的内容不完整，请刷新页面后重试。")
    data = form.cleaned_data
    household = household_by_code(request.user, data["household_code"])
    if data["household_code"] and household is None:
        raise InvalidInput("户编号：找不到该户，或不在您的管辖范围内")
    clue_transition(
        clue=clue,
        action=data["action"],
        actor=Actor.from_request(request),
        reason=data["reason"],
        household=household,
        expected_version=data["version"],
    )
    messages.success(request, f"已办理：{workflow.ACTION_LABELS.get(data['action'], data['action'])}")
    return redirect("monitoring:clue-detail", pk=clue.pk)


@require_POST
@scoped_view("monitoring.act")
def clue_start(request: AuthedRequest, pk: int) -> HttpResponse:
    clue = selectors.clue_get(user=request.user, pk=pk)
    form = StartIdentificationForm(request.POST)
    if not form.is_valid():
        reasons = [
            f"{form.fields[k].label}：{' '.join(str(e) for e in v)}" for k, v in form.errors.items() if k in form.fields
        ]
        raise InvalidInput("识别信息不完整：" + "；".join(reasons), reasons=reasons)
    data = form.cleaned_data
    household = household_by_code(request.user, data["household_code"])
    if data["household_code"] and household is None:
        raise InvalidInput("户编号：找不到该户，或不在您的管辖范围内")
    case = clue_start_identification(
        clue=clue,
        actor=Actor.from_request(request),
        category=data["category"],
        risk_types=list(data["risk_types"]),
        disaster_subtype=data["disaster_subtype"],
        monitoring_contact_name=data["monitoring_contact_name"],
        monitoring_contact_phone=data["monitoring_contact_phone"],
        green_channel=data["green_channel"],
        household=household,
        reason=data["reason"],
        expected_version=data["version"],
    )
    mark = "（暂按周末推算）" if case.deadline_provisional else ""
    messages.success(request, f"已启动识别程序 {case.case_no}，办结时限 {case.deadline_on:%Y-%m-%d}{mark}。")
    return redirect("monitoring:case-detail", pk=case.pk)
