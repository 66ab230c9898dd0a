"""Apply staged households in one transaction, set-based, with the same audit
records as the page services.  Re-applying the same data writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log_many, diff, snapshot
from fangpin.core.bulk import bulk_insert
from fangpin.core.models import AuditAction
from fangpin.registry.choices import ChangeKind, PersonStatus, Relationship, SnapshotKind
from fangpin.registry.importing.validate import CHUNK, Issue, StagedHousehold, check_registry
from fangpin.registry.models import Household, HouseholdChange, IncomeSnapshot, Person
from fangpin.registry.services.common import HOUSEHOLD_FIELDS, PERSON_FIELDS

SNAPSHOT_FIELDS = [
    "year",
    "window_start",
    "window_end",
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "business_expense",
    "insurance_claim_income",
    "eligible_out_of_pocket",
    "household_size",
    "house_unsafe",
    "child_out_of_school",
    "water_unsafe",
    "note",
    "kind",
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
    heads_changed: int = 0
    conflicts: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    # Rows that validation passed but the registry, changed since, no longer allows.
    conflict_issues: list[Issue] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k not in ("events", "conflict_issues")}


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _event(
    action: str,
    object_type: str,
    object_id: Any,
    label: str,
    area_code: str,
    household_id: Any,
    changes: dict[str, Any],
) -> dict[str, Any]:
    return {
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id or ""),
        "object_label": label,
        "area_code": area_code,
        "household_id": household_id,
        "changes": changes,
    }


@dataclass
class _State:
    households: dict[str, Household]  # existing, by code
    persons: dict[str, Person]  # existing, by ID number
    areas: dict[str, Area]
    ids: dict[str, int] = field(default_factory=dict)  # household code -> pk, existing and new
    villages: dict[int, str] = field(default_factory=dict)  # household pk -> village code


def _load(staged: list[StagedHousehold]) -> _State:
    households: dict[str, Household] = {}
    for chunk in _chunks([h.code for h in staged]):
        households.update(
            {h.national_household_code: h for h in Household.objects.filter(national_household_code__in=chunk)}
        )
    persons: dict[str, Person] = {}
    for chunk in _chunks([p["id_number"] for h in staged for p in h.persons]):
        persons.update({p.id_number: p for p in Person.objects.filter(id_number__in=chunk)})
    codes = list({h.village_code for h in staged} | {h.grid_code for h in staged if h.grid_code})
    areas: dict[str, Area] = {}
    for chunk in _chunks(codes):
        areas.update({a.code: a for a in Area.objects.filter(code__in=chunk)})
    state = _State(households, persons, areas)
    state.ids = {code: h.pk for code, h in households.items()}
    state.villages = {h.pk: h.village_code for h in households.values()}
    return state


def plan_and_apply(
    staged: list[StagedHousehold],
    *,
    actor: Actor,
    dry_run: bool,
    progress: Callable[[int, int], None] = lambda d, t: None,
) -> ApplyStats:
    """Compute what would change; write it unless `dry_run`. One transaction."""
    stats = ApplyStats()
    with transaction.atomic():
        if not dry_run:
            staged = _still_valid(staged, stats)
        state = _load(staged)
        _households(staged, state, stats, dry_run)
        progress(1, 4)
        _persons(staged, state, stats, dry_run, actor)
        progress(2, 4)
        _snapshots(staged, state, stats, dry_run, actor)
        progress(3, 4)
        if not dry_run:
            audit_log_many(actor=actor, events=stats.events, premasked=True)
        progress(4, 4)
    stats.events = []
    return stats


# One registry import writes at a time (PostgreSQL; SQLite's write transactions are
# serialised already): a second one, a re-run started while a killed one's transaction
# is still being rolled back, waits and then sees what the first committed.
_IMPORT_LOCK = 0x66705F696D70  # "fp_imp"


def _still_valid(staged: list[StagedHousehold], stats: ApplyStats) -> list[StagedHousehold]:
    """Validation's registry checks once more, under the lock: the registry may have
    changed since (a page edit, another import); such households are left out, reported."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
    issues = check_registry(staged)
    bad = {i.household_code for i in issues}
    stats.conflicts += len(bad)
    stats.conflict_issues = issues
    return [h for h in staged if h.code not in bad]


