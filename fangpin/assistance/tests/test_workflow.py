"""The whole measure table: state × action × role → allowed or refused, through the service."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fangpin.assistance import workflow
from fangpin.assistance.models import AssistanceMeasure, MeasureStatus
from fangpin.assistance.services import measure_transition
from fangpin.assistance.tests.factories import episode_for, measure_for, plan_for
from fangpin.core.errors import Forbidden, TransitionRefused

ROLES = {
    "village_cadre": "village_a1a",
    "township_staff": "township_a1",
    "county_staff": "county_staff_a",
    "county_admin": "county_admin_a",
    "grid_worker": "grid_a1a",
    "auditor": "auditor_a",
}
CASES = [(s, a, r) for s in MeasureStatus.values for a in workflow.ACTIONS for r in ROLES]


@time_machine.travel(date(2026, 2, 1), tick=False)
@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_every_state_action_and_role_is_allowed_only_by_the_table(world, actor_for, state, action, role):
    household = world.households["A1a"][0]
    measure = measure_for(plan_for(episode_for(household)), status=state)
    step = workflow.find(state, action)
    allowed = step is not None and role in step.roles
    kwargs = {"reason": "户内情况变化" if step and step.needs_reason else "", "on": date(2026, 1, 20)}
    if allowed:
        result = measure_transition(actor=actor_for(ROLES[role]), measure=measure, action=action, **kwargs)
        assert result.status == step.target
        assert AssistanceMeasure.objects.get(pk=measure.pk).status == step.target
    else:
        with pytest.raises((TransitionRefused, Forbidden)):
            measure_transition(actor=actor_for(ROLES[role]), measure=measure, action=action, **kwargs)
        assert AssistanceMeasure.objects.get(pk=measure.pk).status == state


def test_the_table_has_one_row_per_source_and_action():
    keys = [(t.source, t.action) for t in workflow.TRANSITIONS]
    assert len(keys) == len(set(keys))
