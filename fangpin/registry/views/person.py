"""Member pages: edit, add, remove, reveal a full number."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangpin.accounts.http import AuthedRequest
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.views_util import scoped_view
from fangpin.registry.forms import AddMemberForm, PersonForm, RemoveMemberForm, RevealForm
from fangpin.registry.person_data import BOOL_FIELDS, PARSERS, PersonDataError
from fangpin.registry.selectors import household_get, person_get
from fangpin.registry.services import person_add, person_remove, person_reveal, person_update


@scoped_view("registry.edit")
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    # Full ID and phone numbers are never sent to the browser; typing one replaces it.
    initial = {f: getattr(person, f) for f in [*PARSERS, *BOOL_FIELDS] if hasattr(person, f) and f != "phone"}
    initial["version"] = person.version
    form = PersonForm(
        request.POST or None,
        initial=initial,
        editing=True,
        masked={"id_number": person.id_number_masked, "phone": person.phone_masked},
    )
    if request.method == "POST" and form.is_valid():
        try:
            person_update(
                actor=Actor.from_request(request),
                person=person,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"] or person.version,
            )
            messages.success(request, f"已保存{person.name}的信息。")
            return redirect("registry:household", pk=person.household_id)
        except PersonDataError as exc:
            form.add_field_errors(exc.field_errors)
    return render(
        request,
        "registry/form_page.html",
        {
            "h": person.household,
            "form": form,
            "title": f"修改成员信息：{person.name}（{person.id_number_masked}）",
        },
    )


@scoped_view("registry.edit")
def add(request: AuthedRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_add(
                actor=Actor.from_request(request),
                household=household,
                data=form.service_data(),
                reason=form.cleaned_data["reason"],
                occurred_on=form.cleaned_data["occurred_on"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"已增加成员{person.name}。")
            return redirect("registry:household", pk=household.pk)
        except PersonDataError as exc:
            form.add_field_errors(exc.field_errors)
    return render(request, "registry/form_page.html", {"h": household, "form": form, "title": "增加成员"})


@scoped_view("registry.edit")
def remove(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    household = person.household
    others = [p for p in household.active_members if p.pk != person.pk]
    form = RemoveMemberForm(request.POST or None, others=others, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        new_head = next((p for p in others if p.pk == form.cleaned_data["new_head"]), None)
        person_remove(
            actor=Actor.from_request(request),
            person=person,
            status=form.cleaned_data["status"],
            occurred_on=form.cleaned_data["occurred_on"],
            note=form.cleaned_data["note"],
            new_head=new_head,
            expected_version=form.cleaned_data["version"] or person.version,
        )
        messages.success(request, f"已为{person.name}办理减员。")
        return redirect("registry:household", pk=household.pk)
    return render(request, "registry/form_page.html", {"h": household, "form": form, "title": f"减员：{person.name}"})


@require_POST
@scoped_view("registry.reveal")
def reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("参数有误。")
    value = person_reveal(
        actor=Actor.from_request(request),
        person=person,
        field=form.cleaned_data["field"],
        reason=form.cleaned_data["reason"],
    )
    return render(request, "registry/partials/revealed.html", {"value": value, "person": person})


@scoped_view("registry.view")
def household_of(request: AuthedRequest, pk: int) -> HttpResponse:
    """A stable link from a person to their household page."""
    person = person_get(user=request.user, pk=pk)
    household_get(user=request.user, pk=person.household_id)
    return redirect("registry:household", pk=person.household_id)
