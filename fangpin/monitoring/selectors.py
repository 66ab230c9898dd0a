"""Reads, always area-scoped: lists, the clock of a case, the work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fangpin.core.scoping import get_visible_or_404, visible
from fangpin.engine import machine as engine_machine
from fangpin.engine import sla
from fangpin.monitoring import rules
from fangpin.monitoring.choices import (
    EpisodeStatus,
    ObjectionStatus,
)
from fangpin.monitoring.models import (
    CLOSED_CASE_STATUSES,
    CLOSED_ELIMINATION_STATUSES,
    CaseEvent,
    EliminationCase,
    IdentificationCase,
    MonitoringEpisode,
    Notification,
    Objection,
    PublicNotice,
    RiskClue,
)
from fangpin.policy.catalog import CodeEntry, parse_code_list
from fangpin.policy.models import PolicyParameter
from fangpin.policy.selectors import policy_get

QUEUE_LIMIT = 50


class ParamCache:
    """Policy values per (key, village) for one request, read in ONE query per
    key set: the most specific area whose code prefix covers the village wins,
    as in `policy_get`, so a page's query count does not grow with its rows."""

    KEYS = ("due_soon_days", "escalation_step_days", "identification_step_limits")

    def __init__(self, on: date) -> None:
        self.on = on
        self._values: dict[tuple[str, str], Any] = {}
        self._rows: list[PolicyParameter] | None = None

    def _load(self) -> list[PolicyParameter]:
        if self._rows is None:
            self._rows = list(
                PolicyParameter.objects.filter(key__in=self.KEYS, effective_from__lte=self.on)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.on))
                .select_related("area")
                .order_by("-effective_from", "-id")
            )
        return self._rows

    def get(self, key: str, village: Any) -> Any:
        cache_key = (key, village.code)
        if cache_key not in self._values:
            if key not in self.KEYS:
                self._values[cache_key] = policy_get(key, area=village, on=self.on).value
            else:
                self._values[cache_key] = self._resolve(key, village)
        return self._values[cache_key]

    def _resolve(self, key: str, village: Any) -> Any:
        best: tuple[int, PolicyParameter] | None = None
        for row in self._load():
            if row.key != key:
                continue
            if row.area is None:
                depth = 0
            elif village.code.startswith(row.area.prefix) and (row.area.level != "grid"):
                depth = len(row.area.prefix)
            else:
                continue
            if best is None or depth > best[0]:
                best = (depth, row)  # rows are newest first: the first at each depth wins
        if best is None:
            return policy_get(key, area=village, on=self.on).value  # raises the clear message
        return best[1].value


@dataclass(frozen=True)
class Clock:
    due: date
    overall_due: date | None
    state: str
    days_left: int
    escalation: int

    @property
    def label(self) -> str:
        return rules.CLOCK_LABELS[self.state]

    @property
    def css(self) -> str:
        return {"on_track": "success", "due_soon": "warning", "overdue": "danger"}[self.state]


def clock_of(
    machine: str | engine_machine.Machine, obj: Any, *, on: date | None = None, params: ParamCache | None = None
) -> Clock | None:
    """The clock of any machine's object, from its declared deadlines (the engine's SLA
    mechanism); None once it is closed."""
    on = on or timezone.localdate()
    params = params or ParamCache(on)
    reading = sla.sla_of(engine_machine.get(machine), obj, on=on, setting=params.get)
    if reading is None:
        return None
    return Clock(reading.due, reading.overall_due, reading.state, reading.days_left, reading.escalation)


def case_clock(
    case: IdentificationCase | EliminationCase, *, on: date | None = None, params: ParamCache | None = None
) -> Clock | None:
    """Per-step deadline (never past the overall one) and its state. [R-ID-4]"""
    name = "identification" if isinstance(case, IdentificationCase) else "elimination"
    return clock_of(name, case, on=on, params=params)


def clue_clock(clue: RiskClue, *, on: date | None = None, params: ParamCache | None = None) -> Clock | None:
    """The clue's clock (accept, then verify)."""
    return clock_of("clue", clue, on=on, params=params)


def timeline(kind: str, pk: int) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case_kind=kind, case_id=pk).order_by("at", "id")


# ---------------------------------------------------------------- lists


