"""Dashboard KPIs as DOMAIN §5 defines them: the reversal rate's 12-month window."""

from __future__ import annotations

from datetime import date

import time_machine

from fangpin.assistance.tests.factories import episode_for
from fangpin.core.actor import Actor
from fangpin.monitoring.services import episode_transition
from fangpin.reports import dashboard, rules

TODAY = date(2026, 3, 1)


def _values(world, period, area="A"):
    ctx = dashboard.make_ctx(area=world.areas[area], period=rules.parse_period(period, TODAY), today=TODAY)
    return dashboard.compute(user=world.users["county_admin_a"], ctx=ctx)


def _drill(world, kpi, part, period, area="A"):
    ctx = dashboard.make_ctx(area=world.areas[area], period=rules.parse_period(period, TODAY), today=TODAY)
    rows = dashboard.drill_rows(user=world.users["county_admin_a"], ctx=ctx, kpi=dashboard.BY_KEY[kpi], part=part)
    return {r["household_id"] for r in rows}


def _eliminated(household, on):
    return episode_for(
        household, identified_on=date(2024, 6, 1), status="eliminated", eliminated_on=on, elimination_mode="assisted"
    )


def _reverse(world, episode, on):
    with time_machine.travel(on, tick=False):
        return episode_transition(
            episode=episode,
            action="reverse",
            actor=Actor(user=world.users["county_staff_a"]),
            reason="收入依赖政策性补贴，不稳定",
            on=on,
        )


def test_the_reversal_rate_counts_reversals_and_relapses_within_twelve_months_of_elimination(world):
    a1a, a1b = world.households["A1a"], world.households["A1b"]
    # Eliminated in 2025: reversed after 4 months, reversed after 13 months, reversed exactly
    # 12 months later, re-identified after 6 months, re-identified after 14 months, stable.
    _reverse(world, _eliminated(a1a[0], date(2025, 1, 10)), date(2025, 5, 10))
    _reverse(world, _eliminated(a1a[1], date(2025, 1, 10)), date(2026, 2, 10))
    _reverse(world, _eliminated(a1a[2], date(2025, 2, 28)), date(2026, 2, 28))
    soon = _eliminated(a1b[0], date(2025, 3, 1))
    episode_for(a1b[0], identified_on=date(2025, 9, 1), previous_episode=soon)
    late = _eliminated(a1b[1], date(2025, 1, 5))
    episode_for(a1b[1], identified_on=date(2026, 3, 1), previous_episode=late)
    _eliminated(a1b[2], date(2025, 6, 1))

    values = _values(world, "2025")
    # All six were eliminated in 2025, although three are back under monitoring.
    assert values["reversal_rate"]["total"] == (3, 6)
    assert _drill(world, "reversal_rate", "num", "2025") == {a1a[0].pk, a1a[2].pk, a1b[0].pk}
    assert len(_drill(world, "reversal_rate", "den", "2025")) == 6
    # Eliminated in 2026: none of them (the reversal dates are not elimination dates).
    assert _values(world, "2026")["reversal_rate"]["total"] == (0, 0)


def test_an_episode_eliminated_again_after_a_reversal_counts_in_both_periods(world):
    h = world.households["A1a"][0]
    episode = _reverse(world, _eliminated(h, date(2025, 3, 1)), date(2025, 6, 1))
    episode_transition(
        episode=episode,
        action="eliminate",
        actor=Actor.system(),
        internal=True,
        changes={"eliminated_on": date(2026, 1, 15), "elimination_mode": "assisted"},
    )
    assert _values(world, "2025")["reversal_rate"]["total"] == (1, 1)
    assert _values(world, "2026")["reversal_rate"]["total"] == (0, 1)
