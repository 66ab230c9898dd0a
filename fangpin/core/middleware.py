"""Request id for the audit trail, an audit row for every refused request, and the security
headers of every response."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from fangpin.core.audit import audit_denied
from fangpin.core.errors import InvalidInput
from fangpin.core.views_util import error_response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class SecurityHeadersMiddleware:
    """No third-party origin can be loaded (no CDN, fonts or analytics), and
    pages with personal data are never cached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or "docs" not in request.path:
            response.setdefault("Content-Security-Policy", CSP)
        if not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-store")
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return response


class DeniedAuditMiddleware:
    """Every request answered 403 (a role without the permission, from a page, the API or
    Django itself) leaves one `denied` audit row: who, what path, and the Chinese reason given.
    After the authentication middleware, so that the row names the user. [SECURITY T-82]"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            audit_denied(request)
        return response


NUL_MESSAGE = "请求中含有不允许的空字符（NUL），已拒绝；请检查输入内容。"


def _has_nul(data: Any) -> bool:
    return any("\x00" in key or any("\x00" in str(v) for v in data.getlist(key)) for key in data)


class NulByteMiddleware:
    """A NUL byte in the path, the query string or a form field is refused with a Chinese 400
    before any view: no filter, search or database (PostgreSQL refuses NUL in text) sees one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE, "reasons": []}, status=400)
            return error_response(request, InvalidInput(NUL_MESSAGE))
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or _has_nul(request.GET):
            return True
        if request.method != "POST":
            return False
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _has_nul(request.POST)
        # A JSON string cannot hold a raw NUL, only its escape.
        return request.content_type == "application/json" and b"\\u0000" in request.body
