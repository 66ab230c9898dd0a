"""Migrant-work records (务工记录) of a household's members: record and end."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.scoping import get_visible_or_404
from fangpin.core.views_util import scoped_view
from fangpin.registry.forms import MigrantWorkEndForm, MigrantWorkForm
from fangpin.registry.migrant_work_data import MigrantWorkDataError
from fangpin.registry.models import MigrantWork
from fangpin.registry.selectors import household_get
from fangpin.registry.services import migrant_work_end, migrant_work_record


@scoped_view("registry.edit")
def record(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    members = household.active_members
    form = MigrantWorkForm(request.POST or None, members=members, initial={"person": request.GET.get("person", "")})
    if request.method == "POST" and form.is_valid():
        person = next(p for p in members if str(p.pk) == form.cleaned_data["person"])
        data = {k: v for k, v in form.cleaned_data.items() if k != "person"}
        try:
            migrant_work_record(actor=Actor.from_request(request), person=person, data=data)
            messages.success(request, f"已登记{person.name}的务工记录。")
            return redirect("registry:household", pk=household.pk)
        except MigrantWorkDataError as exc:
            form.add_field_errors(exc.field_errors)
    return render(
        request,
        "registry/form_page.html",
        {"h": household, "form": form, "title": f"登记务工记录：{household.national_household_code}"},
    )


@require_POST
@scoped_view("registry.edit")
def end(request: AuthedRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(MigrantWork.objects.select_related("person", "person__household"), request.user, pk=pk)
    form = MigrantWorkEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "务工结束月份：请填写月份（如 2026-03）。")
        return redirect("registry:household", pk=row.person.household_id)
    try:
        migrant_work_end(
            actor=Actor.from_request(request),
            record=row,
            end_month=form.cleaned_data["end_month"],
            expected_version=form.cleaned_data["version"],
        )
        messages.success(request, f"已登记{row.person.name}务工结束。")
    except MigrantWorkDataError as exc:
        messages.error(request, f"{row.person.name}：{exc.message}")
    return redirect("registry:household", pk=row.person.household_id)
