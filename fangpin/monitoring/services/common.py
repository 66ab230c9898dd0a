"""Helpers shared by the monitoring services: policy reads, locking with the
version check, and the one event writer (timeline + audit + outbox)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from django.db import IntegrityError, models
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fangpin.core.models import AuditAction
from fangpin.core.scoping import area_in_scope
from fangpin.monitoring import rules, workflow
from fangpin.monitoring.models import CaseEvent, Notification
from fangpin.policy.selectors import policy_get, work_calendar

M = TypeVar("M", bound=models.Model)
ROLE_LEVEL = {
    "village_cadre": "village",
    "grid_worker": "grid",
    "township_staff": "township",
    "county_staff": "county",
    "county_admin": "county",
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def today() -> date:
    return timezone.localdate()


def param(key: str, *, area: Any, on: date | None = None) -> Any:
    """A policy parameter's value for the area on the day (effective-dated)."""
    return policy_get(key, area=area, on=on or today()).value


def time_limit(key: str, *, area: Any, on: date | None = None) -> rules.TimeLimit:
    return rules.TimeLimit.of(param(key, area=area, on=on))


def add_limit(start: date, limit: rules.TimeLimit, *, area: Any) -> rules.Due:
    """The due date on the area's official calendar; never refused for a year not entered
    yet: such a due date is provisional (暂按周末推算). [R-ID-4, issue 12]"""
    return rules.add_limit(start, limit, work_calendar(area=area))


def new_code(prefix: str, length: int = 8) -> str:
    return prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def role_of(actor: Actor) -> str:
    """The acting role; system jobs and commands act as "system"."""
    user = actor.user
    if user is None:
        return "system"
    if user.scope_area is None:
        raise Forbidden("您的账号未绑定有效的区划，无法办理。")
    return user.role


def require_in_area(actor: Actor, village: Any, household: Any = None) -> None:
    """Services re-check scope: a crafted id cannot reach another village (404).
    A grid worker reaches only households of the grid."""
    user = actor.user
    if user is None:
        return
    area = user.scope_area
    if area is not None and area.level == "grid":
        if household is None or household.grid_id != area.pk:
            raise NotFound()
        return
    if not area_in_scope(user, village):
        raise NotFound()


def lock(model: type[M], pk: int, expected_version: int | None) -> M:
    """Row lock, then the optimistic version check: two people acting at once →
    exactly one wins, the other gets a clear conflict."""
    try:
        obj = model._default_manager.select_for_update().get(pk=pk)
    except model.DoesNotExist as exc:
        raise NotFound() from exc
    if expected_version is not None and obj.version != expected_version:  # type: ignore[attr-defined]
        raise Conflict("该记录已被他人办理（状态已变化），请刷新页面后查看最新情况。")
    return obj


def move_and_save(obj: Any, *, target: str, on: Any, fields: list[str]) -> str:
    """Set the case's state from its transition row (a new step restarts the step clock), save with a
    version bump; return the state it left."""
    from_state = obj.status
    if target != from_state:
        obj.status = target
        obj.step_started_on = on
        fields = [*fields, "status", "step_started_on"]
    bump(obj, fields)
    return from_state


def bump(obj: Any, fields: Iterable[str]) -> None:
    obj.version += 1
    obj.updated_at = timezone.now()
    obj.save(update_fields=[*fields, "version", "updated_at"])


def check_reason(row: workflow.Transition, reason: str) -> str:
    reason = (reason or "").strip()
    if row.needs_reason and not reason:
        raise InvalidInput(f"理由：“{workflow.ACTION_LABELS.get(row.action, row.action)}”须填写理由。")
    if len(reason) > 2000:
        raise InvalidInput("理由：不能超过2000字。")
    return reason


def save_unique(obj: models.Model, message: str) -> None:
    """Insert relying on a unique constraint (double-click → one record)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(message) from exc


def _recipients(machine: str, state: str, village_code: str) -> list[User]:
    """Users who must act next on a case in `state` at the rows' own level."""
    return recipients_many(machine, {village_code}, {state}).get((village_code, state), [])


def recipients_many(machine: str, codes: set[str], states: set[str]) -> dict[tuple[str, str], list[User]]:
    """`_recipients` for many (village, state) pairs: one user query for all of them.  A user acts
    at their own level (village, township or county above the row's village)."""
    wanted = {
        (role, state)
        for state in states
        for t in workflow.MACHINES[machine]
        if t.source == state
        for role in t.roles
        if ROLE_LEVEL.get(role) == t.level
    }
    if not wanted:
        return {}
    chains = {c: list(dict.fromkeys([c, c[:9] + "000", c[:6] + "000000"])) for c in codes}
    users = User.objects.filter(
        is_active=True,
        role__in={role for role, _ in wanted},
        area__code__in={a for chain in chains.values() for a in chain},
    ).select_related("area")
    by_area: dict[str, list[User]] = {}
    for u in users:
        if u.scope_area is not None and ROLE_LEVEL.get(u.role) == u.area.level:
            by_area.setdefault(u.area.code, []).append(u)
    return {
        (code, state): [u for a in chain for u in by_area.get(a, ()) if (u.role, state) in wanted]
        for state in states
        for code, chain in chains.items()
    }


def record_event(
    *,
    machine: str,
    obj: Any,
    action: str,
    from_state: str,
    to_state: str,
    actor: Actor,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    title: str = "",
    url: str = "",
    notify: bool = True,
    audit_changes: dict[str, Any] | None = None,
) -> CaseEvent:
    """The timeline row, its audit row and the notifications, in the caller's transaction."""
    user = actor.user
    household_id = getattr(obj, "household_id", None)
    event = CaseEvent.objects.create(
        case_kind=machine,
        case_id=obj.pk,
        village_code=obj.village_code,
        household_id=household_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        actor=user,
        actor_name=(getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "系统",
        channel=actor.channel,
    )
    audit_log(
        actor=actor,
        action=AuditAction.TRANSITION if from_state else AuditAction.CREATE,
        object_type=f"monitoring.{machine}",
        object_id=obj.pk,
        object_label=str(obj),
        area_code=obj.village_code,
        household_id=household_id,
        changes={"status": [from_state or None, to_state], "action": [None, action], **(audit_changes or {})},
        reason=reason,
    )
    if notify:
        recipients = [u for u in _recipients(machine, to_state, obj.village_code) if u != user]
        Notification.objects.bulk_create(
            [
                Notification(
                    user=u, event=event, village_code=obj.village_code, title=title or str(obj), body=reason, url=url
                )
                for u in recipients
            ]
        )
    event.dispatched_at = timezone.now()
    event.save(update_fields=["dispatched_at"])
    return event
