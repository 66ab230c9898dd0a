"""The pure arithmetic of a clock (no Django): the state of one deadline, how far it has
escalated, a step's due date, a due date counted on the county calendar. The engine's SLA
mechanism, its recompute and monitoring's rules read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from fangpin.policy.rules import WorkCalendar

ON_TRACK, DUE_SOON, OVERDUE, ESCALATED = "on_track", "due_soon", "overdue", "escalated"
CALENDAR_DAYS, WORKING_DAYS = "calendar_days", "working_days"


def clock_state(*, today: date, due: date, due_soon_days: int) -> str:
    """on_track / due_soon / overdue for one deadline."""
    if today > due:
        return OVERDUE
    if (due - today).days <= due_soon_days:
        return DUE_SOON
    return ON_TRACK


def escalation_level(*, today: date, due: date, step_days: int, max_level: int = 2) -> int:
    """0 = not overdue; 1 = overdue (the next level up is told); each further `step_days`
    overdue moves it one level higher, up to `max_level`. [L-Anhui 2022]"""
    if today <= due:
        return 0
    return min(max_level, 1 + ((today - due).days - 1) // max(step_days, 1))


def step_due(*, step_start: date, step_days: int | None, overall_due: date) -> date:
    """A step's deadline: its own limit, never later than the overall deadline."""
    if not step_days:
        return overall_due
    return min(step_start + timedelta(days=step_days), overall_due)


@dataclass(frozen=True)
class TimeLimit:
    """A time limit with its unit, as stored in the policy parameter."""

    value: int
    unit: str = CALENDAR_DAYS

    @classmethod
    def of(cls, raw: dict[str, Any] | TimeLimit) -> TimeLimit:
        return raw if isinstance(raw, TimeLimit) else cls(int(raw["value"]), raw.get("unit", CALENDAR_DAYS))

    @property
    def label(self) -> str:
        return f"{self.value}个{'工作日' if self.unit == WORKING_DAYS else '自然日'}"


class Due(NamedTuple):
    """A due date, and whether it was counted across a year whose schedule is not entered
    yet (暂按周末推算: recomputed when the year is entered)."""

    on: date
    provisional: bool = False


def add_limit(start: date, limit: TimeLimit | dict[str, Any], calendar: WorkCalendar) -> Due:
    """The due date `limit` after `start` (start day not counted). [R-ID-4, CONFIG unit]"""
    limit = TimeLimit.of(limit)
    if limit.unit == CALENDAR_DAYS:
        return Due(start + timedelta(days=limit.value))
    if limit.unit != WORKING_DAYS:
        raise ValueError(f"未知的时限单位：{limit.unit}")
    day, left, provisional = start, limit.value, False
    while left > 0:
        day += timedelta(days=1)
        provisional = provisional or not calendar.covers(day)
        if calendar.is_working_day(day):
            left -= 1
    return Due(day, provisional)


def days_left(*, today: date, due: date, calendar: WorkCalendar, unit: str = CALENDAR_DAYS) -> int:
    """Days until `due` in `unit` (negative when overdue)."""
    if unit == CALENDAR_DAYS:
        return (due - today).days
    sign, lo, hi = (1, today, due) if due >= today else (-1, due, today)
    count, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return sign * count
