"""Pure rules of the policy app: the county's working-day calendar as plain values. No Django,
no ORM. Here, not in monitoring, because policy keeps the calendar and sits below every app
that counts a time limit through it. [DOMAIN §4.2, issue 12]"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar of one area: statutory holidays, make-up workdays (调休上班日)
    and the years whose schedule has been entered. [DOMAIN §4.2, issue 12]"""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    covered_years: frozenset[int] = frozenset()

    @property
    def covered_until(self) -> date | None:
        """The last day of the last entered year (None when nothing is entered)."""
        return date(max(self.covered_years), 12, 31) if self.covered_years else None

    def covers(self, day: date) -> bool:
        return day.year in self.covered_years

    def is_working_day(self, day: date) -> bool:
        """Weekdays minus holidays plus make-up workdays; a day of a year not entered yet
        counts as a working day iff it is Monday to Friday (provisional)."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5
