"""The home page of each role: the registry counts of the user's area, the calendar warning for
those who keep the calendar, and the slot the monitoring work queue loads into. Here, at the top
of the stack, because it counts what the apps below hold (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fangpin.accounts.http import AuthedRequest
from fangpin.core.roles import REGISTRY_READERS
from fangpin.core.views_util import login_view
from fangpin.policy.selectors import calendar_warning
from fangpin.reports.selectors import home_summary


@login_view
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"no_area": user.scope_area is None}
    if user.scope_area is not None and user.can("calendar.edit"):
        context["calendar_warning"] = calendar_warning(area=user.scope_area, on=timezone.localdate())
    if user.scope_area is not None and user.role in REGISTRY_READERS:
        context["summary"] = home_summary(user=user)
    return render(request, "home.html", context)
