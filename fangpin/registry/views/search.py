"""Household search: name prefix, full ID number or household code, with keyset paging.

A search by ID number is sent by POST and never echoed back in full, so the
number stays out of URLs, browser history and access logs (SECURITY T-64).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render

from fangpin.accounts.http import AuthedRequest
from fangpin.areas.selectors import village_choices
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.idnumber import mask
from fangpin.core.jobs import job_enqueue
from fangpin.core.keyset import parse_cursor
from fangpin.core.views_util import is_htmx, scoped_view
from fangpin.registry.forms import SearchForm
from fangpin.registry.selectors import SearchQuery, person_search
from fangpin.registry.services import registry_search_logged


def _query(form: SearchForm) -> SearchQuery:
    return SearchQuery(
        text=form.cleaned_data["q"],
        village_code=form.cleaned_data["village"],
        include_inactive=form.cleaned_data["inactive"],
        legacy_poor_class=form.cleaned_data["legacy_class"],
    )


@scoped_view("registry.view")
def search(request: AuthedRequest) -> HttpResponse:
    villages = village_choices(request.user)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SearchForm(data, villages=villages)
    page = None
    if form.is_valid():
        query = _query(form)
        if request.method == "POST" and not query.id_number:
            # Names and codes are fine in a URL: redirect so the page can be bookmarked and paged.
            params = {k: v for k, v in form.cleaned_data.items() if v}
            return redirect(f"{request.path}?{urlencode(params)}")
        if request.method == "GET" and query.id_number:
            raise InvalidInput("请在查询框中输入身份证号后点击“查询”，不要把号码放在网址中。")
        page = person_search(
            user=request.user,
            query=query,
            cursor=parse_cursor(request.GET.get("cursor")),
            size=settings.FANGPIN["PAGE_SIZE"],
        )
        if query.id_number:
            registry_search_logged(actor=Actor.from_request(request), id_number=query.id_number, hits=len(page.items))
            form = SearchForm({**form.cleaned_data, "q": mask(query.id_number)}, villages=villages)
            form.is_valid()
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {"form": form, "page": page, "params": params.urlencode(), "searched": bool(data)}
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "registry/search.html#rows", context)
    return render(request, "registry/search.html", context)


@scoped_view("registry.export")
def export(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        raise InvalidInput("请从查询页面点击“导出Excel”。")
    q = (request.POST.get("q") or "").strip()[:40]
    if SearchQuery(text=q).id_number or "*" in q:
        q = ""
    params = {"q": q, "village_code": (request.POST.get("village") or "")[:12]}
    job = job_enqueue(kind="registry.export", params=params, user=request.user)
    return redirect("core:job", pk=job.pk)
