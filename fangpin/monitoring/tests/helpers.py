"""Shared set-up for monitoring tests: walk a household through the procedure."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine

from fangpin.core.actor import Actor
from fangpin.monitoring import services
from fangpin.monitoring.models import IdentificationCase, RiskClue


def act(world: Any, username: str) -> Actor:
    return Actor(user=world.users[username])


def new_clue(world: Any, household: Any = None, village: str = "A1a", **kw: Any) -> RiskClue:
    household = household if household is not None else world.households[village][1]
    return services.clue_create(
        source=kw.pop("source", "visit"),
        village=world.areas[village],
        summary=kw.pop("summary", "家中主要劳动力因病住院，收入骤减"),
        household=household,
        risk_types=kw.pop("risk_types", ["illness"]),
        actor=act(world, kw.pop("by", "village_a1a")),
        **kw,
    )


def to_verifying_clue(world: Any, clue: RiskClue) -> RiskClue:
    clue = services.clue_transition(clue=clue, action="accept", actor=act(world, "township_a1"))
    return services.clue_transition(clue=clue, action="start_verification", actor=act(world, "village_a1a"))


def start_case(world: Any, household: Any = None, **kw: Any) -> IdentificationCase:
    clue = to_verifying_clue(world, new_clue(world, household))
    return services.clue_start_identification(
        clue=clue,
        actor=act(world, kw.pop("by", "village_a1a")),
        category=kw.pop("category", "marginal"),
        risk_types=kw.pop("risk_types", ["illness"]),
        monitoring_contact_name="帮扶干部",
        monitoring_contact_phone="13600001111",
        **kw,
    )


def case_to_notice(world: Any, case: IdentificationCase) -> IdentificationCase:
    v, t = act(world, "village_a1a"), act(world, "township_a1")
    case = services.case_transition(case=case, action="sign_consent", actor=v)
    case = services.case_transition(case=case, action="record_home_verification", actor=v, note="入户核实属实")
    case = services.case_transition(case=case, action="record_info_check", actor=t, note="比对无异常")
    case = services.case_transition(case=case, action="appraise", actor=v, note="评议通过")
    return services.case_transition(case=case, action="post_notice", actor=v)


def case_to_monitored(world: Any, case: IdentificationCase, start: date) -> IdentificationCase:
    """From notice to monitored, moving the clock past the notice window."""
    with time_machine.travel(date.fromordinal(start.toordinal() + 7), tick=False):
        case = services.case_transition(case=case, action="review", actor=act(world, "township_a1"))
        case = services.case_transition(case=case, action="approve", actor=act(world, "county_staff_a"))
        case = services.case_transition(case=case, action="announce", actor=act(world, "county_staff_a"))
        return services.case_transition(case=case, action="enter_system", actor=act(world, "township_a1"))
