"""The thin adapter to the monitoring app's clue service (issue 3).

Datafeeds sits above monitoring in the app stack, so it imports the clue service and the clue model
directly: each warning becomes a clue through `clue_create_many(*, items, actor, channel)`, where
each item holds the keyword arguments of `clue_create`.
"""

from __future__ import annotations

from typing import Any

from fangpin.core.actor import Actor
from fangpin.monitoring.models import RiskClue
from fangpin.monitoring.services import clue_create_many

# What a warning copies back from its clue (`services.outcomes.warning_sync_outcomes`).
STATE_FIELDS = ("status", "outcome", "closed_at")


def create_clues(*, items: list[dict[str, Any]], actor: Actor) -> list[RiskClue]:
    """Create one clue per item through the monitoring service (the system channel)."""
    if not items:
        return []
    return list(clue_create_many(items=items, actor=actor, channel="system"))


def clue_states(clue_ids: list[int]) -> dict[int, dict[str, Any]]:
    """status / outcome / closed_at of the given clues."""
    if not clue_ids:
        return {}
    rows = RiskClue.objects.filter(id__in=clue_ids).values("id", *STATE_FIELDS)
    return {row["id"]: row for row in rows}
