"""The app's URLs plus the peer: the same search with Django's Paginator."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urls
from fangpin.areas.selectors import village_choices
from fangpin.core.scoping import visible
from fangpin.registry.choices import PersonStatus
from fangpin.registry.forms import SearchForm
from fangpin.registry.models import Person


def paginator_search(request: HttpRequest) -> HttpResponse:
    villages = village_choices(request.user)
    form = SearchForm(request.GET, villages=villages)
    form.is_valid()
    qs = visible(Person.objects.select_related("household", "household__village"), request.user).filter(
        status=PersonStatus.ACTIVE
    )
    if form.cleaned_data.get("village"):
        qs = qs.filter(household__village_code=form.cleaned_data["village"])
    if form.cleaned_data.get("q"):
        qs = qs.filter(name__startswith=form.cleaned_data["q"])
    page = Paginator(qs.order_by("-pk"), 50).page(int(request.GET.get("page", 1)))
    page.items = list(page.object_list)  # type: ignore[attr-defined]
    page.has_next = page.has_next()  # type: ignore[method-assign]
    page.next_cursor = None  # type: ignore[attr-defined]
    return render(request, "registry/search.html", {"form": form, "page": page, "params": "", "searched": True})


urlpatterns = [path("bench/paginator/", paginator_search), *app_urls]
