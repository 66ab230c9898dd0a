"""Account services: users bound to a role and an area; personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.models import ApiToken, User
from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Forbidden, InvalidInput, NotFound
from fangpin.core.models import AuditAction
from fangpin.core.roles import ROLE_LEVELS, Role


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    area: Area | None,
    display_name: str = "",
    phone: str = "",
    department: str = "",
) -> User:
    """Create a user whose area level fits the role. [SECURITY T-14]"""
    if actor.user is not None:  # only operators on the command line or the system admin create users
        raise Forbidden()
    if role not in Role.values:
        raise InvalidInput(f"未知角色：{role}")
    if area is None or area.level not in ROLE_LEVELS[role]:
        levels = "、".join(str(lvl) for lvl in ROLE_LEVELS[role])
        raise InvalidInput(f"角色“{Role(role).label}”须绑定到以下层级的区划：{levels}")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InvalidInput(f"用户名已存在：{username}")
        user = User.objects.create_user(
            username=username,
            password=password,
            role=role,
            area=area,
            display_name=display_name,
            phone=phone,
            department=department,
        )
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="user",
            object_id=user.pk,
            object_label=username,
            area_code=area.code,
            changes={"role": [None, role], "area": [None, area.code]},
        )
    return user


def token_create(*, actor: Actor, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal token; the key is shown once and only its hash is kept."""
    if actor.user is not None and actor.user.pk != user.pk:
        raise Forbidden()
    prefix, key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            key_hash=ApiToken.hash_key(key),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        audit_log(
            actor=actor,
            action=AuditAction.TOKEN,
            object_type="api_token",
            object_id=token.pk,
            object_label=f"{user.username}:{prefix}",
            reason="创建",
        )
    return token, key


def token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (actor.user is not None and token.user_id != actor.user.pk):
        raise NotFound()
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_log(
            actor=actor,
            action=AuditAction.TOKEN,
            object_type="api_token",
            object_id=token.pk,
            object_label=f"{token.user.username}:{token.prefix}",
            reason="吊销",
        )
    return token


# What decides what a user may see and do: every change of these is an audit event.
ACCESS_FIELDS = ("role", "area_id", "is_active", "is_staff", "is_superuser")


def _access_of(values: dict[str, object]) -> dict[str, object]:
    out = {f: values.get(f) for f in ACCESS_FIELDS}
    area_id = out.pop("area_id")
    out["area"] = Area.objects.filter(pk=cast(int, area_id)).values_list("code", flat=True).first() if area_id else None
    return out


def user_admin_save(*, actor: Actor, user: User, created: bool) -> User:
    """Save a user edited in the Django admin, with an audit row naming the old and new role,
    area and access flags (a village cadre made county administrator is never silent). [SECURITY T-82]"""
    with transaction.atomic():
        stored = None if created else User.objects.filter(pk=user.pk).values(*ACCESS_FIELDS).first()
        before = _access_of(stored) if stored else {}
        user.save()
        after = _access_of({f: getattr(user, f) for f in ACCESS_FIELDS})
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if created or changes:
            audit_log(
                actor=actor,
                action=AuditAction.CREATE if created else AuditAction.UPDATE,
                object_type="user",
                object_id=user.pk,
                object_label=user.username,
                # The new area (else the old), so that area's auditors see who now works in it.
                area_code=str(after["area"] or before.get("area") or ""),
                changes=changes,
                reason="系统管理后台",
            )
    return user
