"""The home-page work queue and the notification bell."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.views_util import scoped_view
from fangpin.monitoring import selectors, workflow
from fangpin.monitoring.views.common import page_of
from fangpin.policy.selectors import calendar_warning


@scoped_view("monitoring.view")
def work_queue(request: AuthedRequest) -> HttpResponse:
    """Full page, or the fragment the home page loads with htmx."""
    role = request.user.role
    queue = selectors.work_queue(
        user=request.user,
        states=workflow.queue_states(role),
        escalated_states=workflow.escalated_states(role),
        escalation_need=workflow.ESCALATION_NEED.get(role),
        objections=role in workflow.VILLAGE | workflow.TOWNSHIP,
    )
    template = "monitoring/work_queue.html#queue" if request.htmx else "monitoring/work_queue.html"
    warning = ""
    if request.user.can("calendar.edit") and not request.htmx:  # the home page shows its own
        warning = calendar_warning(area=request.user.scope_area, on=timezone.localdate())
    return render(request, template, {"queue": queue, "calendar_warning": warning})


@scoped_view("notifications.view")
def notifications(request: AuthedRequest) -> HttpResponse:
    page = page_of(request, selectors.notification_list(user=request.user))
    return render(request, "monitoring/notifications.html", {"page": page})


@require_POST
@scoped_view("notifications.view")
def notifications_read(request: AuthedRequest) -> HttpResponse:
    qs = selectors.notification_list(user=request.user).filter(read_at__isnull=True)
    pk = request.POST.get("pk")
    if pk and pk.isdigit():
        qs = qs.filter(pk=int(pk))
    qs.update(read_at=timezone.now())
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "monitoring:notifications")
