"""A machine declared as data: its rows (the literal table in the owning app's
workflow.py), its named guards and effects, its deadlines, how to find an object's
area and how to title its timeline. The registry holds every machine by name, so a
service moves another machine's object by name without importing its module."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from fangpin.core.errors import Forbidden, TransitionRefused

if TYPE_CHECKING:
    from fangpin.engine.service import Step

SYSTEM = frozenset({"system"})
DEFAULT_MESSAGES = {
    "not_in_table": "当前状态下不能执行“{action}”。",
    "role": "您的角色不能执行“{action}”。",
    "reason": "理由：“{action}”须填写理由。",
    "conflict": "该记录已被他人办理（状态已变化），请刷新页面后查看最新情况。",
}


@dataclass(frozen=True)
class Row:
    """One line of a transition table. `guards` are names of the machine's guards, run in
    order; `stamp` is the date (or datetime) field the step sets to today; `effect` names the
    machine's hook that records the rest."""

    source: str
    action: str
    target: str
    roles: frozenset[str]
    level: str
    guards: tuple[str, ...] = ()
    needs_reason: bool = False
    stamp: str | None = None
    effect: str | None = None

    @property
    def guard(self) -> str | None:
        """The guard names joined by "+" (how the docs and diagrams show them)."""
        return "+".join(self.guards) or None


def table(rows: Iterable[tuple[Any, ...]]) -> tuple[Row, ...]:
    """Rows from literal tuples: (source, action, target, roles, level, guards, needs_reason, stamp, effect)."""
    return tuple(Row(*row) for row in rows)


@dataclass(frozen=True)
class Guard:
    """A named check returning every problem (Chinese) that stops the step ([] = may).
    The refusal reads `heading` + the problems joined by "；" (or `heading` alone, the
    problems then listed as reasons)."""

    check: Callable[[Step], list[str]]
    heading: str = ""
    join: bool = True
    list_reasons: bool = True


Effect = Callable[["Step"], list[str]]  # records the step's facts; returns the fields it changed


@dataclass(frozen=True)
class Deadline:
    """A statutory clock: `param` (a policy TimeLimit) counted from `start` (a date or
    datetime field) on the county calendar, written to `due` (+ `due`_provisional),
    running while the object is in one of `states` (empty: any state but `closed`).
    `steps` names a policy parameter of per-state limits in days: the running step is then
    due that many days after it started (`step_start(obj)`, else the machine's
    `step_field`), never later than `due`."""

    name: str
    label: str
    param: str
    start: str
    due: str
    states: frozenset[str] = frozenset()
    steps: str | None = None
    step_start: Callable[[Any], date | None] | None = None
    provisional_field: str = ""  # default `<due>_provisional`

    @property
    def provisional(self) -> str:
        return self.provisional_field or f"{self.due}_provisional"


@dataclass(frozen=True)
class Machine:
    name: str
    label: str
    rows: tuple[Row, ...]
    action_labels: Mapping[str, Any]  # str or a lazily translated label
    model: type | None = None
    states: tuple[str, ...] = ()
    closed: frozenset[str] = frozenset()
    guards: Mapping[str, Guard] = field(default_factory=dict)
    effects: Mapping[str, Effect] = field(default_factory=dict)
    deadlines: tuple[Deadline, ...] = ()
    scope: Callable[[Any], tuple[Any, Any]] | None = None  # obj -> (village, household) for the scope check
    title: Callable[[Any, str], str] = lambda obj, action: str(obj)
    url: Callable[[Any], str] = lambda obj: ""
    prepare: Callable[[Step], list[str]] | None = None  # after the lock, before the guards (inputs)
    step_field: str | None = None  # restarted when the state changes (the step clock)
    audit_type: str = ""
    event_reason: Callable[[Step], str] | None = None  # the timeline's reason (default: the step's reason)
    # Instead of the role-and-area check (e.g. a permission and a visibility query); raises.
    authorize: Callable[[Any, Any], None] | None = None
    village_code: Callable[[Any], str] = lambda obj: str(obj.village_code)
    notify: bool = True  # notifications to whoever acts next (rows' roles at their level)
    messages: Mapping[str, str] = field(default_factory=dict)  # "not_in_table", "role", "reason", "conflict"
    today: Callable[[], date] | None = None
    reference: Callable[[Any], str] = lambda obj: str(obj)  # the number a queue or reminder shows
    prefetch: tuple[str, ...] = ()  # relations its clock reads (the queue and sweep prefetch them)

    def label_of(self, action: str) -> str:
        return str(self.action_labels.get(action, action))

    def message(self, key: str, **values: str) -> str:
        return self.messages.get(key, DEFAULT_MESSAGES[key]).format(**values)

    def row(self, *, state: str, action: str, role: str, state_label: str = "") -> Row:
        """The row for (state, action) if `role` may fire it; else a clear Chinese refusal."""
        rows = [t for t in self.rows if t.source == state and t.action == action]
        words = {"action": self.label_of(action), "state": state_label or state}
        if not rows:
            raise TransitionRefused(self.message("not_in_table", **words))
        if role not in rows[0].roles:
            raise Forbidden(self.message("role", **words))
        return rows[0]

    def allowed(self, *, state: str, role: str) -> list[Row]:
        return [t for t in self.rows if t.source == state and role in t.roles]

    def acting_roles(self, state: str) -> set[str]:
        return {r for t in self.rows if t.source == state for r in t.roles} - SYSTEM


REGISTRY: dict[str, Machine] = {}


def register(machine: Machine) -> Machine:
    """Add (or replace, for a re-imported module) a machine in the registry."""
    REGISTRY[machine.name] = machine
    return machine


def get(name: str | Machine) -> Machine:
    return name if isinstance(name, Machine) else REGISTRY[name]


def rows_of(name: str) -> tuple[Row, ...]:
    machine = REGISTRY.get(name)
    return machine.rows if machine is not None else ()


def mermaid(rows: Iterable[Row]) -> str:
    """A Mermaid state diagram generated from a table."""
    lines = ["stateDiagram-v2"]
    for t in rows:
        roles = "/".join(sorted(t.roles))
        extra = (f" [{t.guard}]" if t.guard else "") + (" (理由)" if t.needs_reason else "")
        lines.append(f"    {t.source} --> {t.target}: {t.action} · {roles}{extra}")
    return "\n".join(lines)
