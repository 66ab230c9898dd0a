"""Data-feed pages: upload and runs, review queue, warnings, rules with preview, feedback dashboard."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.errors import Forbidden, InvalidInput, NotFound
from fangpin.core.jobs import read_progress
from fangpin.core.models import Job
from fangpin.core.scoping import SCOPED, get_visible_or_404
from fangpin.core.views_util import View, _guard, scoped_view
from fangpin.datafeeds import selectors, services
from fangpin.datafeeds.core.sources.departments import BY_CODE, SOURCES
from fangpin.datafeeds.feedback import feedback_xlsx
from fangpin.datafeeds.forms import FeedUploadForm, RuleEditForm
from fangpin.datafeeds.jobs import feed_run_refresh
from fangpin.datafeeds.models import FeedRun, ReviewPair, ReviewStatus, RunStatus, WarningRule, WarningStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@scoped_view("datafeeds.upload")
def run_list(request: AuthedRequest) -> HttpResponse:
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.feed_run_create(
            actor=Actor.from_request(request),
            source=form.cleaned_data["source"],
            period=form.cleaned_data["period"],
            stream=upload,
            file_name=upload.name,
        )
        return redirect("datafeeds:run", pk=run.pk)
    runs = selectors.run_list(request.user)[:100]
    return render(request, "datafeeds/run_list.html", {"form": form, "runs": runs, "sources": SOURCES})


def _progress(run: FeedRun) -> dict[str, object]:
    job = Job.objects.filter(kind=services.JOB_KIND, params__run=run.pk).order_by("-id").first()
    info = read_progress(job.pk) if job else {"done": 0, "total": 0}
    total = info.get("total") or 0
    return {"percent": min(100, int(100 * info.get("done", 0) / total)) if total else 0, **info}


@scoped_view("datafeeds.upload")
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = feed_run_refresh(get_visible_or_404(FeedRun, request.user, pk=pk))
    context = {
        "run": run,
        "active": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        "progress": _progress(run),
        "source": BY_CODE.get(run.source),
        "hits": sorted((run.stats.get("rule_hits") or {}).items()),
    }
    if getattr(request, "htmx", False):
        return render(request, "datafeeds/run_detail.html#status", context)
    return render(request, "datafeeds/run_detail.html", context)


@scoped_view("datafeeds.upload")
def run_feedback(request: AuthedRequest, pk: int) -> HttpResponse:
    run = get_visible_or_404(FeedRun, request.user, pk=pk)
    if run.status != RunStatus.DONE:
        raise InvalidInput("比对完成后才能下载反馈表。")
    response = HttpResponse(feedback_xlsx(run), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="feedback-{run.source}-{run.period}-{run.pk}.xlsx"'
    return response


@scoped_view("datafeeds.review")
def review_list(request: AuthedRequest) -> HttpResponse:
    pairs = selectors.review_queue(request.user)[:200]
    return render(request, "datafeeds/review_list.html", {"pairs": pairs})


@scoped_view("datafeeds.review")
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    pair = get_visible_or_404(ReviewPair.objects.select_related("person", "person__household"), request.user, pk=pk)
    if request.method == "POST":
        services.review_decide(actor=Actor.from_request(request), pair=pair, verdict=request.POST.get("verdict", ""))
        messages.info(request, "已记录核对结论，下月比对将沿用。")
        following = selectors.review_queue(request.user).exclude(pk=pair.pk).first()
        return redirect("datafeeds:review", pk=following.pk) if following else redirect("datafeeds:review-list")
    return render(
        request,
        "datafeeds/review_detail.html",
        {"pair": pair, "person": pair.person, "open": pair.status == ReviewStatus.OPEN},
    )


@scoped_view("datafeeds.view")
def warning_list(request: AuthedRequest) -> HttpResponse:
    source, status = request.GET.get("source", ""), request.GET.get("status", "")
    warnings = selectors.warning_list(request.user, source=source, status=status)[:300]
    return render(
        request,
        "datafeeds/warning_list.html",
        {
            "warnings": warnings,
            "sources": SOURCES,
            "statuses": WarningStatus.choices,
            "source": source,
            "status": status,
            "titles": selectors.rule_titles(scope_code=selectors.user_rule_scope(request.user) or ""),
        },
    )


@scoped_view("datafeeds.view")
def dashboard(request: AuthedRequest) -> HttpResponse:
    return render(request, "datafeeds/dashboard.html", selectors.feedback_rates(request.user))


def _rules_view(view: View) -> View:
    # Rules name no household, but each area reads only the rules that apply to it (its own
    # version and those above): a data-feed reader, or whoever keeps rules (a province admin).
    @functools.wraps(view)
    def checked(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (request.user.can("datafeeds.view") or request.user.can("datafeeds.rules")):
            raise Forbidden()
        return view(request, *args, **kwargs)

    return _guard(None, SCOPED)(checked)


def _visible_rule(request: AuthedRequest, pk: int) -> WarningRule:
    rule = selectors.rules_visible(request.user).filter(pk=pk).first()
    if rule is None:
        raise NotFound()
    return rule


@_rules_view
def rule_list(request: AuthedRequest) -> HttpResponse:
    rows = selectors.rule_list_rows(request.user, on=timezone.localdate())
    return render(request, "datafeeds/rule_list.html", {"rows": rows})


@_rules_view
def rule_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rule = _visible_rule(request, pk)
    runs = selectors.run_list(request.user).filter(source=rule.source, status=RunStatus.DONE)[:20]
    form = RuleEditForm(initial={"title": rule.title, "condition": rule.condition})
    preview = None
    if request.GET.get("run"):
        run = get_visible_or_404(FeedRun, request.user, pk=request.GET["run"])
        preview = services.rule_preview(rule=rule, run=run)
    own = selectors.user_rule_scope(request.user)
    context = {
        "rule": rule,
        "runs": runs,
        "form": form,
        "preview": preview,
        "can_edit": request.user.can("datafeeds.rules"),
        "level": selectors.rule_level_label(rule.scope_code, own=own),
        "above": rule.scope_code != own,
    }
    return render(request, "datafeeds/rule_detail.html", context)


@require_POST
@_rules_view
def rule_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    rule = _visible_rule(request, pk)
    changed = services.rule_set_enabled(
        actor=Actor.from_request(request), rule=rule, enabled=request.POST.get("enabled") == "1"
    )
    if changed.pk != rule.pk:
        messages.info(request, "已为本区划生成自己的规则版本，只对本区划生效；上级规则不变。")
    return redirect("datafeeds:rule", pk=changed.pk)


@require_POST
@_rules_view
def rule_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    rule = _visible_rule(request, pk)
    form = RuleEditForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("名称和触发条件都须填写。")
    changed = services.rule_update(actor=Actor.from_request(request), rule=rule, **form.cleaned_data)
    messages.info(request, "规则已修改并暂停，请预览后再启用。")
    if changed.pk != rule.pk:
        messages.info(request, "修改保存为本区划自己的规则版本，只对本区划生效；上级规则不变。")
    return redirect("datafeeds:rule", pk=changed.pk)
