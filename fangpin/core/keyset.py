"""Keyset pagination: no COUNT(*) and no OFFSET over large tables (BENCHMARKS §4).

Pages are ordered by descending id; the cursor is the last id shown.  The
filter `id < cursor` is a plain index range on every database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


@dataclass
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: int | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def parse_cursor(raw: str | None) -> int | None:
    try:
        value = int(raw) if raw else None
    except ValueError:
        return None
    return value if value and value > 0 else None


def keyset_page(qs: QuerySet[M], *, cursor: int | None, size: int) -> KeysetPage[M]:
    if cursor:
        qs = qs.filter(pk__lt=cursor)
    rows = list(qs.order_by("-pk")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(items=rows, next_cursor=rows[-1].pk if has_more and rows else None)
