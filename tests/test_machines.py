"""Every machine in the engine's registry: each guard, effect and stamp a table names
exists (the guard and effect registries, a model field for a stamp), and each table
walks state × action × role → allowed or refused through the machine itself."""

from __future__ import annotations

import itertools

import pytest

from fangpin.assistance.services import MEASURE
from fangpin.core.errors import Forbidden, TransitionRefused
from fangpin.datafeeds.services.warnings import WARNING
from fangpin.engine.machine import REGISTRY, Machine
from fangpin.monitoring.services.cases import IDENTIFICATION
from fangpin.monitoring.services.clues import CLUE
from fangpin.monitoring.services.elimination import ELIMINATION
from fangpin.monitoring.services.episodes import EPISODE

ROLES = ["village_cadre", "grid_worker", "township_staff", "county_staff", "county_admin", "auditor", "system"]
EXPECTED = {"clue", "identification", "elimination", "episode", "measure", "warning"}


def test_every_procedure_is_a_registered_machine():
    for machine in (CLUE, IDENTIFICATION, ELIMINATION, EPISODE, MEASURE, WARNING):
        assert REGISTRY[machine.name] is machine
    assert set(REGISTRY) >= EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_guard_effect_and_stamp_named_in_a_table_exists(name):
    machine: Machine = REGISTRY[name]
    fields = {f.name for f in machine.model._meta.get_fields()}
    for row in machine.rows:
        for guard in row.guards:
            assert guard in machine.guards, (name, row.action, guard)
        assert row.effect is None or row.effect in machine.effects, (name, row.action, row.effect)
        assert row.stamp is None or row.stamp in fields, (name, row.action, row.stamp)
        assert row.source in machine.states and row.target in machine.states, (name, row)
    for deadline in machine.deadlines:
        assert {deadline.start, deadline.due} <= fields, (name, deadline)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_machine_allows_exactly_its_rows(name):
    machine = REGISTRY[name]
    actions = sorted({t.action for t in machine.rows})
    for state, action, role in itertools.product(machine.states, actions, ROLES):
        allowed = any(t.source == state and t.action == action and role in t.roles for t in machine.rows)
        if allowed:
            assert machine.row(state=state, action=action, role=role).target
        else:
            with pytest.raises((Forbidden, TransitionRefused)):
                machine.row(state=state, action=action, role=role)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_hook_declared_is_used_by_a_row(name):
    machine = REGISTRY[name]
    assert set(machine.guards) <= {g for t in machine.rows for g in t.guards}
    assert set(machine.effects) <= {t.effect for t in machine.rows}
