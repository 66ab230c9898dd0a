"""Idle sessions end (等保 8.1.4.1 b: log out after a connection timeout)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class ActiveUserMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.idle_seconds = int(settings.FANGPIN.get("IDLE_LOGOUT_SECONDS", 1800))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("fp_last_seen")
            if last is not None and now - int(last) > self.idle_seconds:
                logout(request)
            else:
                request.session["fp_last_seen"] = now
        return self.get_response(request)
