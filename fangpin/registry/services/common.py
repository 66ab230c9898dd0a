"""Helpers shared by the registry services: permission, scope and value records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log, diff
from fangpin.core.errors import Conflict, Forbidden, NotFound
from fangpin.core.models import AuditAction
from fangpin.core.scoping import area_in_scope, visible
from fangpin.registry.models import Household, HouseholdChange, Person

HOUSEHOLD_FIELDS = [
    "national_household_code",
    "village_code",
    "grid_id",
    "household_type",
    "escape_year",
    "legacy_poor_class",
    "address",
    "natural_village",
    "phone",
    "is_military_martyr_family",
    "is_relocated",
    "no_labour_safety_net",
    "house_rating",
    "status",
]
PERSON_FIELDS = [
    "name",
    "id_number",
    "gender",
    "birth_date",
    "relationship",
    "ethnicity",
    "political_status",
    "education",
    "student_status",
    "is_chronic_ill",
    "is_seriously_ill",
    "is_disabled",
    "disability_grade",
    "disability_type",
    "labour_capacity",
    "work_location",
    "work_months",
    "in_resident_medical",
    "in_employee_medical",
    "in_serious_illness",
    "in_commercial_medical",
    "in_resident_pension",
    "in_employee_pension",
    "is_dibao",
    "is_tekun",
    "phone",
    "status",
    "status_date",
]


def require(actor: Actor, perm: str) -> None:
    """Refuse unless the acting user's role allows `perm` (commands are trusted operators)."""
    if actor.user is not None and not actor.user.can(perm):
        raise Forbidden()


def require_scope(actor: Actor, household: Household) -> None:
    """Services re-check scope: a stale page or a crafted id cannot reach another village."""
    if actor.user is None:
        return
    if not visible(Household.objects.filter(pk=household.pk), actor.user).exists():
        raise NotFound()


def require_area(actor: Actor, area: Any) -> None:
    if actor.user is not None and not area_in_scope(actor.user, area):
        raise NotFound("目标村不在您的管辖范围内。")


def values_of(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def save_versioned(obj: Household | Person, changes: dict[str, Any], expected_version: int | None) -> None:
    """Conditional update on `version`: a concurrent edit gets Conflict, never a lost update."""
    model = type(obj)
    qs = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    now = timezone.now()
    updated = qs.update(**changes, version=F("version") + 1, updated_at=now)
    if not updated:
        raise Conflict()
    for key, value in changes.items():
        setattr(obj, key, value)
    obj.version = (expected_version or obj.version) + 1
    obj.updated_at = now


def audit_person(
    actor: Actor,
    action: str,
    person: Person,
    changes: dict[str, Any],
    reason: str = "",
    household: Household | None = None,
) -> None:
    """The audit record of a member change, filed under the member's (new) household."""
    home = household or person.household
    audit_log(
        actor=actor,
        action=action,
        object_type="person",
        object_id=person.pk,
        object_label=person.name,
        area_code=home.village_code,
        household_id=home.pk,
        changes=changes,
        reason=reason,
    )


def audit_household(actor: Actor, action: str, household: Household, changes: dict[str, Any], reason: str = "") -> None:
    audit_log(
        actor=actor,
        action=action,
        object_type="household",
        object_id=household.pk,
        object_label=household.national_household_code,
        area_code=household.village_code,
        household_id=household.pk,
        changes=changes,
        reason=reason,
    )


def move_member(
    actor: Actor, person: Person, source: Household, target: Household, relationship: str, note: str = ""
) -> None:
    """Move one member to another household with the given relationship, audited."""
    before = values_of(person, PERSON_FIELDS) | {"household_id": source.pk}
    save_versioned(person, {"household_id": target.pk, "relationship": relationship}, None)
    person.household = target
    after = values_of(person, PERSON_FIELDS) | {"household_id": target.pk}
    audit_person(actor, AuditAction.UPDATE, person, diff(before, after), note, household=target)


def record_pair(
    actor: Actor,
    *,
    first: Household,
    first_kind: str,
    second: Household,
    second_kind: str,
    occurred_on: Any,
    note: str,
    details: dict[str, Any],
    person: Person | None = None,
) -> None:
    """The two history rows of an operation that involves two households."""
    for household, kind, other in ((first, first_kind, second), (second, second_kind, first)):
        HouseholdChange.objects.create(
            household=household,
            kind=kind,
            occurred_on=occurred_on,
            note=note,
            related_household=other,
            person=person,
            actor=actor.user,
            details=details,
        )
