"""Member services: edit, add, remove, move between households, reveal the ID."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import diff, snapshot
from fangpin.core.errors import DomainError, Forbidden, InvalidInput
from fangpin.core.models import AuditAction, AuditEvent
from fangpin.registry.choices import ChangeKind, HouseholdStatus, MemberAddReason, PersonStatus, Relationship
from fangpin.registry.models import Household, HouseholdChange, Person
from fangpin.registry.person_data import clean_person_data
from fangpin.registry.services.common import (
    PERSON_FIELDS,
    audit_household,
    audit_person,
    move_member,
    record_pair,
    require,
    require_scope,
    save_versioned,
    values_of,
)
from fangpin.registry.services.households import _set_head

REMOVAL_STATUSES = {PersonStatus.DECEASED, PersonStatus.MOVED_OUT, PersonStatus.MARRIED_OUT, PersonStatus.OTHER_REMOVED}


def _duplicate_id_error() -> InvalidInput:
    # Says nothing of where: a village must not learn who lives in another one (T-06).
    return InvalidInput(
        "该身份证号已在系统中登记为其他人员，同一证件号只能对应一人；如确属本户，请联系县级管理员核实。"
    )


def person_update(*, actor: Actor, person: Person, data: dict[str, Any], expected_version: int) -> Person:
    """Edit a member's facts; ID, birth date and sex must agree. [DOMAIN §2.4]"""
    require(actor, "registry.edit")
    require_scope(actor, person.household)
    clean = clean_person_data(data, partial=True, current=person)
    if "relationship" in clean and (clean["relationship"] == Relationship.HEAD) != (
        person.relationship == Relationship.HEAD
    ):
        raise InvalidInput("户主变更请使用“变更户主”操作。")
    old = values_of(person, PERSON_FIELDS)
    changes = {k: v for k, v in clean.items() if old.get(k) != v}
    if not changes:
        return person
    try:
        with transaction.atomic():
            save_versioned(person, changes, expected_version)
            audit_person(actor, AuditAction.UPDATE, person, diff(old, values_of(person, PERSON_FIELDS)))
    except IntegrityError as exc:
        raise _duplicate_id_error() from exc
    return person


def person_add(
    *,
    actor: Actor,
    household: Household,
    data: dict[str, Any],
    reason: str,
    occurred_on: date,
    note: str = "",
) -> Person:
    """Add a member (birth, marriage, moving in). [DOMAIN §2.3]"""
    require(actor, "registry.edit")
    require_scope(actor, household)
    if reason not in MemberAddReason.values:
        raise InvalidInput("请选择增员原因。")
    if household.status != HouseholdStatus.ACTIVE:
        raise InvalidInput("该户已注销或已并入他户，不能增加成员。")
    clean = clean_person_data(data, partial=False)
    if clean["relationship"] == Relationship.HEAD and household.head is not None:
        raise InvalidInput("该户已有户主；如需更换户主，请先增加成员再使用“变更户主”。")
    try:
        with transaction.atomic():
            person = Person.objects.create(household=household, **clean)
            HouseholdChange.objects.create(
                household=household,
                kind=ChangeKind.MEMBER_ADDED,
                occurred_on=occurred_on,
                reason=reason,
                note=note,
                person=person,
                actor=actor.user,
                details={"name": person.name},
            )
            audit_person(actor, AuditAction.CREATE, person, snapshot(values_of(person, PERSON_FIELDS)), note)
    except IntegrityError as exc:
        raise _duplicate_id_error() from exc
    return person


