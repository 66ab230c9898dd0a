"""Registry services: each write checks the response of the service and the rows left behind."""

from datetime import date

import pytest

from conftest import CANARY_ID, make_id
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fangpin.core.models import AuditEvent
from fangpin.registry.choices import ChangeKind, HouseholdStatus, PersonStatus, Relationship
from fangpin.registry.models import Household, HouseholdChange, Person
from fangpin.registry.person_data import PersonDataError
from fangpin.registry.services import (
    household_change_head,
    household_create,
    household_merge,
    household_split,
    household_transfer,
    person_add,
    person_move,
    person_remove,
    person_reveal,
    person_update,
    snapshot_add,
)

NEW_ID = make_id("340102", date(2020, 5, 6), 37)


def _audit(obj_type, obj_id):
    return AuditEvent.objects.filter(object_type=obj_type, object_id=str(obj_id)).order_by("-seq")


def test_member_edit_records_old_and_new_values(world, actor_for):
    person = world.canary
    person_update(
        actor=actor_for("village_a1a"),
        person=person,
        data={"labour_capacity": "弱劳动力或半劳动力", "is_chronic_ill": True},
        expected_version=person.version,
    )
    person.refresh_from_db()
    assert person.labour_capacity == "weak" and person.is_chronic_ill
    event = _audit("person", person.pk).first()
    assert event.changes["labour_capacity"] == ["ordinary", "weak"]
    assert event.actor_name == "village_a1a" and event.channel == "web"


def test_a_stale_version_gets_a_conflict_and_changes_nothing(world, actor_for):
    person = world.canary
    person_update(actor=actor_for("village_a1a"), person=person, data={"ethnicity": "回族"}, expected_version=1)
    stale = Person.objects.get(pk=person.pk)
    with pytest.raises(Conflict):
        person_update(actor=actor_for("township_a1"), person=stale, data={"ethnicity": "满族"}, expected_version=1)
    assert Person.objects.get(pk=person.pk).ethnicity == "回族"


def test_id_birth_date_and_sex_must_agree(world, actor_for):
    with pytest.raises(PersonDataError) as err:
        person_update(
            actor=actor_for("village_a1a"),
            person=world.canary,
            data={"id_number": NEW_ID, "birth_date": "2020-05-07", "gender": "女"},
            expected_version=1,
        )
    assert set(err.value.field_errors) == {"birth_date", "gender"}


def test_one_id_number_belongs_to_one_person(world, actor_for):
    spouse = world.households["A1a"][0].members.get(relationship=Relationship.SPOUSE)
    with pytest.raises(InvalidInput, match="同一证件号只能对应一人"):
        person_update(
            actor=actor_for("village_a1a"),
            person=spouse,
            data={"id_number": CANARY_ID, "gender": "男"},
            expected_version=spouse.version,
        )
    assert Person.objects.filter(id_number=CANARY_ID).count() == 1


def test_village_cadre_cannot_edit_another_village(world, actor_for):
    other = world.households["A1b"][0].members.first()
    with pytest.raises(NotFound):
        person_update(actor=actor_for("village_a1a"), person=other, data={"ethnicity": "回族"}, expected_version=1)


def test_auditor_cannot_write(world, actor_for):
    with pytest.raises(Forbidden):
        person_update(actor=actor_for("auditor_a"), person=world.canary, data={"ethnicity": "回族"}, expected_version=1)


def test_birth_adds_a_member_with_history(world, actor_for):
    household = world.households["A1a"][1]
    person = person_add(
        actor=actor_for("village_a1a"),
        household=household,
        data={"name": "新生儿", "id_number": NEW_ID, "relationship": "之女", "labour_capacity": "无劳动力"},
        reason="birth",
        occurred_on=date(2026, 5, 1),
    )
    assert person.birth_date == date(2020, 5, 6) and person.gender == "M"
    change = HouseholdChange.objects.get(household=household, kind=ChangeKind.MEMBER_ADDED)
    assert change.reason == "birth" and change.person == person
    assert _audit("person", person.pk).first().action == "create"


def test_death_of_the_head_needs_a_new_head(world, actor_for):
    household = world.households["A1a"][0]
    head = household.head
    spouse = household.members.get(relationship=Relationship.SPOUSE)
    with pytest.raises(InvalidInput, match="新户主"):
        person_remove(actor=actor_for("village_a1a"), person=head, status="deceased", occurred_on=date(2026, 1, 2))
    household = Household.objects.get(pk=household.pk)
    person_remove(
        actor=actor_for("village_a1a"),
        person=household.head,
        status="deceased",
        occurred_on=date(2026, 1, 2),
        new_head=spouse,
    )
    household = Household.objects.get(pk=household.pk)
    assert household.head.pk == spouse.pk
    dead = Person.objects.get(pk=head.pk)
    assert dead.status == PersonStatus.DECEASED and dead.status_date == date(2026, 1, 2)
    kinds = set(HouseholdChange.objects.filter(household=household).values_list("kind", flat=True))
    assert {ChangeKind.MEMBER_REMOVED, ChangeKind.HEAD_CHANGED} <= kinds


def test_change_of_head_keeps_exactly_one_head(world, actor_for):
    household = world.households["A2a"][0]
    spouse = household.members.get(relationship=Relationship.SPOUSE)
    household_change_head(
        actor=actor_for("township_a2"),
        household=household,
        new_head=spouse,
        old_head_relationship="spouse",
        occurred_on=date(2026, 2, 1),
    )
    heads = Person.objects.filter(household=household, relationship=Relationship.HEAD, status="active")
    assert list(heads) == [spouse]


