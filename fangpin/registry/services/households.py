"""Household services: create, edit, change of head, split, merge, transfer. [DOMAIN §2.3]"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.audit import diff, snapshot
from fangpin.core.errors import InvalidInput
from fangpin.core.models import AuditAction
from fangpin.registry.choices import ChangeKind, HouseholdStatus, PersonStatus, Relationship
from fangpin.registry.household_data import clean_household_data
from fangpin.registry.models import Household, HouseholdChange, Person
from fangpin.registry.person_data import clean_person_data
from fangpin.registry.services.common import (
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    audit_household,
    audit_person,
    move_member,
    record_pair,
    require,
    require_area,
    require_scope,
    save_versioned,
    values_of,
)


def _check_grid(village: Area, grid: Area | None) -> None:
    if grid is not None and (grid.level != AreaLevel.GRID or grid.parent_id != village.pk):
        raise InvalidInput("网格不属于该村。")


def household_create(
    *,
    actor: Actor,
    village: Area,
    data: dict[str, Any],
    head: dict[str, Any],
    grid: Area | None = None,
    occurred_on: date | None = None,
) -> Household:
    """Register a new household with its head. [DOMAIN §2.3]"""
    require(actor, "registry.edit")
    if village.level != AreaLevel.VILLAGE:
        raise InvalidInput("请选择村。")
    require_area(actor, village)
    _check_grid(village, grid)
    clean = clean_household_data(data, partial=False)
    head_clean = clean_person_data({**head, "relationship": Relationship.HEAD}, partial=False)
    try:
        with transaction.atomic():
            household = Household.objects.create(village=village, village_code=village.code, grid=grid, **clean)
            person = Person.objects.create(household=household, **head_clean)
            HouseholdChange.objects.create(
                household=household,
                kind=ChangeKind.CREATED,
                occurred_on=occurred_on or timezone.localdate(),
                actor=actor.user,
                person=person,
            )
            audit_household(actor, AuditAction.CREATE, household, snapshot(values_of(household, HOUSEHOLD_FIELDS)))
            audit_person(actor, AuditAction.CREATE, person, snapshot(values_of(person, PERSON_FIELDS)), "", household)
    except IntegrityError as exc:
        raise InvalidInput("户编号或户主身份证号已在系统中登记。") from exc
    return household


def household_update(*, actor: Actor, household: Household, data: dict[str, Any], expected_version: int) -> Household:
    require(actor, "registry.edit")
    require_scope(actor, household)
    clean = clean_household_data(data, partial=True)
    old = values_of(household, HOUSEHOLD_FIELDS)
    changes = {k: v for k, v in clean.items() if old.get(k) != v}
    if not changes:
        return household
    try:
        with transaction.atomic():
            save_versioned(household, changes, expected_version)
            audit_household(actor, AuditAction.UPDATE, household, diff(old, values_of(household, HOUSEHOLD_FIELDS)))
    except IntegrityError as exc:
        raise InvalidInput("户编号已被其他户使用。") from exc
    return household


def _relabel(actor: Actor, person: Person, household: Household, relationship: str, note: str) -> None:
    before = values_of(person, PERSON_FIELDS)
    save_versioned(person, {"relationship": relationship}, None)
    audit_person(actor, AuditAction.UPDATE, person, diff(before, values_of(person, PERSON_FIELDS)), note, household)


def _set_head(
    actor: Actor,
    household: Household,
    new_head: Person,
    occurred_on: date,
    *,
    old_head_relationship: str = Relationship.OTHER,
    note: str = "",
) -> None:
    old_head = household.head
    if old_head is not None and old_head.pk != new_head.pk:
        _relabel(actor, old_head, household, old_head_relationship, note)
    _relabel(actor, new_head, household, Relationship.HEAD, note)
    HouseholdChange.objects.create(
        household=household,
        kind=ChangeKind.HEAD_CHANGED,
        occurred_on=occurred_on,
        note=note,
        person=new_head,
        actor=actor.user,
        details={"old_head": old_head.name if old_head else "", "new_head": new_head.name},
    )
    household.__dict__.pop("head", None)
    household.__dict__.pop("active_members", None)


def household_change_head(
    *,
    actor: Actor,
    household: Household,
    new_head: Person,
    old_head_relationship: str,
    occurred_on: date,
    note: str = "",
) -> Household:
    """Make another active member the head; the old head takes the given relationship."""
    require(actor, "registry.restructure")
    require_scope(actor, household)
    if new_head.household_id != household.pk or new_head.status != PersonStatus.ACTIVE:
        raise InvalidInput("新户主须是本户在册成员。")
    if new_head.relationship == Relationship.HEAD:
        raise InvalidInput("该成员已经是户主。")
    if old_head_relationship not in Relationship.values or old_head_relationship == Relationship.HEAD:
        raise InvalidInput("请选择原户主与新户主的关系。")
    with transaction.atomic():
        _set_head(actor, household, new_head, occurred_on, old_head_relationship=old_head_relationship, note=note)
    return household


def household_split(
    *,
    actor: Actor,
    household: Household,
    members: list[Person],
    new_head: Person,
    new_code: str,
    relationships: dict[int, str],
    occurred_on: date,
    note: str = "",
) -> Household:
    """Split members off into a new household in the same village (分户)."""
    require(actor, "registry.restructure")
    require_scope(actor, household)
    active = {p.pk for p in household.active_members}
    ids = {p.pk for p in members}
    if not ids or not ids <= active:
        raise InvalidInput("请选择本户在册成员分出。")
    if ids == active:
        raise InvalidInput("不能把全部成员分出；原户至少保留一人。")
    if new_head.pk not in ids:
        raise InvalidInput("新户户主须在分出的成员中。")
    if household.head is not None and household.head.pk in ids:
        raise InvalidInput("原户户主不能分出；请先变更原户户主。")
    new_code = (new_code or "").strip()
    if not new_code:
        raise InvalidInput("请填写新户的户编号。")
    try:
        with transaction.atomic():
            new = Household.objects.create(
                national_household_code=new_code,
                village_id=household.village_id,
                village_code=household.village_code,
                grid_id=household.grid_id,
                household_type=household.household_type,
                escape_year=household.escape_year,
                legacy_poor_class=household.legacy_poor_class,
                address=household.address,
                natural_village=household.natural_village,
            )
            audit_household(actor, AuditAction.CREATE, new, snapshot(values_of(new, HOUSEHOLD_FIELDS)), note)
            moved = []
            for person in members:
                rel = relationships.get(person.pk, Relationship.OTHER)
                if person.pk == new_head.pk:
                    rel = Relationship.HEAD
                elif rel == Relationship.HEAD:
                    rel = Relationship.OTHER
                move_member(actor, person, household, new, rel, note)
                moved.append(person.name)
            record_pair(
                actor,
                first=household,
                first_kind=ChangeKind.SPLIT_FROM,
                second=new,
                second_kind=ChangeKind.SPLIT_INTO,
                occurred_on=occurred_on,
                note=note,
                details={"members": moved, "new_code": new_code, "from_code": household.national_household_code},
            )
    except IntegrityError as exc:
        raise InvalidInput("新户编号已被使用，请换一个。") from exc
    return new


def household_merge(
    *,
    actor: Actor,
    source: Household,
    target: Household,
    relationships: dict[int, str],
    occurred_on: date,
    note: str = "",
) -> Household:
    """Merge `source` into `target` (并户): members move, the source is closed, its history kept."""
    require(actor, "registry.restructure")
    require_scope(actor, source)
    require_scope(actor, target)
    if source.pk == target.pk:
        raise InvalidInput("不能与本户合并。")
    if HouseholdStatus.ACTIVE not in (source.status,) or target.status != HouseholdStatus.ACTIVE:
        raise InvalidInput("两户都须为正常状态。")
    with transaction.atomic():
        names = []
        for person in source.active_members:
            rel = relationships.get(person.pk, Relationship.OTHER)
            move_member(actor, person, source, target, Relationship.OTHER if rel == Relationship.HEAD else rel, note)
            names.append(person.name)
        before = values_of(source, HOUSEHOLD_FIELDS)
        save_versioned(source, {"status": HouseholdStatus.MERGED, "merged_into_id": target.pk}, None)
        audit_household(actor, AuditAction.UPDATE, source, diff(before, values_of(source, HOUSEHOLD_FIELDS)), note)
        record_pair(
            actor,
            first=target,
            first_kind=ChangeKind.MERGED_FROM,
            second=source,
            second_kind=ChangeKind.MERGED_INTO,
            occurred_on=occurred_on,
            note=note,
            details={
                "members": names,
                "from_code": source.national_household_code,
                "into_code": target.national_household_code,
            },
        )
    target.__dict__.pop("active_members", None)
    return target


def household_transfer(
    *,
    actor: Actor,
    household: Household,
    to_village: Area,
    to_grid: Area | None,
    occurred_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Household:
    """Move a household to another village: ownership moves and the old village loses access."""
    require(actor, "registry.transfer_in")
    require_scope(actor, household)
    if to_village.level != AreaLevel.VILLAGE:
        raise InvalidInput("请选择迁入的村。")
    require_area(actor, to_village)
    _check_grid(to_village, to_grid)
    if to_village.code == household.village_code:
        raise InvalidInput("迁入村与现所在村相同。")
    from_code = household.village_code
    with transaction.atomic():
        before = values_of(household, HOUSEHOLD_FIELDS)
        save_versioned(
            household,
            {"village_id": to_village.pk, "village_code": to_village.code, "grid_id": to_grid.pk if to_grid else None},
            expected_version,
        )
        HouseholdChange.objects.create(
            household=household,
            kind=ChangeKind.TRANSFERRED,
            occurred_on=occurred_on,
            note=note,
            from_village_code=from_code,
            to_village_code=to_village.code,
            actor=actor.user,
        )
        audit_household(
            actor, AuditAction.UPDATE, household, diff(before, values_of(household, HOUSEHOLD_FIELDS)), note
        )
    return household
