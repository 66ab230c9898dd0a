"""The county-approval guard of identification and elimination: a household
failing a data-quality check the county marked "blocking" (policy parameter
dq_blocking_checks) cannot be approved until the data is corrected. Not
overridable: the fix is to correct the record. [DOMAIN §4.14, decision 0016]"""

from __future__ import annotations

from datetime import date

from fangpin.core.actor import Actor
from fangpin.core.errors import TransitionRefused
from fangpin.registry.models import Household
from fangpin.reports.quality import household_blocking_problems


def require_no_blocking_problems(*, household: Household, episode_id: int | None, actor: Actor, on: date) -> None:
    """Refuse, listing every blocking problem of the household's members and of
    the episode being decided, when there is any."""
    problems = household_blocking_problems(household=household, user=actor.user, today=on, episode_id=episode_id)
    if problems:
        raise TransitionRefused("该户存在阻断级数据质量问题，县级不能审定通过，请先更正：", reasons=problems)
