"""The notification bell: unread count for the signed-in user (one query)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fangpin.monitoring.models import Notification


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.scope_area is None:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
