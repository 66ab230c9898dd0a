"""The one event writer: the timeline row, its audit row and the notifications, in the
caller's transaction. The event is also the outbox: it is marked dispatched by the
dispatcher after the transaction committed (`transaction.on_commit`), never inside it,
and the sweep marks any the process lost before its commit hook ran."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log, audit_log_many
from fangpin.core.bulk import bulk_insert
from fangpin.core.models import AuditAction
from fangpin.engine.machine import REGISTRY, rows_of
from fangpin.engine.models import CaseEvent, Notification

ROLE_LEVEL = {
    "village_cadre": "village",
    "grid_worker": "grid",
    "township_staff": "township",
    "county_staff": "county",
    "county_admin": "county",
}


def recipients(machine: str, state: str, village_code: str) -> list[User]:
    """Users who must act next on an object in `state` at the rows' own level."""
    return recipients_many(machine, {village_code}, {state}).get((village_code, state), [])


def _wanted(machine: str, states: set[str]) -> set[tuple[str, str]]:
    return {
        (role, t.source)
        for t in rows_of(machine)
        if t.source in states
        for role in t.roles
        if ROLE_LEVEL.get(role) == t.level
    }


def recipients_many(machine: str, codes: set[str], states: set[str]) -> dict[tuple[str, str], list[User]]:
    """`recipients` for many (village, state) pairs: one user query for all of them. A user
    acts at their own level (village, township or county above the row's village)."""
    wanted = _wanted(machine, states)
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
        if u.area is not None and u.scope_area is not None and ROLE_LEVEL.get(u.role) == u.area.level:
            by_area.setdefault(u.area.code, []).append(u)
    return {
        (code, state): [u for a in chain for u in by_area.get(a, ()) if (u.role, state) in wanted]
        for state in states
        for code, chain in chains.items()
    }


def actor_name(actor: Actor) -> str:
    user = actor.user
    return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "系统"


def _audit_type(machine: str) -> str:
    declared = REGISTRY.get(machine)
    return (declared.audit_type if declared is not None else "") or f"monitoring.{machine}"


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
    village_code: str | None = None,
) -> CaseEvent:
    """The timeline row, its audit row and the notifications, in the caller's transaction;
    dispatched (marked sent) after commit."""
    user = actor.user
    household_id = getattr(obj, "household_id", None)
    code = village_code if village_code is not None else obj.village_code
    event = CaseEvent.objects.create(
        case_kind=machine,
        case_id=obj.pk,
        village_code=code,
        household_id=household_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        actor=user,
        actor_name=actor_name(actor),
        channel=actor.channel,
    )
    audit_log(
        actor=actor,
        action=AuditAction.TRANSITION if from_state else AuditAction.CREATE,
        object_type=_audit_type(machine),
        object_id=obj.pk,
        object_label=str(obj),
        area_code=code,
        household_id=household_id,
        changes={"status": [from_state or None, to_state], "action": [None, action], **(audit_changes or {})},
        reason=reason,
    )
    if notify:
        users = [u for u in recipients(machine, to_state, code) if u != user]
        Notification.objects.bulk_create(
            [
                Notification(user=u, event=event, village_code=code, title=title or str(obj), body=reason, url=url)
                for u in users
            ]
        )
    dispatch_on_commit([event.pk])
    return event


def dispatch_on_commit(event_ids: Iterable[int]) -> None:
    """Mark the events dispatched once (and only if) the writing transaction commits."""
    ids = list(event_ids)
    transaction.on_commit(lambda: outbox_dispatch(ids=ids))


def outbox_dispatch(*, ids: list[int] | None = None) -> int:
    """The sender: mark undispatched events (these, or every one left behind) as sent."""
    pending = CaseEvent.objects.filter(dispatched_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    return pending.update(dispatched_at=timezone.now())


def record_events_many(
    *,
    machine: str,
    objs: list[Any],
    actor: Actor,
    action: str,
    payload: Callable[[Any], dict[str, Any]],
    summary_title: Callable[[int], str],
    url: str,
) -> None:
    """`record_event` for a batch of new objects (a department's monthly clues): set-based
    event and audit inserts, and one summary notification per recipient instead of one per
    object; dispatched after commit like every event."""
    if not objs:
        return
    name, now = actor_name(actor), timezone.now()
    bulk_insert(CaseEvent, (_event_row(machine, o, action, payload(o), actor, name, now) for o in objs))
    audit_log_many(
        actor=actor,
        events=[
            {
                "action": AuditAction.CREATE,
                "object_type": _audit_type(machine),
                "object_id": str(o.pk),
                "object_label": str(o),
                "area_code": o.village_code,
                "household_id": o.household_id,
                "changes": {"status": [None, o.status], "action": [None, action]},
                "reason": "",
            }
            for o in objs
        ],
    )
    transaction.on_commit(outbox_dispatch)
    counts: dict[int, tuple[Any, int]] = {}
    by_village = recipients_many(machine, {o.village_code for o in objs}, {o.status for o in objs})
    for o in objs:
        for recipient in by_village.get((o.village_code, o.status), []):
            counts[recipient.pk] = (recipient, counts.get(recipient.pk, (recipient, 0))[1] + 1)
    Notification.objects.bulk_create(
        [Notification(user=u, title=summary_title(n), url=url) for u, n in counts.values()]
    )


def _event_row(
    machine: str, obj: Any, action: str, payload: dict[str, Any], actor: Actor, name: str, now: Any
) -> dict[str, Any]:
    return {
        "case_kind": machine,
        "case_id": obj.pk,
        "village_code": obj.village_code,
        "household_id": obj.household_id,
        "action": action,
        "from_state": "",
        "to_state": obj.status,
        "reason": "",
        "payload": payload,
        "actor_id": getattr(actor.user, "pk", None),
        "actor_name": name,
        "channel": actor.channel,
        "at": now,
        "dispatched_at": None,  # the outbox: marked by the dispatcher after commit
    }
