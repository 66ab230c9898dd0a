"""Household operations with history: change of head, split, merge, transfer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from fangpin.accounts.http import AuthedRequest
from fangpin.areas.models import Area, AreaLevel
from fangpin.areas.selectors import villages_visible
from fangpin.core.actor import Actor
from fangpin.core.errors import NotFound
from fangpin.core.scoping import visible
from fangpin.core.views_util import scoped_view
from fangpin.registry.forms import ChangeHeadForm, MergeForm, SplitForm, TransferForm
from fangpin.registry.models import Household
from fangpin.registry.selectors import household_get
from fangpin.registry.services import household_change_head, household_merge, household_split, household_transfer


@scoped_view("registry.restructure")
def change_head(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    candidates = [p for p in household.active_members if household.head is None or p.pk != household.head.pk]
    form = ChangeHeadForm(request.POST or None, members=candidates)
    if request.method == "POST" and form.is_valid():
        new_head = next(p for p in candidates if p.pk == form.cleaned_data["new_head"])
        household_change_head(
            actor=Actor.from_request(request),
            household=household,
            new_head=new_head,
            old_head_relationship=form.cleaned_data["old_head_relationship"],
            occurred_on=form.cleaned_data["occurred_on"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"户主已变更为{new_head.name}。")
        return redirect("registry:household", pk=household.pk)
    return render(request, "registry/form_page.html", {"h": household, "form": form, "title": "变更户主"})


@scoped_view("registry.restructure")
def split(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    candidates = [p for p in household.active_members if household.head is None or p.pk != household.head.pk]
    form = SplitForm(request.POST or None, members=candidates)
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in candidates if p.pk in set(form.cleaned_data["members"])]
        new_head = next((p for p in candidates if p.pk == form.cleaned_data["new_head"]), None)
        new = household_split(
            actor=Actor.from_request(request),
            household=household,
            members=chosen,
            new_head=new_head or chosen[0],
            new_code=form.cleaned_data["new_code"],
            relationships=form.relationships(),
            occurred_on=form.cleaned_data["occurred_on"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"已分户，新户编号{new.national_household_code}。")
        return redirect("registry:household", pk=new.pk)
    return render(request, "registry/form_page.html", {"h": household, "form": form, "title": "分户"})


@scoped_view("registry.restructure")
def merge(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    form = MergeForm(request.POST or None, members=household.active_members)
    if request.method == "POST" and form.is_valid():
        target = (
            visible(Household.objects.all(), request.user)
            .filter(national_household_code=form.cleaned_data["target_code"].strip())
            .first()
        )
        if target is None:
            raise NotFound("找不到该户编号，或该户不在您的管辖范围内。")
        household_merge(
            actor=Actor.from_request(request),
            source=household,
            target=target,
            relationships=form.relationships(),
            occurred_on=form.cleaned_data["occurred_on"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"已并入户{target.national_household_code}。")
        return redirect("registry:household", pk=target.pk)
    return render(request, "registry/form_page.html", {"h": household, "form": form, "title": "并户（本户并入他户）"})


@scoped_view("registry.transfer_in")
def transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    villages = [v for v in villages_visible(request.user).select_related("parent") if v.code != household.village_code]
    form = TransferForm(request.POST or None, villages=villages, initial={"version": household.version})
    if request.method == "POST" and form.is_valid():
        village = next(v for v in villages if v.code == form.cleaned_data["to_village"])
        grid = None
        if form.cleaned_data["to_grid"]:
            grid = Area.objects.filter(code=form.cleaned_data["to_grid"].strip(), level=AreaLevel.GRID).first()
            if grid is None:
                raise NotFound("找不到该网格。")
        household_transfer(
            actor=Actor.from_request(request),
            household=household,
            to_village=village,
            to_grid=grid,
            occurred_on=form.cleaned_data["occurred_on"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"] or household.version,
        )
        messages.success(request, f"已迁移到{village.full_name}。")
        if visible(Household.objects.filter(pk=household.pk), request.user).exists():
            return redirect("registry:household", pk=household.pk)
        return redirect("registry:search")
    return render(request, "registry/form_page.html", {"h": household, "form": form, "title": "迁移到其他村"})
