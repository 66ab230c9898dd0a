"""The county-approval guard of identification and elimination: a household
failing a data-quality check the county marked "blocking" (policy parameter
dq_blocking_checks) cannot be approved until the data is corrected. Not
overridable: the fix is to correct the record. An elimination is judged as if
it were done (reports.quality.AsEliminated), since the checks on eliminated
households would otherwise only see it after approval. [DOMAIN §4.14, decision 0016]"""

from __future__ import annotations

from datetime import date

from fangpin.core.actor import Actor
from fangpin.core.errors import TransitionRefused
from fangpin.registry.models import Household
from fangpin.reports.quality import AsEliminated, household_blocking_problems

__all__ = ["AsEliminated", "require_no_blocking_problems"]


def require_no_blocking_problems(
    *, household: Household, episode_id: int | None, actor: Actor, on: date, as_eliminated: AsEliminated | None = None
) -> None:
    """Refuse, listing every blocking problem of the household's members and of
    the episode being decided, when there is any. For an elimination,
    `as_eliminated` makes the checks on eliminated households (DQ-02 … DQ-05)
    judge the case being approved as if it were done."""
    problems = household_blocking_problems(
        household=household, user=actor.user, today=on, episode_id=episode_id, as_eliminated=as_eliminated
    )
    if problems:
        raise TransitionRefused("该户存在阻断级数据质量问题，县级不能审定通过，请先更正：", reasons=problems)
