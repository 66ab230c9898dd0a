"""Reads of the registry, always through the one scoping layer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from fangpin.core import idnumber
from fangpin.core.keyset import KeysetPage, keyset_page
from fangpin.core.scoping import get_visible_or_404, visible
from fangpin.registry.choices import PersonStatus
from fangpin.registry.models import Household, HouseholdChange, IncomeSnapshot, MigrantWork, Person


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    village_code: str = ""
    include_inactive: bool = False
    legacy_poor_class: str = ""  # 原建档立卡脱贫户 class (DOMAIN §6.2); "" = any household

    @property
    def id_number(self) -> str | None:
        """The normalised ID when the text is a full ID number (15 or 18 characters)."""
        candidate = idnumber.normalize(self.text)
        if len(candidate) in (15, 18) and re.fullmatch(r"\d{15}|\d{17}[\dX]", candidate):
            try:
                return idnumber.parse(candidate).number
            except idnumber.IdNumberError:
                return candidate
        return None

    @property
    def household_code(self) -> str | None:
        text = self.text.strip()
        return text if text and re.fullmatch(r"[0-9A-Za-z\-]{6,32}", text) and self.id_number is None else None


def person_search(*, user: Any, query: SearchQuery, cursor: int | None, size: int) -> KeysetPage[Person]:
    """Members matching a name prefix, a full ID number or a household code, newest first."""
    qs = visible(Person.objects.select_related("household", "household__village"), user)
    if not query.include_inactive:
        qs = qs.filter(status=PersonStatus.ACTIVE)
    if query.village_code:
        qs = qs.filter(household__village_code=query.village_code)
    if query.legacy_poor_class:
        qs = qs.filter(household__legacy_poor_class=query.legacy_poor_class)
    id_number = query.id_number
    if id_number:
        qs = qs.filter(id_number=id_number)
    elif query.household_code:
        qs = qs.filter(household__national_household_code=query.household_code)
    elif query.text.strip():
        qs = qs.filter(name__startswith=query.text.strip())
    return keyset_page(qs, cursor=cursor, size=size)


def household_list(
    *, user: Any, village_code: str = "", legacy_poor_class: str = "", cursor: int | None, size: int
) -> KeysetPage[Household]:
    qs = visible(Household.objects.select_related("village"), user)
    if village_code:
        qs = qs.filter(village_code=village_code)
    if legacy_poor_class:
        qs = qs.filter(legacy_poor_class=legacy_poor_class)
    return keyset_page(qs, cursor=cursor, size=size)


def household_get(*, user: Any, pk: Any) -> Household:
    qs = Household.objects.select_related("village", "grid").prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("id"))
    )
    return get_visible_or_404(qs, user, pk=pk)


def person_get(*, user: Any, pk: Any) -> Person:
    return get_visible_or_404(Person.objects.select_related("household", "household__village"), user, pk=pk)


def household_snapshots(*, household: Household) -> QuerySet[IncomeSnapshot]:
    return household.snapshots.order_by("-window_end", "-id")


def household_history(*, household: Household) -> QuerySet[HouseholdChange]:
    return household.changes.select_related("actor", "person", "related_household").order_by("-occurred_on", "-id")


def household_migrant_work(*, household: Household) -> QuerySet[MigrantWork]:
    """The migrant-work records of the household's current and former members, newest first."""
    return (
        MigrantWork.objects.filter(person__household=household)
        .select_related("person")
        .order_by("person_id", "-start_month", "-id")
    )
