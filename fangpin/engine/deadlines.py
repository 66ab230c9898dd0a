"""Recomputing declared deadlines when an official holiday schedule changes: for every
registered machine, each open object's working-day deadlines are counted again from their
declaration (start field, the limit in force on the start day, due field and its
`<due>_provisional`), with one `deadline_recomputed` timeline event per moved object."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import DateTimeField, QuerySet
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.engine.clock import Due, TimeLimit, add_limit
from fangpin.engine.events import record_event
from fangpin.engine.machine import REGISTRY, Deadline, Machine
from fangpin.policy.selectors import policy_get, work_calendar

ACTION = "deadline_recomputed"
PROVISIONAL = "（暂按周末推算）"
Change = tuple[str, Due, Due]


def label(due: Due) -> str:
    return f"{due.on:%Y-%m-%d}{PROVISIONAL if due.provisional else ''}"


def in_area(qs: QuerySet[Any], prefix: str | None) -> QuerySet[Any]:
    return qs if prefix is None else qs.filter(village_code__startswith=prefix)


def touches(qs: QuerySet[Any], start_field: str, due_field: str, years: set[int]) -> QuerySet[Any]:
    """Rows whose counted days, (start, due], may lie in one of the changed years."""
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    return qs.filter(**{f"{start_field}__lte": last, f"{due_field}__gte": first})


def moved_event(obj: Any, machine: str, changes: list[Change], actor: Actor) -> None:
    """One timeline event for everything that moved on `obj`."""
    record_event(
        machine=machine,
        obj=obj,
        action=ACTION,
        from_state=obj.status,
        to_state=obj.status,
        actor=actor,
        reason="；".join(
            f"{what}按新录入的放假安排重新计算：原 {label(old)}，现 {label(new)}" for what, old, new in changes
        ),
        notify=False,
        audit_changes={what: [label(old), label(new)] for what, old, new in changes},
    )


def _start_day(value: Any) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _lookup(model: Any, start: str) -> str:
    """The start field as a date lookup (a datetime start counts from its local day)."""
    return f"{start}__date" if isinstance(model._meta.get_field(start), DateTimeField) else start


def _recount(obj: Any, deadline: Deadline) -> Change | None:
    """The deadline counted again; None when it has no due date yet or did not move."""
    old = Due(getattr(obj, deadline.due), getattr(obj, deadline.provisional))
    if old.on is None:
        return None
    day = _start_day(getattr(obj, deadline.start))
    limit = TimeLimit.of(policy_get(deadline.param, area=obj.village, on=day).value)
    new = add_limit(day, limit, work_calendar(area=obj.village))
    if new == old:
        return None
    setattr(obj, deadline.due, new.on)
    setattr(obj, deadline.provisional, new.provisional)
    return (deadline.label, old, new)


def recompute_machine(machine: Machine, *, prefix: str | None, years: set[int], actor: Actor) -> int:
    """Recount the deadlines of `machine`'s open objects in the area; the count moved."""
    model: Any = machine.model
    first = machine.deadlines[0]
    qs = in_area(model.objects.exclude(status__in=machine.closed), prefix)
    qs = touches(qs, _lookup(model, first.start), machine.deadlines[-1].due, years)
    moved = 0
    for obj in qs.select_related("village").select_for_update(of=("self",)):
        changes = [c for c in (_recount(obj, d) for d in machine.deadlines) if c is not None]
        if changes:
            obj.save(update_fields=[f for d in machine.deadlines for f in (d.due, d.provisional)])
            moved_event(obj, machine.name, changes, actor)
            moved += 1
    return moved


def deadlines_recompute(*, prefix: str | None, years: set[int], actor: Actor) -> int:
    """Recount, in the caller's transaction, the declared deadlines of every registered
    machine's open objects in the area (`prefix` None = all) that count days of `years`."""
    if not years:
        return 0
    machines = [m for m in REGISTRY.values() if m.deadlines and m.model is not None]
    return sum(recompute_machine(m, prefix=prefix, years=years, actor=actor) for m in machines)
