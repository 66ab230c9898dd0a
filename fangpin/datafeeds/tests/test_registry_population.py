"""The registry frame the rules read: a household under monitoring is the "monitored" population."""

from __future__ import annotations

from datetime import date

from fangpin.assistance.tests.factories import episode_for
from fangpin.datafeeds.selectors import registry_frame


def test_households_under_monitoring_are_the_monitored_population_of_the_rules(world):
    ordinary = next(h for h in world.households["A1a"] if h.household_type == "ordinary")
    escaped = next(h for h in world.households["A1a"] if h.household_type == "escaped")
    closed = world.households["A1b"][0]
    episode_for(ordinary, identified_on=date(2026, 1, 10))
    episode_for(escaped, identified_on=None, status="green_channel")
    episode_for(closed, identified_on=date(2025, 1, 10), status="eliminated", eliminated_on=date(2025, 9, 1))
    frame = registry_frame(scope_code="340102").to_pylist()
    population = {row["household_id"]: row["population"] for row in frame}
    assert population[ordinary.pk] == population[escaped.pk] == "monitored"
    assert population[closed.pk] == closed.household_type  # eliminated: back to 脱贫户 / 一般农户
    assert {row["population"] for row in frame} == {"monitored", "escaped", "ordinary"}