def _households(staged: list[StagedHousehold], state: _State, stats: ApplyStats, dry_run: bool) -> None:
    now = timezone.now()
    new_rows: list[dict[str, Any]] = []
    changed: list[Household] = []
    for h in staged:
        grid = state.areas.get(h.grid_code) if h.grid_code else None
        values = {**h.household, "village_code": h.village_code, "grid_id": grid.pk if grid else None}
        current = state.households.get(h.code)
        if current is None:
            new_rows.append(
                {**values, "village_id": state.areas[h.village_code].pk, "created_at": now, "updated_at": now}
            )
            stats.households_created += 1
            continue
        if current.village_code != h.village_code:
            stats.conflicts += 1
            continue
        old = {k: getattr(current, k) for k in HOUSEHOLD_FIELDS}
        changes = diff(old, {**old, **{k: v for k, v in values.items() if k in HOUSEHOLD_FIELDS}})
        if not changes:
            stats.households_unchanged += 1
            continue
        for key, value in values.items():
            setattr(current, key, value)
        changed.append(current)
        stats.households_updated += 1
        stats.events.append(
            _event(
                AuditAction.UPDATE,
                "household",
                current.pk,
                current.national_household_code,
                current.village_code,
                current.pk,
                changes,
            )
        )
    if dry_run:
        return
    _bulk_update(Household, changed, HOUSEHOLD_FIELDS)
    bulk_insert(Household, new_rows)
    created_codes = [r["national_household_code"] for r in new_rows]
    for chunk in _chunks(created_codes):
        for code, pk, village in Household.objects.filter(national_household_code__in=chunk).values_list(
            "national_household_code", "pk", "village_code"
        ):
            state.ids[code] = pk
            state.villages[pk] = village
    bulk_insert(
        HouseholdChange,
        (
            {
                "household_id": state.ids[r["national_household_code"]],
                "kind": ChangeKind.CREATED,
                "occurred_on": now.date(),
                "note": "批量导入",
                "created_at": now,
            }
            for r in new_rows
        ),
    )
    for row in new_rows:
        pk = state.ids[row["national_household_code"]]
        stats.events.append(
            _event(
                AuditAction.CREATE,
                "household",
                pk,
                row["national_household_code"],
                row["village_code"],
                pk,
                snapshot({k: row.get(k) for k in HOUSEHOLD_FIELDS}),
            )
        )


def _bulk_update(model: type[Any], objs: list[Any], fields: list[str]) -> None:
    if not objs:
        return
    now = timezone.now()
    for obj in objs:
        obj.updated_at = now
    model.objects.bulk_update(objs, [*fields, "updated_at"], batch_size=500)
    for chunk in _chunks([o.pk for o in objs]):
        model.objects.filter(pk__in=chunk).update(version=F("version") + 1)


def _persons(staged: list[StagedHousehold], state: _State, stats: ApplyStats, dry_run: bool, actor: Actor) -> None:
    now = timezone.now()
    new_rows: list[dict[str, Any]] = []
    demoted: list[Person] = []
    others: list[Person] = []
    head_changes: list[tuple[int, str, str, str]] = []  # household pk, new head's ID, old and new names
    for h in staged:
        household_pk = state.ids.get(h.code)
        change = _head_change(h, household_pk, state)
        if change is not None:
            head_changes.append(change)
        for data in h.persons:
            values = {k: v for k, v in data.items() if k != "row"}
            current = state.persons.get(values["id_number"])
            if current is None:
                stats.persons_created += 1
                new_rows.append({**values, "household_id": household_pk, "created_at": now, "updated_at": now})
                continue
            if household_pk is None or current.household_id != household_pk:
                # Moved to another household since validation: leave it to the operator.
                stats.conflicts += 1
                continue
            old = {k: getattr(current, k) for k in PERSON_FIELDS}
            changes = diff(old, {**old, **values})
            if not changes:
                stats.persons_unchanged += 1
                continue
            was_head = current.relationship == Relationship.HEAD
            for key, value in values.items():
                setattr(current, key, value)
            (demoted if was_head and current.relationship != Relationship.HEAD else others).append(current)
            stats.persons_updated += 1
            stats.events.append(
                _event(
                    AuditAction.UPDATE,
                    "person",
                    current.pk,
                    current.name,
                    h.village_code,
                    current.household_id,
                    changes,
                )
            )
    stats.heads_changed = len(head_changes)
    if dry_run:
        return
    # A new head may only be set once the old head has been demoted (one active head per household).
    others.sort(key=lambda p: p.relationship == Relationship.HEAD)
    for batch in (demoted, others):
        _bulk_update(Person, batch, PERSON_FIELDS)
    bulk_insert(Person, new_rows)
    person_ids: dict[str, int] = {}
    for chunk in _chunks([r["id_number"] for r in new_rows]):
        person_ids.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", "pk"))
    _record_head_changes(head_changes, state, person_ids, actor)
    for row in new_rows:
        stats.events.append(
            _event(
                AuditAction.CREATE,
                "person",
                person_ids[row["id_number"]],
                row["name"],
                state.villages.get(row["household_id"], ""),
                row["household_id"],
                snapshot({k: row.get(k) for k in PERSON_FIELDS}),
            )
        )