def clue_list(*, user: Any, status: str = "", source: str = "", q: str = "") -> QuerySet[RiskClue]:
    qs = visible(RiskClue, user).select_related("village", "household")
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if q:
        qs = qs.filter(Q(tracking_code__iexact=q.strip()) | Q(summary__contains=q.strip()))
    return qs.order_by("-received_at", "-id")


def clue_get(*, user: Any, pk: int) -> RiskClue:
    return get_visible_or_404(
        RiskClue.objects.select_related("village", "household", "identification_case"), user, pk=pk
    )


def case_list(*, user: Any, status: str = "", open_only: bool = False) -> QuerySet[IdentificationCase]:
    qs = visible(IdentificationCase, user).select_related("village", "household")
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status__in=CLOSED_CASE_STATUSES)
    return qs.order_by("deadline_on", "id")


def case_get(*, user: Any, pk: int) -> IdentificationCase:
    return get_visible_or_404(
        IdentificationCase.objects.select_related("village", "household", "episode").prefetch_related("notices"),
        user,
        pk=pk,
    )


def elimination_list(*, user: Any, status: str = "") -> QuerySet[EliminationCase]:
    qs = visible(EliminationCase, user).select_related("village", "household", "episode")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("deadline_on", "id")


def elimination_get(*, user: Any, pk: int) -> EliminationCase:
    return get_visible_or_404(
        EliminationCase.objects.select_related("village", "household", "episode").prefetch_related("notices"),
        user,
        pk=pk,
    )


def episode_list(
    *, user: Any, status: str = "", category: str = "", legacy_poor_class: str = ""
) -> QuerySet[MonitoringEpisode]:
    qs = visible(MonitoringEpisode, user).select_related("village", "household")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if legacy_poor_class:  # 原建档立卡脱贫户 class (DOMAIN §6.2)
        qs = qs.filter(household__legacy_poor_class=legacy_poor_class)
    return qs.order_by("-identified_on", "-id")


def episode_follow_up_list(*, user: Any) -> QuerySet[MonitoringEpisode]:
    """Eliminated households in their follow-up year, soonest end first. [§3.5]"""
    return episode_list(user=user, status=EpisodeStatus.ELIMINATED).order_by("follow_up_until", "id")


def episode_long_unresolved(*, user: Any, months: int, on: date) -> QuerySet[MonitoringEpisode]:
    """Monitored, not eliminated, identified ≥ `months` ago: analysed household
    by household. [S002, L-张湾 2022; CONFIG long_unresolved_months]"""
    cutoff = rules.add_months(on, -months)
    return (
        episode_list(user=user, status=EpisodeStatus.MONITORED)
        .filter(identified_on__lte=cutoff)
        .order_by("identified_on", "id")
    )


def episode_get(*, user: Any, pk: int) -> MonitoringEpisode:
    return get_visible_or_404(MonitoringEpisode.objects.select_related("village", "household"), user, pk=pk)


def notice_list(*, user: Any) -> QuerySet[PublicNotice]:
    return visible(PublicNotice, user).select_related("village").order_by("-posted_on", "-id")


def notice_get(*, user: Any, pk: int) -> PublicNotice:
    return get_visible_or_404(PublicNotice.objects.select_related("village"), user, pk=pk)


def objection_get(*, user: Any, pk: int) -> Objection:
    return get_visible_or_404(Objection.objects.select_related("notice", "notice__village"), user, pk=pk)


# ---------------------------------------------------------------- work queue


@dataclass
class QueueItem:
    kind: str
    label: str
    title: str
    state_label: str
    url: str
    clock: Clock | None
    escalated: bool = False

    @property
    def sort_key(self) -> tuple[int, int]:
        order = {"overdue": 0, "due_soon": 1, "on_track": 2}
        return (order[self.clock.state] if self.clock else 3, self.clock.days_left if self.clock else 9999)


