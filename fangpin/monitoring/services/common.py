"""Helpers shared by the monitoring services: policy reads and due dates. The lock,
the scope check and the one event writer are the engine's (re-exported here)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from fangpin.core.errors import Conflict
from fangpin.engine.events import ROLE_LEVEL, recipients, recipients_many, record_event
from fangpin.engine.service import bump, lock, require_in_area, role_of
from fangpin.monitoring import rules
from fangpin.policy.selectors import policy_get, work_calendar

M = TypeVar("M", bound=models.Model)
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


def save_unique(obj: models.Model, message: str) -> None:
    """Insert relying on a unique constraint (double-click → one record)."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(message) from exc


__all__ = [
    "ROLE_LEVEL",
    "bump",
    "lock",
    "recipients",
    "recipients_many",
    "record_event",
    "require_in_area",
    "role_of",
]
