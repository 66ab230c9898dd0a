"""Outcomes: each new warning raised as a risk clue through the monitoring clue service, and the
clues' verification outcomes copied back onto their warnings through the warning machine
(`services.warnings`, the engine). [DOMAIN §3.7]"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Field
from django.urls import reverse
from django.utils import timezone

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.core.errors import TransitionRefused
from fangpin.datafeeds import clues
from fangpin.datafeeds.core.rules import Rule
from fangpin.datafeeds.core.sources.departments import BY_CODE
from fangpin.datafeeds.models import DepartmentWarning, FeedRun, WarningStatus
from fangpin.datafeeds.services.common import CHUNK
from fangpin.datafeeds.services.warnings import WARNING, batch_target, warning_transition
from fangpin.datafeeds.workflow import OUTCOME_ACTIONS
from fangpin.engine.events import record_events_many
from fangpin.registry.models import Household, Person


def raise_clues(
    *, run: FeedRun, warnings: list[DepartmentWarning], rules: dict[str, Rule], households: dict[int, Household]
) -> int:
    """Each warning → a risk clue for its village through the monitoring clue service. `households`:
    the warnings' households (only what the clue service reads: village, grid)."""
    villages = {a.code: a for a in Area.objects.filter(code__in={w.village_code for w in warnings})}
    # Only what the clue service reads (membership, village, grid): not whole registry rows.
    persons = Person.objects.only("pk", "household_id").in_bulk([w.person_id for w in warnings])
    source = BY_CODE[run.source]
    items = []
    for w in warnings:
        rule = rules[w.rule_code]
        metric = f"（{w.metric_value}，阈值{w.threshold_value}）" if w.metric_value is not None else ""
        items.append(
            {
                "source": "department_warning",
                "village": villages.get(w.village_code),
                "summary": f"{source.label}预警 {rule.code}：{rule.title}{metric}"[:500],
                "household": households.get(w.household_id),
                "person": persons.get(w.person_id),
                "risk_types": tuple(rule.risk_types),
                "source_ref": str(w.pk),
                "reporter_name": source.label,
            }
        )
    # The run itself raises the clues (a liaison who uploaded the file may not register clues).
    made = clues.create_clues(items=items, actor=Actor.system())
    now = timezone.now()
    for w, clue in zip(warnings, made, strict=False):
        w.clue_id = getattr(clue, "pk", None)
        w.status = batch_target(w.status, "distribute")
        w.distributed_at = now
    _mark_distributed(run, warnings[: len(made)], now)
    return len(made)


def _mark_distributed(run: FeedRun, warnings: list[DepartmentWarning], now: datetime) -> None:
    """Each warning's clue, status and distribution time: one prepared UPDATE by primary key, sent
    as a batch (`bulk_update` builds a CASE per row and field, which took most of the write time).
    A monthly run distributes thousands of warnings it has just created: the engine's per-object
    transition (row lock, save, event, audit row each) would multiply the run's writes, so this
    path stays batched; each step was checked against the machine's table (`batch_target`) and
    the events go through the engine's bulk writer."""
    meta = DepartmentWarning._meta
    q = connection.ops.quote_name
    cols = [q(_column(f)) for f in ("clue_id", "status", "distributed_at")]
    sql = f"UPDATE {q(meta.db_table)} SET {cols[0]} = %s, {cols[1]} = %s, {cols[2]} = %s WHERE {q(_column('id'))} = %s"
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(warnings), CHUNK):
            cursor.executemany(sql, [(w.clue_id, w.status, at, w.pk) for w in warnings[start : start + CHUNK]])
    record_events_many(
        machine=WARNING.name,
        objs=warnings,
        actor=Actor.system(),
        action="distribute",
        payload=lambda w: {"clue": w.clue_id, "run": run.pk},
        summary_title=lambda n: f"部门预警已分派核实 {n} 条",
        url=reverse("datafeeds:run", args=[run.pk]),
    )


def _column(name: str) -> str:
    field = DepartmentWarning._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise LookupError(name)  # only a concrete column of the warnings table is updated
    return field.column


def warning_sync_outcomes(*, actor: Actor) -> int:
    """Copy each clue's verification outcome onto its warning, through the warning machine. [DOMAIN §3.7]"""
    distributed = DepartmentWarning.objects.filter(status=WarningStatus.DISTRIBUTED, clue_id__isnull=False)
    pending = [(pk, clue_id) for pk, clue_id in distributed.values_list("pk", "clue_id") if clue_id is not None]
    states = clues.clue_states([c for _, c in pending])
    changed = 0
    for pk, clue_id in pending:
        state = states.get(clue_id) or {}
        action = OUTCOME_ACTIONS.get(str(state.get("outcome") or ""))
        if not action:
            continue
        try:
            warning_transition(
                warning=DepartmentWarning(pk=pk),
                action=action,
                actor=actor,
                inputs={"outcome": state.get("outcome"), "closed_at": state.get("closed_at")},
            )
        except TransitionRefused:
            continue  # moved on since the query (another sync): the table refuses it again
        changed += 1
    return changed