def person_remove(
    *,
    actor: Actor,
    person: Person,
    status: str,
    occurred_on: date,
    note: str = "",
    new_head: Person | None = None,
    expected_version: int | None = None,
) -> Person:
    """Remove a member (death, moving out, marriage out); the row and its history stay."""
    require(actor, "registry.edit")
    household = person.household
    require_scope(actor, household)
    if status not in REMOVAL_STATUSES:
        raise InvalidInput("请选择减员原因。")
    if person.status != PersonStatus.ACTIVE:
        raise InvalidInput("该成员已不在册。")
    if occurred_on > timezone.localdate():
        raise InvalidInput("减员日期不能晚于今天。")
    others = [p for p in household.active_members if p.pk != person.pk]
    is_head = person.relationship == Relationship.HEAD
    if is_head and others and (new_head is None or new_head.pk not in {p.pk for p in others}):
        raise InvalidInput("减少的是户主，请同时指定新户主。")
    with transaction.atomic():
        old = values_of(person, PERSON_FIELDS)
        save_versioned(
            person,
            {
                "status": status,
                "status_date": occurred_on,
                "relationship": Relationship.OTHER if is_head else person.relationship,
            },
            expected_version,
        )
        HouseholdChange.objects.create(
            household=household,
            kind=ChangeKind.MEMBER_REMOVED,
            occurred_on=occurred_on,
            reason=status,
            note=note,
            person=person,
            actor=actor.user,
            details={"name": person.name},
        )
        audit_person(actor, AuditAction.UPDATE, person, diff(old, values_of(person, PERSON_FIELDS)), note)
        if is_head and new_head is not None:
            _set_head(actor, household, new_head, occurred_on, note="原户主减员")
        if not others:
            _dissolve(actor, household, occurred_on)
    return person


def _dissolve(actor: Actor, household: Household, occurred_on: date) -> None:
    Household.objects.filter(pk=household.pk).update(status=HouseholdStatus.DISSOLVED, updated_at=timezone.now())
    audit_household(
        actor,
        AuditAction.UPDATE,
        household,
        {"status": [household.status, HouseholdStatus.DISSOLVED]},
        "全部成员减员，户注销",
    )
    household.status = HouseholdStatus.DISSOLVED


def person_move(
    *,
    actor: Actor,
    person: Person,
    to_household: Household,
    relationship: str,
    occurred_on: date,
    note: str = "",
) -> Person:
    """Move a member into another household in scope (e.g. marriage within the county)."""
    require(actor, "registry.edit")
    source = person.household
    require_scope(actor, source)
    require_scope(actor, to_household)
    if to_household.pk == source.pk:
        raise InvalidInput("目标户与原户相同。")
    if to_household.status != HouseholdStatus.ACTIVE:
        raise InvalidInput("目标户已注销或已并入他户。")
    if relationship not in Relationship.values or relationship == Relationship.HEAD:
        raise InvalidInput("请选择该成员在新户中与户主的关系（不能是户主）。")
    if person.relationship == Relationship.HEAD and len(source.active_members) > 1:
        raise InvalidInput("该成员是原户户主，请先为原户变更户主。")
    with transaction.atomic():
        move_member(actor, person, source, to_household, relationship, note)
        record_pair(
            actor,
            first=source,
            first_kind=ChangeKind.MEMBER_MOVED_OUT,
            second=to_household,
            second_kind=ChangeKind.MEMBER_MOVED_IN,
            occurred_on=occurred_on,
            note=note,
            details={"name": person.name},
            person=person,
        )
        if len(source.active_members) == 1:
            _dissolve(actor, source, occurred_on)
    return person


def person_reveal(*, actor: Actor, person: Person, field: str, reason: str) -> str:
    """Show one full ID or phone number: needs the permission and a reason; logged. [SECURITY T-62]"""
    require(actor, "registry.reveal")
    require_scope(actor, person.household)
    if field not in ("id_number", "phone"):
        raise InvalidInput("只能查看完整的身份证号或电话号码。")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput("查看完整号码须填写理由。")
    limit = int(settings.FANGPIN.get("REVEAL_PER_HOUR", 30))
    if actor.user is not None:
        recent = AuditEvent.objects.filter(
            actor_id=actor.user.pk, action=AuditAction.REVEAL, at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        if recent >= limit:
            raise RevealLimit(f"一小时内查看完整号码已达{limit}次上限，请稍后再试。")
    with transaction.atomic():
        audit_person(actor, AuditAction.REVEAL, person, {"field": [None, field]}, reason)
    value: str = getattr(person, field)  # id_number or phone, both text fields
    return value


class RevealLimit(DomainError):
    status = 429


__all__ = ["Forbidden", "person_add", "person_move", "person_remove", "person_reveal", "person_update"]
