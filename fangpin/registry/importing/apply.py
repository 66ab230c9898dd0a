"""Apply staged households in one transaction, set-based, with the same audit
records as the page services.  Re-applying the same data writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log_many, diff, snapshot
from fangpin.core.models import AuditAction
from fangpin.registry.choices import ChangeKind, Relationship, SnapshotKind
from fangpin.registry.importing.validate import CHUNK, StagedHousehold
from fangpin.registry.models import Household, HouseholdChange, IncomeSnapshot, Person
from fangpin.registry.services.common import HOUSEHOLD_FIELDS, PERSON_FIELDS

SNAPSHOT_FIELDS = [
    "year", "window_start", "window_end", "wage_income", "business_income", "property_income",
    "transfer_income", "business_expense", "insurance_claim_income", "eligible_out_of_pocket",
    "household_size", "house_unsafe", "child_out_of_school", "water_unsafe", "note", "kind",
]


@dataclass
class ApplyStats:
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0
    snapshots_created: int = 0
    snapshots_updated: int = 0
    conflicts: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k != "events"}


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _load(staged: list[StagedHousehold]) -> tuple[dict[str, Household], dict[str, Person], dict[str, Area]]:
    codes = [h.code for h in staged]
    households: dict[str, Household] = {}
    for chunk in _chunks(codes):
        households.update({h.national_household_code: h for h in Household.objects.filter(national_household_code__in=chunk)})
    persons: dict[str, Person] = {}
    for chunk in _chunks([p["id_number"] for h in staged for p in h.persons]):
        persons.update({p.id_number: p for p in Person.objects.filter(id_number__in=chunk)})
    area_codes = list({h.village_code for h in staged} | {h.grid_code for h in staged if h.grid_code})
    areas: dict[str, Area] = {}
    for chunk in _chunks(area_codes):
        areas.update({a.code: a for a in Area.objects.filter(code__in=chunk)})
    return households, persons, areas


def plan_and_apply(
    staged: list[StagedHousehold], *, actor: Actor, dry_run: bool,
    progress: Callable[[int, int], None] = lambda d, t: None,
) -> ApplyStats:
    """Compute what would change; write it unless `dry_run`. One transaction."""
    stats = ApplyStats()
    with transaction.atomic():
        households, persons, areas = _load(staged)
        new_households = _households(staged, households, areas, stats, dry_run)
        if not dry_run:
            created = Household.objects.bulk_create(new_households, batch_size=1000)
            households.update({h.national_household_code: h for h in created})
            _created_events(created, stats)
        progress(1, 4)
        new_persons, head_first, others = _persons(staged, households, persons, stats, dry_run)
        if not dry_run:
            for batch in (head_first, others):
                _bulk_update(Person, batch, PERSON_FIELDS)
            Person.objects.bulk_create(new_persons, batch_size=1000)
            village_of = {h.pk: h.village_code for h in households.values()}
            _person_created_events(new_persons, village_of, stats)
        progress(2, 4)
        _snapshots(staged, households, stats, dry_run, actor)
        progress(3, 4)
        if not dry_run:
            HouseholdChange.objects.bulk_create(
                [HouseholdChange(household=h, kind=ChangeKind.CREATED, occurred_on=timezone.localdate(),
                                 actor=actor.user, note="批量导入") for h in new_households],
                batch_size=1000,
            )
            audit_log_many(actor=actor, events=stats.events)
        progress(4, 4)
    stats.events = []
    return stats


def _household_values(h: StagedHousehold, areas: dict[str, Area]) -> dict[str, Any]:
    grid = areas.get(h.grid_code) if h.grid_code else None
    return {**h.household, "village_code": h.village_code, "grid_id": grid.pk if grid else None}


def _households(staged: list[StagedHousehold], existing: dict[str, Household], areas: dict[str, Area],
                stats: ApplyStats, dry_run: bool) -> list[Household]:
    new: list[Household] = []
    changed: list[Household] = []
    for h in staged:
        values = _household_values(h, areas)
        current = existing.get(h.code)
        if current is None:
            village = areas[h.village_code]
            new.append(Household(village_id=village.pk, **values))
            stats.households_created += 1
            continue
        if current.village_code != h.village_code:
            stats.conflicts += 1
            continue
        old = {k: getattr(current, k) for k in HOUSEHOLD_FIELDS}
        new_values = {**old, **{k: values[k] for k in values if k in HOUSEHOLD_FIELDS}}
        changes = diff(old, new_values)
        if not changes:
            stats.households_unchanged += 1
            continue
        for key in values:
            if key in HOUSEHOLD_FIELDS:
                setattr(current, key, values[key])
        changed.append(current)
        stats.households_updated += 1
        stats.events.append(_event(AuditAction.UPDATE, "household", current.pk, current.national_household_code,
                                   current.village_code, current.pk, changes))
    if not dry_run:
        _bulk_update(Household, changed, HOUSEHOLD_FIELDS)
    return new


def _bulk_update(model: type[Any], objs: list[Any], fields: list[str]) -> None:
    if not objs:
        return
    now = timezone.now()
    for obj in objs:
        obj.updated_at = now
    model.objects.bulk_update(objs, [*fields, "updated_at"], batch_size=500)
    for chunk in _chunks([o.pk for o in objs]):
        model.objects.filter(pk__in=chunk).update(version=F("version") + 1)


def _persons(staged: list[StagedHousehold], households: dict[str, Household], existing: dict[str, Person],
             stats: ApplyStats, dry_run: bool) -> tuple[list[Person], list[Person], list[Person]]:
    new: list[Person] = []
    demoted_heads: list[Person] = []
    others: list[Person] = []
    for h in staged:
        household = households.get(h.code)
        for data in h.persons:
            values = {k: val for k, val in data.items() if k != "row"}
            current = existing.get(values["id_number"])
            if current is None:
                stats.persons_created += 1
                if household is not None and household.pk is not None:
                    new.append(Person(household_id=household.pk, **values))
                continue
            if household is None or current.household_id != household.pk:
                # Moved to another household since validation: leave it to the operator.
                stats.conflicts += 1
                continue
            old = {k: getattr(current, k) for k in PERSON_FIELDS}
            changes = diff(old, {**old, **values})
            if not changes:
                stats.persons_unchanged += 1
                continue
            was_head = current.relationship == Relationship.HEAD
            for key, val in values.items():
                setattr(current, key, val)
            (demoted_heads if was_head and current.relationship != Relationship.HEAD else others).append(current)
            stats.persons_updated += 1
            stats.events.append(_event(AuditAction.UPDATE, "person", current.pk, current.name, h.village_code,
                                       current.household_id, changes))
    # A new head may only be set once the old head has been demoted.
    others.sort(key=lambda p: p.relationship == Relationship.HEAD)
    return new, demoted_heads, others


def _snapshots(staged: list[StagedHousehold], households: dict[str, Household], stats: ApplyStats,
               dry_run: bool, actor: Actor) -> None:
    wanted = {(h.code, h.snapshot["window_end"]): h for h in staged if h.snapshot}
    if not wanted:
        return
    ids = [households[c].pk for c, _ in wanted if households.get(c) is not None and households[c].pk]
    existing: dict[tuple[int, date], IncomeSnapshot] = {}
    for chunk in _chunks(ids):
        for s in IncomeSnapshot.objects.filter(household_id__in=chunk, kind=SnapshotKind.ANNUAL):
            existing[(s.household_id, s.window_end)] = s
    new: list[IncomeSnapshot] = []
    changed: list[IncomeSnapshot] = []
    for (code, window_end), h in wanted.items():
        household = households.get(code)
        values = {**h.snapshot, "kind": h.snapshot.get("kind") or SnapshotKind.ANNUAL}
        current = existing.get((household.pk, window_end)) if household is not None and household.pk else None
        if current is None:
            stats.snapshots_created += 1
            if household is not None and household.pk:
                new.append(IncomeSnapshot(household_id=household.pk, recorded_by=actor.user, **values))
            continue
        old = {k: getattr(current, k) for k in SNAPSHOT_FIELDS}
        changes = diff(old, {**old, **values})
        if changes:
            for key, val in values.items():
                setattr(current, key, val)
            changed.append(current)
            stats.snapshots_updated += 1
            stats.events.append(_event(AuditAction.UPDATE, "income_snapshot", current.pk, f"{code} {current.year}",
                                       h.village_code, household.pk, changes))
    if dry_run:
        return
    created = IncomeSnapshot.objects.bulk_create(new, batch_size=1000)
    if changed:
        IncomeSnapshot.objects.bulk_update(changed, SNAPSHOT_FIELDS, batch_size=500)
    codes = {h.pk: h for h in households.values()}
    for s in created:
        hh = codes.get(s.household_id)
        stats.events.append(_event(AuditAction.CREATE, "income_snapshot", s.pk,
                                   f"{hh.national_household_code if hh else ''} {s.year}",
                                   hh.village_code if hh else "", s.household_id,
                                   snapshot({k: getattr(s, k) for k in SNAPSHOT_FIELDS})))


def _event(action: str, object_type: str, object_id: Any, label: str, area_code: str, household_id: Any,
           changes: dict[str, Any]) -> dict[str, Any]:
    return {"action": action, "object_type": object_type, "object_id": str(object_id or ""), "object_label": label,
            "area_code": area_code, "household_id": household_id, "changes": changes}


def _created_events(created: list[Household], stats: ApplyStats) -> None:
    for h in created:
        stats.events.append(_event(AuditAction.CREATE, "household", h.pk, h.national_household_code, h.village_code,
                                   h.pk, snapshot({k: getattr(h, k) for k in HOUSEHOLD_FIELDS})))


def _person_created_events(created: list[Person], village_of: dict[int, str], stats: ApplyStats) -> None:
    for p in created:
        stats.events.append(_event(AuditAction.CREATE, "person", p.pk, p.name, village_of.get(p.household_id, ""),
                                   p.household_id, snapshot({k: getattr(p, k) for k in PERSON_FIELDS})))
