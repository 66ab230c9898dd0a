"""The one transition service: role → scope → row lock (+ version check) → table →
reason → guards → stamp → effect → save → event row, in one transaction; what must
happen outside it (dispatch) runs on commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionRefused
from fangpin.core.scoping import area_in_scope
from fangpin.engine.events import record_event
from fangpin.engine.machine import Machine, Row, get
from fangpin.engine.models import CaseEvent

M = TypeVar("M", bound=models.Model)


@dataclass
class Step:
    """What a guard or an effect sees: the locked object, the row, who acts, on which day,
    the reason and the caller's inputs. Hooks may add changed fields, event payload and
    work to do once the event row exists (`after_event`, same transaction)."""

    machine: Machine
    obj: Any
    row: Row
    actor: Actor
    on: date
    reason: str
    inputs: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    after_event: list[Callable[[CaseEvent], None]] = field(default_factory=list)


def role_of(actor: Actor) -> str:
    """The acting role; system jobs and commands act as "system"."""
    user = actor.user
    if user is None:
        return "system"
    if user.scope_area is None:
        raise Forbidden("您的账号未绑定有效的区划，无法办理。")
    return str(user.role)


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


def lock(model: type[M], pk: int, expected_version: int | None, *, message: str = "") -> M:
    """Row lock, then the optimistic version check: two people acting at once →
    exactly one wins, the other gets a clear conflict."""
    try:
        obj = model._default_manager.select_for_update().get(pk=pk)
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise NotFound() from exc
    if expected_version is not None and getattr(obj, "version", None) != expected_version:
        raise Conflict(message or "该记录已被他人办理（状态已变化），请刷新页面后查看最新情况。")
    return obj


def check_reason(machine: Machine, row: Row, reason: str) -> str:
    reason = (reason or "").strip()
    if row.needs_reason and not reason:
        raise InvalidInput(machine.message("reason", action=machine.label_of(row.action)))
    if len(reason) > 2000:
        raise InvalidInput("理由：不能超过2000字。")
    return reason


def bump(obj: Any, fields: list[str]) -> None:
    obj.version += 1
    obj.updated_at = timezone.now()
    obj.save(update_fields=list(dict.fromkeys([*fields, "version", "updated_at"])))


def run_guards(step: Step) -> None:
    """Each guard of the row in order; the first that finds problems refuses, listing all of them."""
    for name in step.row.guards:
        guard = step.machine.guards[name]
        problems = guard.check(step)
        if problems:
            message = guard.heading + ("；".join(problems) if guard.join else "")
            raise TransitionRefused(message, reasons=problems if guard.list_reasons else ())


def _stamp(step: Step) -> None:
    name = step.row.stamp
    if name is None:
        return
    is_moment = isinstance(type(step.obj)._meta.get_field(name), models.DateTimeField)
    setattr(step.obj, name, timezone.now() if is_moment else step.on)
    step.changed.append(name)


def _move(step: Step) -> str:
    obj, target = step.obj, step.row.target
    from_state = str(obj.status)
    if target != from_state:
        obj.status = target
        step.changed.append("status")
        if step.machine.step_field:
            setattr(obj, step.machine.step_field, step.on)
            step.changed.append(step.machine.step_field)
    bump(obj, step.changed)
    return from_state


def transition(
    *,
    machine: str | Machine,
    obj: Any,
    action: str,
    actor: Actor,
    reason: str = "",
    expected_version: int | None = None,
    inputs: dict[str, Any] | None = None,
    internal: bool = False,
    on: date | None = None,
) -> Any:
    """Move `obj` through `machine`'s table. `internal` fires a SYSTEM row from another
    service (no role or scope check: that service checked them); anything not in the
    table is refused. Returns the locked, saved object."""
    m = get(machine)
    role = "system" if internal else role_of(actor)
    if not internal and m.authorize is not None:
        m.authorize(actor, obj)
    elif not internal and m.scope is not None:
        require_in_area(actor, *m.scope(obj))
    day = on or (m.today() if m.today else timezone.localdate())
    with transaction.atomic():
        locked = lock(type(obj), obj.pk, expected_version, message=m.message("conflict"))
        label = getattr(locked, "get_status_display", lambda: "")()
        row = m.row(state=str(locked.status), action=action, role=role, state_label=str(label))
        step = Step(m, locked, row, actor, day, check_reason(m, row, reason), dict(inputs or {}))
        if m.prepare is not None:
            step.changed += m.prepare(step)
        run_guards(step)
        _stamp(step)
        if row.effect is not None:
            step.changed += m.effects[row.effect](step)
        from_state = _move(step)
        event = record_event(
            machine=m.name,
            obj=locked,
            action=action,
            from_state=from_state,
            to_state=str(locked.status),
            actor=actor,
            reason=m.event_reason(step) if m.event_reason is not None else step.reason,
            payload=step.payload,
            title=m.title(locked, action),
            url=m.url(locked),
            notify=m.notify,
            village_code=m.village_code(locked),
        )
        for later in step.after_event:
            later(event)
    return locked
