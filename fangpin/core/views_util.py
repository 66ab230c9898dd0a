"""The view decorator every page uses: login, permission, classification,
and domain errors turned into a Chinese page (never a stack trace)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from fangpin.core.errors import DomainError, Forbidden
from fangpin.core.scoping import GLOBAL, SCOPED, classify

View = Callable[..., HttpResponseBase]


def error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    request.fangpin_refusal = exc.message  # type: ignore[attr-defined]  # for the denied audit row
    template = "partials/error_inline.html" if getattr(request, "htmx", False) else "error.html"
    response = render(request, template, {"message": exc.message, "reasons": exc.reasons}, status=exc.status)
    if getattr(request, "htmx", False):
        # Show the message in place even though the status is not 2xx.
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
    return response


def _guard(perm: str | None, kind: str) -> Callable[[View], View]:
    def deco(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                if perm is not None and not request.user.can(perm):
                    raise Forbidden()
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return error_response(request, exc)

        return classify(kind)(wrapper)

    return deco


def scoped_view(perm: str) -> Callable[[View], View]:
    """A page that reads or writes area-scoped data; `perm` is checked first."""
    return _guard(perm, SCOPED)


def login_view(view: View) -> View:
    """A page for any signed-in user that shows no registry data."""
    return _guard(None, GLOBAL)(view)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
