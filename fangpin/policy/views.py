"""Policy parameters: everyone reads the values in force for their area; the
county administrator adds new dated versions for the county."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.errors import DomainError
from fangpin.core.views_util import scoped_view
from fangpin.policy.catalog import CATALOG, UNITS
from fangpin.policy.forms import ParameterForm
from fangpin.policy.models import PolicyParameter
from fangpin.policy.selectors import MissingParameter, monitoring_income_line, policy_get
from fangpin.policy.services import policy_set


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
def parameter_list(request: HttpRequest) -> HttpResponse:
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
