"""API authentication: personal tokens for machines, the session for people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from fangpin.accounts.models import ApiToken


def _user_for(key: str) -> Any:
    token = ApiToken.objects.select_related("user", "user__area").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerToken(HttpBearer):
    """`Authorization: Bearer fp_…` (printed by `fangpin token create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _user_for(token)
        if user is not None:
            request.user = user
            request.fangpin_channel = "api"  # type: ignore[attr-defined]
        return user


class HeaderToken(APIKeyHeader):
    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = _user_for(key or "")
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The signed-in browser session (unsafe methods still need the CSRF token)."""


AUTH = [BearerToken(), HeaderToken(), Session()]