def work_queue(
    *,
    user: Any,
    states: dict[str, list[str]],
    escalated_states: list[str],
    escalation_need: int | None,
    objections: bool,
    on: date | None = None,
) -> dict[str, Any]:
    """What waits on the user: `states` are the states in which the user's role
    has an action (from workflow.queue_states); overdue first, with counts;
    plus overdue cases escalated to the user's level."""
    on = on or timezone.localdate()
    params = ParamCache(on)
    items: list[QueueItem] = []
    counts: dict[str, int] = {}
    for name, waiting in states.items():
        machine = engine_machine.get(name)
        if not machine.deadlines or machine.model is None:
            continue  # no clock, no queue (the episode)
        mine = _open_of(machine, user).filter(status__in=waiting)
        counts[name] = mine.count()
        for obj in mine.order_by(machine.deadlines[-1].due, "id")[:QUEUE_LIMIT]:
            items.append(_item(machine, machine.label, obj, on, params))
    counts["objection"] = visible(Objection, user).filter(status=ObjectionStatus.PENDING).count() if objections else 0
    escalated = _escalated(user=user, states=escalated_states, need=escalation_need, on=on, params=params)
    items.sort(key=lambda i: i.sort_key)
    return {
        "items": items,
        "counts": counts,
        "total": sum(counts.values()),
        "overdue": sum(1 for i in items if i.clock and i.clock.state == "overdue"),
        "escalated": escalated,
    }


def _open_of(machine: engine_machine.Machine, user: Any) -> QuerySet[Any]:
    """The objects of `machine` the user sees, with what their clock reads."""
    model: Any = machine.model  # the queue keeps only machines with a model
    return visible(model, user).select_related("village").prefetch_related(*machine.prefetch)


def _item(machine: engine_machine.Machine, label: str, obj: Any, on: date, params: ParamCache) -> QueueItem:
    return QueueItem(
        kind=machine.name,
        label=label,
        title=f"{machine.reference(obj)} · {obj.village.name}",
        state_label=obj.get_status_display(),
        url=machine.url(obj),
        clock=clock_of(machine, obj, on=on, params=params),
    )


def _escalated(*, user: Any, states: list[str], need: int | None, on: date, params: ParamCache) -> list[QueueItem]:
    """Overdue identification cases waiting on a LOWER level whose escalation
    reached the user's level (township: ≥1, county: ≥2). [L-Anhui 2022]"""
    if need is None or not states:
        return []
    machine = engine_machine.get("identification")
    overdue = (
        _open_of(machine, user)
        .filter(status__in=states, deadline_on__lt=on)
        .order_by("deadline_on", "id")[:QUEUE_LIMIT]
    )
    out = []
    for case in overdue:
        item = _item(machine, "识别认定（超期督办）", case, on, params)
        if item.clock and item.clock.escalation >= need:
            item.escalated = True
            out.append(item)
    return out


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_list(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def status_counts(*, user: Any) -> dict[str, dict[str, int]]:
    """Counts by status for the list pages' filter chips."""
    out: dict[str, dict[str, int]] = {}
    for key, model in (("clue", RiskClue), ("episode", MonitoringEpisode)):
        rows = visible(model, user).values("status").annotate(n=Count("id"))
        out[key] = {r["status"]: r["n"] for r in rows}
    return out


__all__ = [
    "CLOSED_ELIMINATION_STATUSES",
    "Clock",
    "ParamCache",
    "case_clock",
    "work_queue",
]


NATURAL_REASONS_KEY = "natural_elimination_reasons"


def natural_reasons(*, area: Any, on: date) -> list[CodeEntry]:
    """The natural-elimination code list in force for `area` on `on`, retired codes included."""
    return parse_code_list(policy_get(NATURAL_REASONS_KEY, area=area, on=on).value)


def natural_reason_choices(*, area: Any, on: date) -> list[tuple[str, str]]:
    """The codes a new natural elimination may use (retired ones left out)."""
    return [(e.code, e.label) for e in natural_reasons(area=area, on=on) if not e.retired]


def natural_reason_label(code: str, *, area: Any, on: date) -> str:
    """The name of a stored code: from the list in force, else from any earlier version
    of the list (a code since removed still shows its name), else the code itself."""
    if not code:
        return ""
    for entry in natural_reasons(area=area, on=on):
        if entry.code == code:
            return entry.label
    for value in (
        PolicyParameter.objects.filter(key=NATURAL_REASONS_KEY)
        .order_by("-effective_from", "-id")
        .values_list("value", flat=True)
    ):
        for entry in parse_code_list(value):
            if entry.code == code:
                return entry.label
    return code
