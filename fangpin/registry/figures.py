"""Figures derived from the registry by the county's rules in force: a
snapshot's per-capita and inclusion reference income (R-MON-3) and the
household's basic-medical-insurance state (§2.5, §4.6.2). One function per
fact, read by the registry pages, the identification checklist, the
elimination guards and the data-quality checks alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fangpin.registry import rules
from fangpin.registry.choices import PersonStatus

if TYPE_CHECKING:
    from fangpin.registry.models import IncomeSnapshot


def members_without_basic_medical_insurance(household_id: int) -> list[str]:
    """Names of the active members in neither resident nor employee basic
    medical insurance (what the household page shows as 未参保)."""
    from fangpin.registry.models import Person

    rows = Person.objects.filter(household_id=household_id, status=PersonStatus.ACTIVE).values_list(
        "name", "in_resident_medical", "in_employee_medical"
    )
    return [name for name, resident, employee in rows if not (resident or employee)]


def member_without_basic_medical_insurance(household_id: int) -> bool | None:
    """The household's "有成员未参加基本医疗保险" now, from its members' own fields;
    None when it has no active member. No form records this fact separately:
    the members' insurance fields (page, import, API) are its only source."""
    from fangpin.registry.models import Person

    rows = Person.objects.filter(household_id=household_id, status=PersonStatus.ACTIVE).values_list(
        "in_resident_medical", "in_employee_medical"
    )
    return rules.without_basic_medical_insurance(rows)


def snapshot_figures(snapshot: IncomeSnapshot) -> rules.SnapshotFigures:
    """The snapshot's figures by the household-size rule and reference-income
    formula in force for its village on its window end. [R-MON-3, CONFIG]"""
    from fangpin.policy.selectors import policy_get

    household = snapshot.household
    area, on = household.village, snapshot.window_end
    size_rule = str(policy_get("household_size_rule", area=area, on=on).value)
    formula = str(policy_get("inclusion_reference_income_formula", area=area, on=on).value)
    active = household.members.filter(status=PersonStatus.ACTIVE).count() if size_rule == rules.ACTIVE_MEMBERS else 0
    return rules.snapshot_figures(
        snapshot.components(),
        snapshot_size=snapshot.household_size,
        active_members=active,
        size_rule=size_rule,
        formula=formula,
    )
