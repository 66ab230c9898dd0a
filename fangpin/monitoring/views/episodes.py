"""Episode pages: the monitored households, the 12-month follow-up list and
the "not eliminated after 12 months" analysis list."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.views_util import scoped_view
from fangpin.monitoring import rules, selectors, workflow
from fangpin.monitoring.choices import EpisodeStatus, MonitoringCategory
from fangpin.monitoring.forms import ActionForm, EliminationProposeForm, EpisodeUpdateForm
from fangpin.monitoring.services import elimination_check, episode_transition, episode_update
from fangpin.monitoring.views.common import page_of
from fangpin.policy.selectors import policy_get
from fangpin.registry.choices import LegacyPoorClass


@scoped_view("monitoring.view")
def episode_list(request: AuthedRequest) -> HttpResponse:
    view = request.GET.get("view", "")
    status, category = request.GET.get("status", ""), request.GET.get("category", "")
    legacy_class = request.GET.get("legacy_class", "")
    if legacy_class not in ("", *LegacyPoorClass.values):
        raise InvalidInput("脱贫户分类管理类别无效，请从列表中选择。")
    today = timezone.localdate()
    title = "监测对象"
    if view == "follow_up":
        qs, title = selectors.episode_follow_up_list(user=request.user), "风险消除后跟踪（12个月）"
    elif view == "long_unresolved":
        area = request.user.scope_area
        months = int(policy_get("long_unresolved_months", area=area, on=today).value)
        qs = selectors.episode_long_unresolved(user=request.user, months=months, on=today)
        title = f"纳入{months}个月以上未消除风险（逐户分析）"
    else:
        qs = selectors.episode_list(user=request.user, status=status, category=category, legacy_poor_class=legacy_class)
    return render(
        request,
        "monitoring/episode_list.html",
        {
            "page": page_of(request, qs),
            "title": title,
            "view": view,
            "status": status,
            "category": category,
            "statuses": EpisodeStatus.choices,
            "categories": MonitoringCategory.choices,
            "legacy_class": legacy_class,
            "legacy_classes": LegacyPoorClass.choices,
            "risk_labels": rules.RISK_LABELS,
            "today": today,
        },
    )


@scoped_view("monitoring.view")
def episode_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    episode = selectors.episode_get(user=request.user, pk=pk)
    role = request.user.role
    can_propose = (
        episode.status == EpisodeStatus.MONITORED
        and role in workflow.VILLAGE | workflow.TOWNSHIP
        and not episode.elimination_cases.exclude(status__in=["flagged", "rejected"]).exists()
    )
    return render(
        request,
        "monitoring/episode_detail.html",
        {
            "episode": episode,
            "risks": [rules.RISK_LABELS.get(r, r) for r in episode.risk_types],
            "covered": [rules.RISK_LABELS.get(r, r) for r in episode.covered_risk_types],
            "actions": [
                {"action": t.action, "label": workflow.ACTION_LABELS[t.action], "needs_reason": t.needs_reason}
                for t in workflow.allowed_actions("episode", state=episode.status, role=role)
            ],
            "eliminations": episode.elimination_cases.order_by("-id"),
            "failures": elimination_check(episode=episode, mode="assisted") if can_propose else [],
            "propose_form": EliminationProposeForm(
                reasons=selectors.natural_reason_choices(area=episode.village, on=timezone.localdate())
            )
            if can_propose
            else None,
            "timeline": selectors.timeline("episode", episode.pk),
            "case": getattr(episode, "identification_case", None),
            "update_form": EpisodeUpdateForm(
                initial={
                    "version": episode.version,
                    "category": episode.category,
                    "risk_types": episode.risk_types,
                    "disaster_subtype": episode.disaster_subtype,
                    "monitoring_contact_name": episode.monitoring_contact_name,
                }
            )
            if role in {"township_staff", "county_staff", "county_admin"}
            and episode.status in (EpisodeStatus.GREEN_CHANNEL, EpisodeStatus.MONITORED)
            else None,
        },
    )


@require_POST
@scoped_view("monitoring.act")
def episode_act(request: AuthedRequest, pk: int) -> HttpResponse:
    episode = selectors.episode_get(user=request.user, pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("提交的内容不完整，请刷新页面后重试。")
    data = form.cleaned_data
    episode_transition(
        episode=episode,
        action=data["action"],
        actor=Actor.from_request(request),
        reason=data["reason"],
        expected_version=data["version"],
    )
    messages.success(request, f"已办理：{workflow.ACTION_LABELS.get(data['action'], data['action'])}")
    return redirect("monitoring:episode-detail", pk=episode.pk)


@require_POST
@scoped_view("monitoring.act")
def episode_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    episode = selectors.episode_get(user=request.user, pk=pk)
    form = EpisodeUpdateForm(request.POST)
    if not form.is_valid():
        reasons = [
            f"{form.fields[k].label}：{' '.join(str(e) for e in v)}" for k, v in form.errors.items() if k in form.fields
        ]
        raise InvalidInput("监测信息不完整：" + "；".join(reasons), reasons=reasons)
    data = form.cleaned_data
    episode_update(
        episode=episode,
        actor=Actor.from_request(request),
        changes={k: data[k] for k in ("category", "risk_types", "disaster_subtype", "monitoring_contact_name")},
        reason=data["reason"],
        expected_version=data["version"],
    )
    messages.success(request, "监测信息已变更。")
    return redirect("monitoring:episode-detail", pk=episode.pk)