def _head_change(h: StagedHousehold, household_pk: int | None, state: _State) -> tuple[int, str, str, str] | None:
    """An existing household whose file names another head; validation made sure the old
    head is in the file too, so the write demotes them before it sets the new one."""
    if household_pk is None or h.code not in state.households:
        return None
    new_head = next((p for p in h.persons if p["relationship"] == Relationship.HEAD), None)
    if new_head is None:
        return None
    old_head = next(
        (
            current
            for p in h.persons
            if (current := state.persons.get(p["id_number"])) is not None
            and current.household_id == household_pk
            and current.relationship == Relationship.HEAD
            and current.status == PersonStatus.ACTIVE
        ),
        None,
    )
    if old_head is None or old_head.id_number == new_head["id_number"]:
        return None
    return household_pk, new_head["id_number"], old_head.name, new_head["name"]


def _record_head_changes(
    changes: list[tuple[int, str, str, str]], state: _State, new_ids: dict[str, int], actor: Actor
) -> None:
    """The same history row as the page's 变更户主."""
    today = timezone.localdate()
    bulk_insert(
        HouseholdChange,
        (
            {
                "household_id": household_pk,
                "kind": ChangeKind.HEAD_CHANGED,
                "occurred_on": today,
                "note": "批量导入",
                "person_id": new_ids.get(id_number) or state.persons[id_number].pk,
                "details": {"old_head": old_name, "new_head": new_name},
                "actor_id": getattr(actor.user, "pk", None),
                "created_at": timezone.now(),
            }
            for household_pk, id_number, old_name, new_name in changes
        ),
    )


def _snapshots(staged: list[StagedHousehold], state: _State, stats: ApplyStats, dry_run: bool, actor: Actor) -> None:
    wanted = [h for h in staged if h.snapshot]
    if not wanted:
        return
    existing: dict[tuple[int, Any], IncomeSnapshot] = {}
    known = [state.ids[h.code] for h in wanted if h.code in state.ids and h.code in state.households]
    for chunk in _chunks(known):
        for s in IncomeSnapshot.objects.filter(household_id__in=chunk, kind=SnapshotKind.ANNUAL):
            existing[(s.household_id, s.window_end)] = s
    now = timezone.now()
    new_rows: list[dict[str, Any]] = []
    changed: list[IncomeSnapshot] = []
    for h in wanted:
        given = h.snapshot or {}  # (wanted holds only households with one)
        household_pk = state.ids.get(h.code)
        values = {**given, "kind": given.get("kind") or SnapshotKind.ANNUAL}
        current = existing.get((household_pk, values["window_end"])) if household_pk else None
        if current is None:
            stats.snapshots_created += 1
            new_rows.append(
                {
                    **values,
                    "household_id": household_pk,
                    "recorded_at": now,
                    "recorded_by_id": getattr(actor.user, "pk", None),
                }
            )
            continue
        old = {k: getattr(current, k) for k in SNAPSHOT_FIELDS}
        changes = diff(old, {**old, **values})
        if changes:
            for key, value in values.items():
                setattr(current, key, value)
            changed.append(current)
            stats.snapshots_updated += 1
            stats.events.append(
                _event(
                    AuditAction.UPDATE,
                    "income_snapshot",
                    current.pk,
                    f"{h.code} {current.year}",
                    h.village_code,
                    household_pk,
                    changes,
                )
            )
    if dry_run:
        return
    if changed:
        IncomeSnapshot.objects.bulk_update(changed, SNAPSHOT_FIELDS, batch_size=500)
    bulk_insert(IncomeSnapshot, new_rows)
    ids: dict[tuple[int, Any], int] = {}
    for chunk in _chunks([r["household_id"] for r in new_rows]):
        for hh, end, pk in IncomeSnapshot.objects.filter(household_id__in=chunk, kind=SnapshotKind.ANNUAL).values_list(
            "household_id", "window_end", "pk"
        ):
            ids[(hh, end)] = pk
    codes = {pk: code for code, pk in state.ids.items()}
    for row in new_rows:
        pk = ids[(row["household_id"], row["window_end"])]
        stats.events.append(
            _event(
                AuditAction.CREATE,
                "income_snapshot",
                pk,
                f"{codes.get(row['household_id'], '')} {row['year']}",
                state.villages.get(row["household_id"], ""),
                row["household_id"],
                snapshot({k: row.get(k) for k in SNAPSHOT_FIELDS}),
            )
        )
