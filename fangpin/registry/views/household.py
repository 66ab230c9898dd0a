"""Household detail and edit; income snapshots."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.models import AuditEvent
from fangpin.core.views_util import scoped_view
from fangpin.policy.selectors import MissingParameter, monitoring_income_line
from fangpin.registry.forms import HouseholdForm, SnapshotForm
from fangpin.registry.household_data import HouseholdDataError
from fangpin.registry.models import Household
from fangpin.registry.rules import default_window
from fangpin.registry.selectors import (
    household_get,
    household_history,
    household_migrant_work,
    household_snapshots,
)
from fangpin.registry.services import household_read_logged, household_update, snapshot_add
from fangpin.registry.snapshot_data import SnapshotDataError


def _snapshot_rows(household: Household) -> list[dict[str, Any]]:
    rows = []
    for snap in household_snapshots(household=household):
        try:
            line = monitoring_income_line(area=household.village, on=snap.window_end)
        except MissingParameter:
            line = None
        per_capita = snap.per_capita_net_income
        rows.append({"s": snap, "line": line, "below": line is not None and per_capita < line})
    return rows


@scoped_view("registry.view")
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    household_read_logged(actor=Actor.from_request(request), household=household)
    members = list(household.members.all())
    audit = AuditEvent.objects.filter(household_id=household.pk).order_by("-seq")[:100]
    return render(
        request,
        "registry/household_detail.html",
        {
            "h": household,
            "members": members,
            "snapshots": _snapshot_rows(household),
            "migrant_work": household_migrant_work(household=household),
            "this_month": timezone.localdate().strftime("%Y-%m"),
            "history": household_history(household=household)[:100],
            "audit": audit,
            "can_edit": request.user.can("registry.edit"),
            "can_restructure": request.user.can("registry.restructure"),
            "can_transfer": request.user.can("registry.transfer_in"),
            "can_reveal": request.user.can("registry.reveal"),
        },
    )


@scoped_view("registry.edit")
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    initial = {f: getattr(household, f) for f in HouseholdForm.base_fields if f not in ("phone", "version")}
    initial["version"] = household.version
    form = HouseholdForm(request.POST or None, initial=initial)
    form.fields["phone"].widget.attrs["placeholder"] = household.phone_masked
    if request.method == "POST" and form.is_valid():
        try:
            household_update(
                actor=Actor.from_request(request),
                household=household,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"] or household.version,
            )
            messages.success(request, "户信息已保存。")
            return redirect("registry:household", pk=household.pk)
        except HouseholdDataError as exc:
            form.add_field_errors(exc.field_errors)
    return render(
        request,
        "registry/form_page.html",
        {
            "h": household,
            "form": form,
            "title": f"修改户信息：{household.national_household_code}",
            "version": household.version,
        },
    )


@scoped_view("registry.edit")
def snapshot_new(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    start, end = default_window(household.updated_at.date())
    form = SnapshotForm(
        request.POST or None,
        initial={
            "year": end.year,
            "window_start": start,
            "window_end": end,
            "household_size": len(household.active_members),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            snapshot_add(actor=Actor.from_request(request), household=household, data=form.cleaned_data)
            messages.success(request, "收支信息已记录。")
            return redirect("registry:household", pk=household.pk)
        except SnapshotDataError as exc:
            form.add_field_errors(exc.field_errors)
    return render(
        request,
        "registry/form_page.html",
        {
            "h": household,
            "form": form,
            "title": f"录入收支信息：{household.national_household_code}",
        },
    )
