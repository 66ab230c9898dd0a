"""Audit log search for auditors: scoped to the events of their area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fangpin.core.keyset import KeysetPage, keyset_page
from fangpin.core.models import AuditAction, AuditEvent
from fangpin.core.scoping import visible


def audit_visible(user: Any) -> QuerySet[AuditEvent]:
    """Events about objects in the user's area, or done by users of that area."""
    return visible(AuditEvent.objects.all(), user)


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    household_id: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_query(cls, q: Any) -> AuditFilter:
        return cls(
            actor=(q.get("actor") or "").strip()[:150],
            action=q.get("action") or "",
            object_type=(q.get("object_type") or "").strip()[:40],
            object_id=(q.get("object_id") or "").strip()[:40],
            household_id=(q.get("household_id") or "").strip()[:20],
            since=_date(q.get("since")),
            until=_date(q.get("until")),
        )

    @staticmethod
    def action_choices() -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in AuditAction.choices]


def audit_search(*, user: Any, filters: AuditFilter, cursor: int | None, size: int) -> KeysetPage[AuditEvent]:
    qs = audit_visible(user)
    if filters.actor:
        qs = qs.filter(actor_name=filters.actor)
    if filters.action in AuditAction.values:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.household_id.isdigit():
        qs = qs.filter(household_id=int(filters.household_id))
    tz = timezone.get_current_timezone()
    if filters.since:
        qs = qs.filter(at__gte=datetime.combine(filters.since, time.min, tz))
    if filters.until:
        qs = qs.filter(at__lte=datetime.combine(filters.until, time.max, tz))
    return keyset_page(qs, cursor=cursor, size=size)
