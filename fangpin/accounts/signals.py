"""Logins, failed logins and logouts go to the audit log. [SECURITY T-82]"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.models import AuditAction


def _actor(request: Any, user: Any) -> Actor:
    if request is None:
        return Actor(user=user)
    return Actor(user=user, request_id=getattr(request, "request_id", ""), ip=request.META.get("REMOTE_ADDR", ""))


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_log(
        actor=_actor(request, user),
        action=AuditAction.LOGIN,
        object_type="user",
        object_id=user.pk,
        object_label=user.username,
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_log(
            actor=_actor(request, user),
            action=AuditAction.LOGOUT,
            object_type="user",
            object_id=user.pk,
            object_label=user.username,
        )


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_log(
        actor=_actor(request, None),
        action=AuditAction.LOGIN_FAILED,
        object_type="user",
        object_label=str(credentials.get("username", ""))[:150],
        success=False,
    )
