"""Pure rules of the data-quality checks: which checks the county marks blocking, and the
check thresholds. No Django, no ORM. [DOMAIN §4.14]"""

from __future__ import annotations

import re
from datetime import date, timedelta

DQ_CODES = tuple(f"DQ-{n:02d}" for n in range(1, 21))
BLOCKING, WARNING = "blocking", "warning"


def blocking_checks(raw: str) -> frozenset[str]:
    """The check codes the policy parameter marks as blocking. [CONFIG dq_blocking_checks]"""
    codes = {c.strip().upper() for c in re.split(r"[,，;；\s]+", raw or "") if c.strip()}
    return frozenset(c for c in codes if c in DQ_CODES)


def severity(code: str, blocking: frozenset[str]) -> str:
    return BLOCKING if code in blocking else WARNING


def birth_date_bounds(on: date, min_age: int, max_age: int) -> tuple[date, date]:
    """Birth dates (earliest, latest) of people aged min_age..max_age on `on` (DQ-16)."""
    latest = date(on.year - min_age, on.month, 28 if (on.month, on.day) == (2, 29) else on.day)
    earliest = date(on.year - max_age - 1, on.month, 28 if (on.month, on.day) == (2, 29) else on.day) + timedelta(
        days=1
    )
    return earliest, latest
