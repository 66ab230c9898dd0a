"""What a user's home page shows: counts inside their area only."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from fangpin.core.scoping import visible
from fangpin.registry.choices import HouseholdStatus, HouseholdType, PersonStatus
from fangpin.registry.models import Household, ImportBatch, Person


def home_summary(*, user: Any) -> dict[str, Any]:
    households = visible(Household.objects.filter(status=HouseholdStatus.ACTIVE), user)
    counts = households.aggregate(
        total=Count("id"),
        escaped=Count("id", filter=Q(household_type=HouseholdType.ESCAPED)),
    )
    persons = visible(Person.objects.filter(status=PersonStatus.ACTIVE), user).count()
    return {
        "households": counts["total"],
        "escaped": counts["escaped"],
        "persons": persons,
        "imports": list(visible(ImportBatch.objects.all(), user)[:5]),
    }
