"""The county-approval guard of identification and elimination: a household
failing a data-quality check the county marked "blocking" (policy parameter
dq_blocking_checks) cannot be approved until the data is corrected. Not
overridable: the fix is to correct the record. An elimination is judged as if
it were done (AsEliminated), since the checks on eliminated households would
otherwise only see it after approval. [DOMAIN §4.14, decision 0016]

The checks read assistance measures, so they live above monitoring, in
fangpin.quality; monitoring owns this plugin point and the quality app registers
its provider in AppConfig.ready() (decision 0023). No provider means the guard
cannot judge, so it refuses to run rather than approve unchecked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from fangpin.core.actor import Actor
from fangpin.core.errors import TransitionRefused
from fangpin.registry.models import Household

__all__ = ["AsEliminated", "BlockingProblems", "register_blocking_checks", "require_no_blocking_problems"]


@dataclass(frozen=True)
class AsEliminated:
    """The elimination being approved, as the checks should see it: as if it were
    done today (mode, date, per-capita income at elimination). The checks on
    eliminated households (DQ-02 … DQ-05) then judge the case before it is
    approved, not after it is flagged. [R-EL-1, R-EL-2, R-EL-4, R-EL-5]"""

    episode_id: int
    mode: str
    on: date
    income: Decimal | None


class BlockingProblems(Protocol):
    """Every blocking check the household fails, as Chinese sentences (empty: none)."""

    def __call__(
        self, *, household: Any, user: Any, today: date, episode_id: int | None, as_eliminated: AsEliminated | None
    ) -> list[str]: ...


_provider: list[BlockingProblems] = []


def register_blocking_checks(provider: BlockingProblems) -> None:
    """Called once by the app holding the checks (fangpin.quality) from its ready()."""
    _provider[:] = [provider]


def require_no_blocking_problems(
    *, household: Household, episode_id: int | None, actor: Actor, on: date, as_eliminated: AsEliminated | None = None
) -> None:
    """Refuse, listing every blocking problem of the household's members and of
    the episode being decided, when there is any. For an elimination,
    `as_eliminated` makes the checks on eliminated households (DQ-02 … DQ-05)
    judge the case being approved as if it were done."""
    if not _provider:
        raise ImproperlyConfigured("fangpin.quality is not installed: the blocking data-quality guard has no checks")
    problems = _provider[0](
        household=household, user=actor.user, today=on, episode_id=episode_id, as_eliminated=as_eliminated
    )
    if problems:
        raise TransitionRefused("该户存在阻断级数据质量问题，县级不能审定通过，请先更正：", reasons=problems)
