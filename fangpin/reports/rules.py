"""Pure rules of the reports: data-quality severity, check thresholds and
dashboard periods. No Django, no ORM. [DOMAIN §4.14, §5]"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

DQ_CODES = tuple(f"DQ-{n:02d}" for n in range(1, 21))
BLOCKING, WARNING = "blocking", "warning"


def blocking_checks(raw: str) -> frozenset[str]:
    """The check codes the policy parameter marks as blocking. [CONFIG dq_blocking_checks]"""
    codes = {c.strip().upper() for c in re.split(r"[,，;；\s]+", raw or "") if c.strip()}
    return frozenset(c for c in codes if c in DQ_CODES)


def severity(code: str, blocking: frozenset[str]) -> str:
    return BLOCKING if code in blocking else WARNING


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (DQ-02: "less than 6 months")."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clipped to the month's end."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def premium_cutoff(year: int, cutoff_month: int) -> date:
    """Last day of the cut-off month: identified on or before it -> the subsidy is due. [DQ-15, CONFIG]"""
    month = min(max(cutoff_month, 1), 12)
    return add_months(date(year, month, 1), 1) - timedelta(days=1)


def birth_date_bounds(on: date, min_age: int, max_age: int) -> tuple[date, date]:
    """Birth dates (earliest, latest) of people aged min_age..max_age on `on` (DQ-16)."""
    latest = date(on.year - min_age, on.month, 28 if (on.month, on.day) == (2, 29) else on.day)
    earliest = date(on.year - max_age - 1, on.month, 28 if (on.month, on.day) == (2, 29) else on.day) + timedelta(
        days=1
    )
    return earliest, latest


@dataclass(frozen=True)
class Period:
    key: str  # "2026", "2026Q1", "2026-03"
    start: date
    end: date  # inclusive


def parse_period(raw: str, today: date) -> Period:
    """A year, quarter or month; anything else means the current year to date."""
    raw = (raw or "").strip()
    if m := re.fullmatch(r"(\d{4})", raw):
        y = int(m.group(1))
        return Period(raw, date(y, 1, 1), date(y, 12, 31))
    if m := re.fullmatch(r"(\d{4})Q([1-4])", raw, flags=re.IGNORECASE):
        y, q = int(m.group(1)), int(m.group(2))
        start = date(y, 3 * q - 2, 1)
        return Period(f"{y}Q{q}", start, add_months(start, 3) - timedelta(days=1))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", raw):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            start = date(y, mo, 1)
            return Period(raw, start, add_months(start, 1) - timedelta(days=1))
    return Period(str(today.year), date(today.year, 1, 1), date(today.year, 12, 31))
