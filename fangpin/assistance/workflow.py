"""The measure state machine: ONE literal table (engine rows, fangpin.engine.machine.Row);
anything not in it is refused. The `implement` effect records the implementation date
(落实日期). SYSTEM: a job or command may move a measure too. [DOMAIN §3.6]

planned ─▶ in_progress ─▶ implemented (落实) ─▶ {ongoing | completed | terminated}
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fangpin.assistance.models import MeasureStatus as S
from fangpin.engine.machine import SYSTEM, Row, table

# Roles that may act on measures: the village that runs the plan, the township and
# county that supervise it.  Grid workers record visits, not measures.
ACTORS = frozenset({"village_cadre", "township_staff", "county_staff", "county_admin"})


A = ACTORS | SYSTEM

# fmt: off
TRANSITIONS = table([
    # source          action       target          roles  level      guards  reason stamp  effect
    (S.PLANNED,       "start",     S.IN_PROGRESS,  A,     "village", (),     False, None,  None),
    (S.IN_PROGRESS,   "implement", S.IMPLEMENTED,  A,     "village", (),     False, None,  "implement"),
    (S.IMPLEMENTED,   "continue",  S.ONGOING,      A,     "village", (),     False, None,  None),
    (S.IMPLEMENTED,   "complete",  S.COMPLETED,    A,     "village", (),     False, None,  None),
    (S.ONGOING,       "complete",  S.COMPLETED,    A,     "village", (),     False, None,  None),
    (S.IMPLEMENTED,   "terminate", S.TERMINATED,   A,     "village", (),     True,  None,  None),
    (S.ONGOING,       "terminate", S.TERMINATED,   A,     "village", (),     True,  None,  None),
    (S.PLANNED,       "terminate", S.TERMINATED,   A,     "village", (),     True,  None,  None),
    (S.IN_PROGRESS,   "terminate", S.TERMINATED,   A,     "village", (),     True,  None,  None),
])
# fmt: on

ACTION_LABELS = {
    "start": _("开始实施"),
    "implement": _("标记已落实"),
    "continue": _("转为持续帮扶"),
    "complete": _("完成"),
    "terminate": _("终止"),
}
ACTIONS = tuple(ACTION_LABELS)


def find(source: str, action: str) -> Row | None:
    for t in TRANSITIONS:
        if t.source == source and t.action == action:
            return t
    return None


def actions_from(source: str, role: str) -> list[Row]:
    return [t for t in TRANSITIONS if t.source == source and role in t.roles]


Transition = Row  # the row type, under the name the callers used


def needs_date(row: Row) -> bool:
    """Whether the step asks for the implementation date (落实日期)."""
    return row.effect == "implement"
