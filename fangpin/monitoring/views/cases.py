"""Identification and elimination case pages: detail with timeline, clock
badge and the actions the user's role may take."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.views_util import scoped_view
from fangpin.monitoring import selectors, workflow
from fangpin.monitoring.choices import CaseStatus, EliminationStatus
from fangpin.monitoring.forms import ActionForm, EliminationProposeForm, ObjectionForm, ObjectionHandleForm
from fangpin.monitoring.rules import RISK_LABELS
from fangpin.monitoring.services import (
    case_transition,
    elimination_check,
    elimination_propose,
    elimination_transition,
)
from fangpin.monitoring.views.common import page_of

NOTE_ACTIONS = {"record_home_verification", "record_info_check", "appraise"}


@scoped_view("monitoring.view")
def case_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.case_list(user=request.user, status=status, open_only=request.GET.get("open") == "1")
    page = page_of(request, qs.prefetch_related("notices"))
    params = selectors.ParamCache(timezone.localdate())
    rows = [(c, selectors.case_clock(c, params=params)) for c in page]
    return render(
        request,
        "monitoring/case_list.html",
        {"page": page, "rows": rows, "statuses": CaseStatus.choices, "status": status, "kind": "identification"},
    )


def _actions(machine: str, obj: object, role: str) -> list[dict]:
    return [
        {
            "action": t.action,
            "label": workflow.ACTION_LABELS[t.action],
            "needs_reason": t.needs_reason,
            "needs_note": t.action in NOTE_ACTIONS,
            "danger": t.action in ("reject", "uphold_objection", "override_guards"),
        }
        for t in workflow.allowed_actions(machine, state=obj.status, role=role)  # type: ignore[attr-defined]
        if t.action != "uphold_objection"  # decided on the objection itself
    ]


def _notices_context(case: object) -> dict:
    notices = list(case.notices.all())  # type: ignore[attr-defined]
    return {
        "notices": notices,
        "objections": [o for n in notices for o in n.objections.all()],
        "objection_form": ObjectionForm(),
        "handle_form": ObjectionHandleForm(),
        "today": timezone.localdate(),
    }


@scoped_view("monitoring.view")
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return render(
        request,
        "monitoring/case_detail.html",
        {
            "case": case,
            "clock": selectors.case_clock(case),
            "actions": _actions("identification", case, request.user.role),
            "can_act": request.user.can("monitoring.act"),
            "timeline": selectors.timeline("identification", case.pk),
            "clues": case.clues.all(),
            "risk_labels": [workflow_label(r) for r in case.risk_types],
            **_notices_context(case),
        },
    )


def workflow_label(risk: str) -> str:
    return RISK_LABELS.get(risk, risk)


def _action_form(request: HttpRequest) -> dict:
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("提交的内容不完整，请刷新页面后重试。")
    return form.cleaned_data


@require_POST
@scoped_view("monitoring.act")
def case_act(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    data = _action_form(request)
    case_transition(
        case=case,
        action=data["action"],
        actor=Actor.from_request(request),
        reason=data["reason"],
        note=data["note"],
        expected_version=data["version"],
    )
    messages.success(request, f"已办理：{workflow.ACTION_LABELS.get(data['action'], data['action'])}")
    return redirect("monitoring:case-detail", pk=case.pk)


@scoped_view("monitoring.view")
def elimination_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = page_of(request, selectors.elimination_list(user=request.user, status=status).prefetch_related("notices"))
    params = selectors.ParamCache(timezone.localdate())
    rows = [(c, selectors.case_clock(c, params=params)) for c in page]
    return render(
        request,
        "monitoring/case_list.html",
        {"page": page, "rows": rows, "statuses": EliminationStatus.choices, "status": status, "kind": "elimination"},
    )


@scoped_view("monitoring.view")
def elimination_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.elimination_get(user=request.user, pk=pk)
    failures = (
        elimination_check(
            episode=case.episode,
            mode=case.mode,
            natural_reason=case.natural_reason,
            justification=case.justification,
        )
        if case.is_open
        else []
    )
    return render(
        request,
        "monitoring/elimination_detail.html",
        {
            "case": case,
            "clock": selectors.case_clock(case),
            "actions": _actions("elimination", case, request.user.role),
            "can_act": request.user.can("monitoring.act"),
            "failures": failures,
            "natural_reason_label": selectors.natural_reason_label(
                case.natural_reason, area=case.village, on=timezone.localdate()
            ),
            "timeline": selectors.timeline("elimination", case.pk),
            **_notices_context(case),
        },
    )


@require_POST
@scoped_view("monitoring.act")
def elimination_act(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.elimination_get(user=request.user, pk=pk)
    data = _action_form(request)
    elimination_transition(
        case=case,
        action=data["action"],
        actor=Actor.from_request(request),
        reason=data["reason"] or data["note"],
        expected_version=data["version"],
    )
    messages.success(request, f"已办理：{workflow.ACTION_LABELS.get(data['action'], data['action'])}")
    return redirect("monitoring:elimination-detail", pk=case.pk)


@require_POST
@scoped_view("monitoring.act")
def elimination_new(request: AuthedRequest, pk: int) -> HttpResponse:
    episode = selectors.episode_get(user=request.user, pk=pk)
    # Every code of the list, retired ones too: the service refuses a retired one by name.
    known = selectors.natural_reasons(area=episode.village, on=timezone.localdate())
    form = EliminationProposeForm(request.POST, reasons=[(e.code, e.label) for e in known])
    if not form.is_valid():
        raise InvalidInput("请完整填写风险消除信息。")
    data = form.cleaned_data
    case = elimination_propose(
        episode=episode,
        mode=data["mode"],
        actor=Actor.from_request(request),
        natural_reason=data["natural_reason"],
        justification=data["justification"],
        continuing_measures=data["continuing_measures"],
        exception_request=data["exception_request"],
    )
    messages.success(request, f"已提出风险消除 {case.case_no}。")
    return redirect("monitoring:elimination-detail", pk=case.pk)