def test_village_cadre_may_split_but_grid_worker_may_not(world, actor_for):
    household = Household.objects.get(pk=world.households["A1a"][2].pk)
    child = household.members.get(relationship=Relationship.SON)
    with pytest.raises(Forbidden):
        household_split(
            actor=actor_for("grid_a1a"),
            household=household,
            members=[child],
            new_head=child,
            new_code="NEW-1",
            relationships={},
            occurred_on=date(2026, 3, 1),
        )
    new = household_split(
        actor=actor_for("village_a1a"),
        household=household,
        members=[child],
        new_head=child,
        new_code="NEW-1",
        relationships={},
        occurred_on=date(2026, 3, 1),
    )
    assert new.village_code == household.village_code
    assert Person.objects.get(pk=child.pk).household_id == new.pk
    assert HouseholdChange.objects.filter(
        household=household, kind=ChangeKind.SPLIT_FROM, related_household=new
    ).exists()


def test_merge_moves_members_and_closes_the_source(world, actor_for):
    source, target = (Household.objects.get(pk=h.pk) for h in world.households["A2a"][1:3])
    moved = [p.pk for p in source.active_members]
    household_merge(
        actor=actor_for("township_a2"), source=source, target=target, relationships={}, occurred_on=date(2026, 4, 1)
    )
    source.refresh_from_db()
    assert source.status == HouseholdStatus.MERGED and source.merged_into_id == target.pk
    assert set(Person.objects.filter(pk__in=moved).values_list("household_id", flat=True)) == {target.pk}
    assert Person.objects.filter(household=target, relationship="head", status="active").count() == 1


def test_transfer_moves_ownership_and_the_old_village_loses_access(world, actor_for, client_as):
    household = world.households["A1a"][2]
    url = f"/registry/households/{household.pk}/"
    assert client_as("village_a1a").get(url).status_code == 200
    with pytest.raises(Forbidden):
        household_transfer(
            actor=actor_for("village_a1a"),
            household=household,
            to_village=world.areas["A1b"],
            to_grid=None,
            occurred_on=date(2026, 5, 1),
        )
    with pytest.raises(NotFound):
        household_transfer(
            actor=actor_for("township_a1"),
            household=household,
            to_village=world.areas["A2a"],
            to_grid=None,
            occurred_on=date(2026, 5, 1),
        )
    household_transfer(
        actor=actor_for("township_a1"),
        household=household,
        to_village=world.areas["A1b"],
        to_grid=None,
        occurred_on=date(2026, 5, 1),
    )
    assert Household.objects.get(pk=household.pk).village_code == world.areas["A1b"].code
    assert client_as("village_a1a").get(url).status_code == 404
    assert client_as("village_a1b").get(url).status_code == 200


def test_moving_a_member_into_another_household(world, actor_for):
    child = world.households["A1a"][1].members.get(relationship=Relationship.SON)
    target = world.households["A1a"][2]
    person_move(
        actor=actor_for("village_a1a"),
        person=child,
        to_household=target,
        relationship="grandchild",
        occurred_on=date(2026, 6, 1),
    )
    assert Person.objects.get(pk=child.pk).household_id == target.pk
    with pytest.raises(NotFound):
        person_move(
            actor=actor_for("village_a1a"),
            person=Person.objects.get(pk=child.pk),
            to_household=world.households["A1b"][0],
            relationship="other",
            occurred_on=date(2026, 6, 1),
        )


def test_income_snapshots_are_dated_rows_with_computed_income(world, actor_for):
    household = world.households["A1a"][0]
    snap = snapshot_add(
        actor=actor_for("village_a1a"),
        household=household,
        data={
            "year": "2026",
            "window_start": "2025-06-01",
            "window_end": "2026-05-31",
            "household_size": "3",
            "wage_income": "12000",
            "business_income": "3000",
            "property_income": "0",
            "transfer_income": "600",
            "business_expense": "1200",
            "eligible_out_of_pocket": "5000",
        },
    )
    assert household.snapshots.count() == 2
    assert str(snap.net_income) == "14400.00" and str(snap.per_capita_net_income) == "4800.00"
    assert _audit("income_snapshot", snap.pk).first().changes["per_capita_net_income"] == [None, "4800.00"]


def test_reveal_needs_permission_and_a_reason_and_is_logged(world, actor_for):
    with pytest.raises(Forbidden):
        person_reveal(actor=actor_for("grid_a1a"), person=world.canary, field="id_number", reason="核对")
    with pytest.raises(InvalidInput):
        person_reveal(actor=actor_for("village_a1a"), person=world.canary, field="id_number", reason="")
    assert (
        person_reveal(actor=actor_for("village_a1a"), person=world.canary, field="id_number", reason="核对低保申请")
        == CANARY_ID
    )
    event = _audit("person", world.canary.pk).filter(action="reveal").get()
    assert event.reason == "核对低保申请"


def test_creating_a_household_registers_its_head(world, actor_for):
    household = household_create(
        actor=actor_for("village_a1a"),
        village=world.areas["A1a"],
        data={"national_household_code": "340102001001X9", "household_type": "一般农户"},
        head={"name": "新户主", "id_number": NEW_ID, "labour_capacity": "普通劳动力"},
    )
    assert household.head.name == "新户主"
    with pytest.raises(NotFound):
        household_create(
            actor=actor_for("village_a1a"),
            village=world.areas["A1b"],
            data={"national_household_code": "X2", "household_type": "一般农户"},
            head={"name": "甲", "id_number": make_id("340102", date(2001, 1, 1), 11), "labour_capacity": "普通劳动力"},
        )
