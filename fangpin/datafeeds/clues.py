"""The thin adapter to the monitoring app's clue service (issue 3).

Contract: `fangpin.monitoring.services.clue_create_many(*, items, actor, channel)`
where each item holds the keyword arguments of `clue_create`.  Until that app
is installed, warnings stop at "received" and nothing else happens here.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


def clue_service() -> Any | None:
    try:
        module = import_module("fangpin.monitoring.services")
    except ImportError:
        return None
    return getattr(module, "clue_create_many", None)


def clue_model() -> Any | None:
    try:
        return import_module("fangpin.monitoring.models").RiskClue
    except (ImportError, AttributeError):
        return None


def create_clues(*, items: list[dict[str, Any]], actor: Any) -> list[Any] | None:
    """Create one clue per item through the monitoring service; None if it is not installed."""
    service = clue_service()
    if service is None or not items:
        return None
    return list(service(items=items, actor=actor, channel="system"))


def clue_states(clue_ids: list[int]) -> dict[int, dict[str, Any]]:
    """status / outcome / closed_at of the given clues (empty until the monitoring app exists)."""
    model = clue_model()
    if model is None or not clue_ids:
        return {}
    fields = [f.name for f in model._meta.get_fields()]
    wanted = [f for f in ("status", "outcome", "closed_at") if f in fields]
    return {row["id"]: row for row in model.objects.filter(id__in=clue_ids).values("id", *wanted)}
