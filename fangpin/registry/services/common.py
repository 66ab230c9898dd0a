"""Helpers shared by the registry services: permission, scope and value records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.errors import Conflict, Forbidden, NotFound
from fangpin.core.scoping import area_in_scope, visible
from fangpin.registry.models import Household, Person

HOUSEHOLD_FIELDS = [
    "national_household_code", "village_code", "grid_id", "household_type", "escape_year",
    "legacy_poor_class", "address", "natural_village", "phone", "is_military_martyr_family",
    "is_relocated", "no_labour_safety_net", "house_rating", "status",
]
PERSON_FIELDS = [
    "name", "id_number", "gender", "birth_date", "relationship", "ethnicity", "political_status",
    "education", "student_status", "is_chronic_ill", "is_seriously_ill", "is_disabled",
    "disability_grade", "disability_type", "labour_capacity", "work_location", "work_months",
    "in_resident_medical", "in_employee_medical", "in_serious_illness", "in_commercial_medical",
    "in_resident_pension", "in_employee_pension", "is_dibao", "is_tekun", "phone", "status",
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
