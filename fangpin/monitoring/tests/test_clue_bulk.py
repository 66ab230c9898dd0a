"""The bulk clue path (monthly department comparison) against the per-item path on the same input."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.db import transaction

from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.models import AuditEvent
from fangpin.monitoring import services
from fangpin.monitoring.models import CaseEvent, RiskClue
from fangpin.monitoring.tests.helpers import act
from fangpin.policy.catalog import CATALOG, validate_value
from fangpin.policy.models import PolicyParameter
from fangpin.registry.models import Person

CLUE_FIELDS = (
    "source",
    "source_ref",
    "channel",
    "village_code",
    "household_id",
    "person_id",
    "summary",
    "risk_types",
    "status",
    "accept_due",
    "verify_due",
    "created_by_id",
)
AUDIT_FIELDS = ("actor_id", "actor_role", "channel", "action", "object_type", "area_code", "household_id", "reason")


def _items(world: Any) -> list[dict[str, Any]]:
    items = []
    for key in ("A1a", "A1b", "A2a"):
        for i, household in enumerate(world.households[key][:3]):
            person = Person.objects.filter(household=household).order_by("pk").first()
            items.append(
                {
                    "source": "department_warning",
                    "village": world.areas[key],
                    "summary": f"医保预警 W-MED-1：{key}-{i}",
                    # Half of the items name the person only: the household comes from the person.
                    "household": household if i % 2 == 0 else None,
                    "person": person,
                    "risk_types": ("illness",),
                    "source_ref": f"{key}-{i}",
                }
            )
    return items


def _snapshot(clues: list[RiskClue]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Clue rows, their timeline rows and their audit rows, with ids and codes replaced by the
    clue's position in the input."""
    rows = {c.pk: c for c in RiskClue.objects.filter(pk__in=[c.pk for c in clues])}
    position = {c.pk: i for i, c in enumerate(clues)}
    clue_rows = [tuple(getattr(rows[c.pk], f) for f in CLUE_FIELDS) for c in clues]
    events = sorted(
        (position[e.case_id], e.action, e.from_state, e.to_state, e.village_code, e.household_id, e.actor_id)
        for e in CaseEvent.objects.filter(case_kind="clue", case_id__in=list(position))
    )
    audits = sorted(
        (
            position[int(a.object_id)],
            a.object_label == rows[int(a.object_id)].tracking_code,
            a.changes,
            *(getattr(a, f) for f in AUDIT_FIELDS),
        )
        for a in AuditEvent.objects.filter(object_type="monitoring.clue", object_id__in=[str(p) for p in position])
    )
    return clue_rows, events, audits


@pytest.mark.parametrize("by", ["liaison_a", None])
def test_bulk_clues_equal_the_per_item_path_on_the_same_input(world, by):
    # A county override of one time limit: deadlines differ by county, both paths must agree.
    PolicyParameter.objects.create(
        key="clue_verify_limit",
        area=world.areas["A"],
        value=validate_value(CATALOG["clue_verify_limit"], "3 工作日"),
        unit="",
        effective_from=date(2026, 1, 1),
    )
    actor = act(world, by) if by else Actor.system()
    with time_machine.travel(date(2026, 3, 2), tick=False):
        with transaction.atomic():
            one_by_one = [
                services.clue_create(**{k: v for k, v in item.items() if v is not None}, actor=actor, channel="feed")
                for item in _items(world)
            ]
            expected = _snapshot(one_by_one)
            transaction.set_rollback(True)
        assert not RiskClue.objects.exists()
        bulk = services.clue_create_many(items=_items(world), actor=actor, channel="feed")
    got = _snapshot(bulk)
    assert got == expected
    # The override reached the villages of county A only.
    dues = {c.village_code: c.verify_due for c in RiskClue.objects.all()}
    assert dues[world.areas["A1a"].code] == date(2026, 3, 5)
    assert len(bulk) == 9


def test_a_liaison_cannot_bulk_create_clues_outside_the_county(world):
    items = _items(world)
    items.append({**items[0], "village": world.areas["B1a"], "household": None, "person": None, "source_ref": "x"})
    with time_machine.travel(date(2026, 3, 2), tick=False), pytest.raises(InvalidInput) as exc:
        services.clue_create_many(items=items, actor=act(world, "liaison_a"), channel="feed")
    assert exc.value.reasons and exc.value.reasons[0].startswith("第10条")
    assert not RiskClue.objects.exists()
