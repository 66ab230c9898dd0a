"""Reading areas: always the user's own subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fangpin.areas.models import Area, AreaLevel


def areas_visible(user: Any) -> QuerySet[Area]:
    """The user's area and everything below it; nothing for a user without a fitting area."""
    area = getattr(user, "scope_area", None)
    if area is None:
        return Area.objects.none()
    if area.level == AreaLevel.GRID:
        return Area.objects.filter(pk=area.pk)
    return Area.objects.filter(code__startswith=area.prefix)


def villages_visible(user: Any) -> QuerySet[Area]:
    area = getattr(user, "scope_area", None)
    if area is not None and area.level == AreaLevel.GRID:
        return Area.objects.filter(pk=area.parent_id)
    return areas_visible(user).filter(level=AreaLevel.VILLAGE)


def village_choices(user: Any) -> list[tuple[str, str]]:
    """(code, "乡镇 村") for the villages a user may pick, in one query."""
    rows = villages_visible(user).select_related("parent").order_by("code")[:5000]
    return [(v.code, f"{v.parent.name} {v.name}" if v.parent else v.name) for v in rows]
