"""The measure state machine: ONE literal table; anything not in it is refused. [DOMAIN §3.6]

planned ─▶ in_progress ─▶ implemented (落实) ─▶ {ongoing | completed | terminated}
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from fangpin.assistance.models import MeasureStatus as S

# Roles that may act on measures: the village that runs the plan, the township and
# county that supervise it.  Grid workers record visits, not measures.
ACTORS = frozenset({"village_cadre", "township_staff", "county_staff", "county_admin"})


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]
    needs_reason: bool = False
    needs_date: bool = False  # the implementation date (落实日期)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.PLANNED, "start", S.IN_PROGRESS, ACTORS),
    Transition(S.IN_PROGRESS, "implement", S.IMPLEMENTED, ACTORS, needs_date=True),
    Transition(S.IMPLEMENTED, "continue", S.ONGOING, ACTORS),
    Transition(S.IMPLEMENTED, "complete", S.COMPLETED, ACTORS),
    Transition(S.ONGOING, "complete", S.COMPLETED, ACTORS),
    Transition(S.IMPLEMENTED, "terminate", S.TERMINATED, ACTORS, needs_reason=True),
    Transition(S.ONGOING, "terminate", S.TERMINATED, ACTORS, needs_reason=True),
    Transition(S.PLANNED, "terminate", S.TERMINATED, ACTORS, needs_reason=True),
    Transition(S.IN_PROGRESS, "terminate", S.TERMINATED, ACTORS, needs_reason=True),
)

ACTION_LABELS = {
    "start": _("开始实施"),
    "implement": _("标记已落实"),
    "continue": _("转为持续帮扶"),
    "complete": _("完成"),
    "terminate": _("终止"),
}
ACTIONS = tuple(ACTION_LABELS)


def find(source: str, action: str) -> Transition | None:
    for t in TRANSITIONS:
        if t.source == source and t.action == action:
            return t
    return None


def actions_from(source: str, role: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source and role in t.roles]
