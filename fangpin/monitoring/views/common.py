"""Small helpers the monitoring pages share."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest

from fangpin.core.scoping import visible
from fangpin.registry.models import Household

PAGE_SIZE = 50


def page_of(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def household_by_code(user: Any, code: str) -> Household | None:
    """A household the user may see, by its national code ('' → None)."""
    code = (code or "").strip()
    if not code:
        return None
    return visible(Household.objects.select_related("village"), user).filter(national_household_code=code).first()
