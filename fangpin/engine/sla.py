"""The one SLA mechanism: a machine's declared deadlines give every open object a clock
(on track / due soon / overdue, and how far it has escalated), read by the work queue,
the reminders and the escalation. A new machine gets all three by declaring a Deadline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fangpin.engine.clock import DUE_SOON, ESCALATED, ON_TRACK, OVERDUE, clock_state, escalation_level, step_due
from fangpin.engine.machine import Deadline, Machine

LABELS = {ON_TRACK: "正常", DUE_SOON: "即将到期", OVERDUE: "已超期", ESCALATED: "已超期并上报"}


@dataclass(frozen=True)
class Sla:
    """One clock: the running deadline's due date, its state and escalation level."""

    deadline: str
    due: date
    overall_due: date | None
    state: str
    days_left: int
    escalation: int

    @property
    def phase(self) -> str:
        """The four-way reading: escalated once it has gone past the first level up."""
        return ESCALATED if self.escalation > 1 else self.state

    @property
    def label(self) -> str:
        return LABELS[self.phase]


def running(machine: Machine, obj: Any) -> Deadline | None:
    """The deadline running for `obj` now (the first whose states hold it), None when closed."""
    if str(obj.status) in machine.closed:
        return None
    for deadline in machine.deadlines:
        if not deadline.states or str(obj.status) in deadline.states:
            return deadline
    return None


def _day(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _step_of(machine: Machine, deadline: Deadline, obj: Any, *, due: date, on: date, limits: Any) -> date:
    """The running step's due date under the per-state `limits` (the deadline's own otherwise)."""
    start = deadline.step_start(obj) if deadline.step_start is not None else None
    if start is None:
        start = _day(getattr(obj, machine.step_field)) if machine.step_field else None
    return step_due(step_start=start or on, step_days=dict(limits).get(str(obj.status)), overall_due=due)


def sla_of(
    machine: Machine, obj: Any, *, on: date, setting: Callable[[str, Any], Any], village: Any = None
) -> Sla | None:
    """The clock of `obj` on `on`; `setting(key, village)` reads due_soon_days and
    escalation_step_days (the policy parameters, cached by the caller)."""
    deadline = running(machine, obj)
    if deadline is None:
        return None
    due = _day(getattr(obj, deadline.due)) or on
    overall = _day(getattr(obj, machine.deadlines[-1].due))
    area = village if village is not None else getattr(obj, "village", None)
    if deadline.steps is not None:
        limits = setting(deadline.steps, area) or {}
        due = _step_of(machine, deadline, obj, due=due, on=on, limits=limits)
    soon, step = int(setting("due_soon_days", area)), int(setting("escalation_step_days", area))
    return Sla(
        deadline=deadline.name,
        due=due,
        overall_due=overall,
        state=clock_state(today=on, due=due, due_soon_days=soon),
        days_left=(due - on).days,
        escalation=escalation_level(today=on, due=due, step_days=step),
    )
