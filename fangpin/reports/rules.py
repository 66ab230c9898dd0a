"""Pure rules of the reports: month arithmetic and dashboard periods (the data-quality
rules are in fangpin.quality.rules). No Django, no ORM. [DOMAIN §4.14, §5]"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


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
