"""Reads, always area-scoped: lists, the clock of a case, the work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from fangpin.core.scoping import get_visible_or_404, visible
from fangpin.monitoring import rules, workflow
from fangpin.monitoring.choices import (
    CaseStatus,
    ClueStatus,
    EliminationStatus,
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
from fangpin.policy.selectors import policy_get

QUEUE_LIMIT = 50


class ParamCache:
    """Policy values per (key, village) for one request: bounded queries."""

    def __init__(self, on: date) -> None:
        self.on = on
        self._values: dict[tuple[str, int], Any] = {}

    def get(self, key: str, village: Any) -> Any:
        cache_key = (key, village.pk)
        if cache_key not in self._values:
            self._values[cache_key] = policy_get(key, area=village, on=self.on).value
        return self._values[cache_key]


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


def _clock(due: date, overall: date | None, on: date, params: ParamCache, village: Any) -> Clock:
    soon = int(params.get("due_soon_days", village))
    step = int(params.get("escalation_step_days", village))
    return Clock(
        due=due,
        overall_due=overall,
        state=rules.clock_state(today=on, due=due, due_soon_days=soon),
        days_left=(due - on).days,
        escalation=rules.escalation_level(today=on, due=due, step_days=step),
    )


def case_clock(
    case: IdentificationCase | EliminationCase, *, on: date | None = None, params: ParamCache | None = None
) -> Clock | None:
    """Per-step deadline (never past the overall one) and its state. [R-ID-4]"""
    if not case.is_open:
        return None
    on = on or timezone.localdate()
    params = params or ParamCache(on)
    steps = params.get("identification_step_limits", case.village) if isinstance(case, IdentificationCase) else {}
    start = case.step_started_on or on
    if case.status in (CaseStatus.NOTICE, EliminationStatus.NOTICE):
        notice = next((n for n in case.notices.all() if n.kind == "village_notice"), None)
        start = notice.ends_on if notice else start
    due = rules.step_due(step_start=start, step_days=steps.get(case.status), overall_due=case.deadline_on)
    return _clock(due, case.deadline_on, on, params, case.village)


def clue_clock(clue: RiskClue, *, on: date | None = None, params: ParamCache | None = None) -> Clock | None:
    if clue.status == ClueStatus.CLOSED:
        return None
    on = on or timezone.localdate()
    due = clue.accept_due if clue.status == ClueStatus.RECEIVED else clue.verify_due
    return _clock(due or on, clue.verify_due, on, params or ParamCache(on), clue.village)


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


def episode_list(*, user: Any, status: str = "", category: str = "") -> QuerySet[MonitoringEpisode]:
    qs = visible(MonitoringEpisode, user).select_related("village", "household")
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
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


def _states_for(machine: str, role: str) -> list[str]:
    return sorted({t.source for t in workflow.MACHINES[machine] if role in t.roles})


def work_queue(*, user: Any, on: date | None = None) -> dict[str, Any]:
    """What waits on the user (states where the role has an action), overdue
    first, with counts; plus escalated overdue items from lower levels."""
    on = on or timezone.localdate()
    params = ParamCache(on)
    role = user.role
    items: list[QueueItem] = []
    counts: dict[str, int] = {}
    sources = [
        ("clue", "风险线索", visible(RiskClue, user).select_related("village"), "received_at", "tracking_code"),
        (
            "identification",
            "识别认定",
            visible(IdentificationCase, user).select_related("village").prefetch_related("notices"),
            "deadline_on",
            "case_no",
        ),
        (
            "elimination",
            "风险消除",
            visible(EliminationCase, user).select_related("village").prefetch_related("notices"),
            "deadline_on",
            "case_no",
        ),
    ]
    for machine, label, qs, order, code_field in sources:
        states = _states_for(machine, role)
        mine = qs.filter(status__in=states)
        counts[machine] = mine.count()
        for obj in mine.order_by(order, "id")[:QUEUE_LIMIT]:
            items.append(_item(machine, label, obj, code_field, on, params))
    pending = visible(Objection, user).filter(status=ObjectionStatus.PENDING)
    counts["objection"] = pending.count() if role in workflow.VILLAGE | workflow.TOWNSHIP else 0
    escalated = _escalated(user=user, on=on, params=params)
    items.sort(key=lambda i: i.sort_key)
    return {
        "items": items,
        "counts": counts,
        "total": sum(counts.values()),
        "overdue": sum(1 for i in items if i.clock and i.clock.state == "overdue"),
        "escalated": escalated,
    }


def _item(machine: str, label: str, obj: Any, code_field: str, on: date, params: ParamCache) -> QueueItem:
    url_name = {"clue": "clue-detail", "identification": "case-detail", "elimination": "elimination-detail"}[machine]
    clock = clue_clock(obj, on=on, params=params) if machine == "clue" else case_clock(obj, on=on, params=params)
    return QueueItem(
        kind=machine,
        label=label,
        title=f"{getattr(obj, code_field)} · {obj.village.name}",
        state_label=obj.get_status_display(),
        url=reverse(f"monitoring:{url_name}", args=[obj.pk]),
        clock=clock,
    )


def _escalated(*, user: Any, on: date, params: ParamCache) -> list[QueueItem]:
    """Overdue identification cases waiting on a LOWER level, escalated to the
    user's level (township: level ≥1, county: level ≥2). [L-Anhui 2022]"""
    need = {"township_staff": 1, "county_staff": 2, "county_admin": 2}.get(user.role)
    if need is None:
        return []
    lower = {
        "township_staff": {"village"},
        "county_staff": {"village", "township"},
        "county_admin": {"village", "township"},
    }[user.role]
    states = sorted(
        {t.source for t in workflow.CASE_TRANSITIONS if t.level in lower}
        - {t.source for t in workflow.CASE_TRANSITIONS if user.role in t.roles}
    )
    overdue = (
        visible(IdentificationCase, user)
        .filter(status__in=states, deadline_on__lt=on)
        .select_related("village")
        .prefetch_related("notices")
        .order_by("deadline_on", "id")[:QUEUE_LIMIT]
    )
    out = []
    for case in overdue:
        item = _item("identification", "识别认定（超期督办）", case, "case_no", on, params)
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
