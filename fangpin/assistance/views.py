"""Plan page, measures, evidence and visits: parse a form, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangpin.accounts.http import AuthedRequest
from fangpin.assistance import catalogue, rules, selectors, services, workflow
from fangpin.assistance.forms import EvidenceForm, MeasureForm, PlanForm, TransitionForm, VisitForm
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.views_util import scoped_view
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES, RiskType

STATUS_LABELS = {
    rules.ON_TRACK: gettext_lazy("正常"),
    rules.DUE_SOON: gettext_lazy("临期"),
    rules.OVERDUE: gettext_lazy("已超期"),
    rules.MET: gettext_lazy("按时落实"),
    rules.MET_LATE: gettext_lazy("超期后落实"),
}
STATUS_CLASSES = {
    rules.ON_TRACK: "success",
    rules.DUE_SOON: "warning",
    rules.OVERDUE: "danger",
    rules.MET: "secondary",
    rules.MET_LATE: "secondary",
}


def _episode_rows(user: Any, household: Any, plans: list[Any]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    implemented = {p.episode_id: {m.category for m in p.measures.all() if m.implemented_on} for p in plans}
    table = catalogue.risk_coverage(area=household.village, on=today)
    plan_of = {p.episode_id: p for p in plans}
    rows = []
    for ep in selectors.household_episodes(user=user, household=household):
        status, due = selectors.episode_deadline_status(episode=ep, today=today)
        uncovered = rules.uncovered_risk_types(ep.risk_types, implemented.get(ep.pk, set()), table)
        rows.append(
            {
                "e": ep,
                "open": ep.status in OPEN_EPISODE_STATUSES,
                "deadline": STATUS_LABELS.get(status, ""),
                "deadline_class": STATUS_CLASSES.get(status, "secondary"),
                "due": due,
                "uncovered": [RiskType(r).label for r in uncovered if r in RiskType.values],
                "risk_labels": [RiskType(r).label for r in ep.risk_types if r in RiskType.values],
                "plan": plan_of.get(ep.pk),
            }
        )
    return rows


@scoped_view("assistance.view")
def household_page(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    plans = selectors.household_plans(user=request.user, household=household)
    role = request.user.role
    for plan in plans:
        for m in plan.measures.all():
            # The template reads each measure's actions off the measure itself.
            m.actions = [  # type: ignore[attr-defined]
                (t.action, workflow.ACTION_LABELS[t.action], t.needs_reason, workflow.needs_date(t))
                for t in workflow.actions_from(m.status, role)
            ]
    return render(
        request,
        "assistance/household.html",
        {
            "h": household,
            "episodes": _episode_rows(request.user, household, plans),
            "plans": plans,
            "visits": selectors.household_visits(user=request.user, household=household),
            "can_edit": request.user.can("assistance.edit"),
            "can_visit": request.user.can("assistance.visit"),
            "today": timezone.localdate(),
            "plan_form": PlanForm(),
        },
    )


@scoped_view("assistance.edit")
def plan_new(request: AuthedRequest, episode_pk: int) -> HttpResponse:
    episode = selectors.episode_get(user=request.user, pk=episode_pk)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = services.plan_create(actor=Actor.from_request(request), episode=episode, data=form.cleaned_data)
        messages.success(request, _("帮扶计划已建立，请添加帮扶措施。"))
        return redirect("assistance:household", pk=plan.household_id)
    return render(
        request,
        "assistance/form_page.html",
        {"form": form, "title": _("新建帮扶计划（一户一方案）"), "h": episode.household},
    )


@scoped_view("assistance.edit")
def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    initial = {f: getattr(plan, f) for f in services.PLAN_FIELDS} | {"version": plan.version}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.plan_update(
            actor=Actor.from_request(request),
            plan=plan,
            data=form.cleaned_data,
            expected_version=form.cleaned_data["version"] or plan.version,
        )
        messages.success(request, _("帮扶计划已保存。"))
        return redirect("assistance:household", pk=plan.household_id)
    return render(request, "assistance/form_page.html", {"form": form, "title": _("修改帮扶计划"), "h": plan.household})


@scoped_view("assistance.edit")
def measure_new(request: AuthedRequest, plan_pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=plan_pk)
    members = plan.household.members.filter(status="active").order_by("id")
    types = catalogue.measure_types(area=plan.household.village, on=timezone.localdate())
    form = MeasureForm(request.POST or None, members=members, types=types)
    if request.method == "POST" and form.is_valid():
        services.measure_add(actor=Actor.from_request(request), plan=plan, data=form.cleaned_data)
        messages.success(request, _("帮扶措施已添加。"))
        return redirect("assistance:household", pk=plan.household_id)
    return render(
        request,
        "assistance/form_page.html",
        {"form": form, "title": _("添加帮扶措施（一人一措施）"), "h": plan.household},
    )


@scoped_view("assistance.edit")
def measure_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        raise InvalidInput(_("请在帮扶计划页面操作措施状态（落实日期格式应为 年-月-日）。"))
    data = form.cleaned_data
    services.measure_transition(
        actor=Actor.from_request(request),
        measure=measure,
        action=data["action"],
        reason=data["reason"],
        on=data["on"],
        expected_version=data["version"],
    )
    messages.success(request, _("措施状态已更新。"))
    return redirect("assistance:household", pk=measure.household_id)


@scoped_view("assistance.edit")
def evidence_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_get(user=request.user, pk=pk)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        raise InvalidInput(_("佐证材料：请选择要上传的文件。"))
    upload = form.cleaned_data["file"]
    limit = 64 * 1024 * 1024
    if upload.size > limit:
        raise InvalidInput(_("佐证材料：文件过大。"))
    services.measure_evidence_add(
        actor=Actor.from_request(request), measure=measure, file_name=upload.name, content=upload.read()
    )
    messages.success(request, _("佐证材料已上传。"))
    return redirect("assistance:household", pk=measure.household_id)


@scoped_view("assistance.view")
def evidence_download(request: AuthedRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    path = services.evidence_path(evidence)
    if not path.exists():
        raise InvalidInput(_("佐证材料文件已不存在，请重新上传。"))
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=evidence.file_name, content_type=evidence.content_type
    )


@scoped_view("assistance.visit")
def visit_new(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    form = VisitForm(request.POST or None, role=request.user.role)
    if request.method == "POST" and form.is_valid():
        plans = [
            p
            for p in selectors.household_plans(user=request.user, household=household)
            if p.episode.status in OPEN_EPISODE_STATUSES
        ]
        data = {**form.cleaned_data, "plan": plans[0] if plans else None}
        visit = services.visit_record(actor=Actor.from_request(request), household=household, data=data)
        if visit.clue is not None:
            messages.success(
                request, _("走访已记录，并已生成风险线索（查询码 %(code)s）。") % {"code": visit.clue.tracking_code}
            )
        else:
            messages.success(request, _("走访已记录。"))
        return redirect("assistance:household", pk=household.pk)
    return render(request, "assistance/form_page.html", {"form": form, "title": _("记录走访"), "h": household})


@scoped_view("assistance.view")
def measure_deadlines(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status") or rules.OVERDUE
    if status not in STATUS_LABELS:
        status = rules.OVERDUE
    today = timezone.localdate()
    episodes = selectors.episodes_by_measure_status(user=request.user, status=status, today=today)[:500]
    return render(
        request,
        "assistance/deadlines.html",
        {"episodes": episodes, "status": status, "labels": STATUS_LABELS, "today": today},
    )
