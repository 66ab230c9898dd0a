"""The request a guarded view receives, for the type checker.

`scoped_view` and `login_view` (core/views_util.py) send an anonymous visitor to the login page
before the view runs, so inside a view `request.user` is always a signed-in `User`. django-stubs
types `HttpRequest.user` as `User | AnonymousUser`; views annotate `request: AuthedRequest` instead
of narrowing at every use. The class is never instantiated: Django passes its own `HttpRequest`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from fangpin.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set by django-htmx's middleware on every request
