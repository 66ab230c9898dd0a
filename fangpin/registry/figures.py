"""Figures derived from the registry's members: the household's basic-medical-insurance state
(§2.5, §4.6.2). One function per fact, read by the registry pages, the identification
checklist, the elimination guards and the data-quality checks alike. A snapshot's per-capita
and inclusion reference income (R-MON-3) is `IncomeSnapshot.figures`, on the model it reads."""

from __future__ import annotations

from fangpin.registry import rules
from fangpin.registry.choices import PersonStatus
from fangpin.registry.models import Person


def members_without_basic_medical_insurance(household_id: int) -> list[str]:
    """Names of the active members in neither resident nor employee basic
    medical insurance (what the household page shows as 未参保)."""
    rows = Person.objects.filter(household_id=household_id, status=PersonStatus.ACTIVE).values_list(
        "name", "in_resident_medical", "in_employee_medical"
    )
    return [name for name, resident, employee in rows if not (resident or employee)]


def member_without_basic_medical_insurance(household_id: int) -> bool | None:
    """The household's "有成员未参加基本医疗保险" now, from its members' own fields;
    None when it has no active member. No form records this fact separately:
    the members' insurance fields (page, import, API) are its only source."""
    rows = Person.objects.filter(household_id=household_id, status=PersonStatus.ACTIVE).values_list(
        "in_resident_medical", "in_employee_medical"
    )
    return rules.without_basic_medical_insurance(rows)
