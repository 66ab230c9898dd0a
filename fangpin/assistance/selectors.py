"""Reads of plans, measures and visits, always through the one scoping layer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from fangpin.assistance import rules
from fangpin.assistance.models import AssistanceMeasure, AssistancePlan, MeasureEvidence, Visit
from fangpin.core.scoping import get_visible_or_404, visible
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.policy.selectors import policy_get
from fangpin.registry.models import Household


def household_get(*, user: Any, pk: int) -> Household:
    return get_visible_or_404(Household.objects.select_related("village"), user, pk=pk)


def episode_get(*, user: Any, pk: int) -> MonitoringEpisode:
    return get_visible_or_404(MonitoringEpisode.objects.select_related("household", "village"), user, pk=pk)


def plan_get(*, user: Any, pk: int) -> AssistancePlan:
    return get_visible_or_404(AssistancePlan.objects.select_related("household", "episode"), user, pk=pk)


def measure_get(*, user: Any, pk: int) -> AssistanceMeasure:
    qs = AssistanceMeasure.objects.select_related("household", "plan__episode", "person")
    return get_visible_or_404(qs, user, pk=pk)


def evidence_get(*, user: Any, pk: int) -> MeasureEvidence:
    return get_visible_or_404(MeasureEvidence.objects.select_related("measure"), user, pk=pk)


def household_episodes(*, user: Any, household: Household) -> list[MonitoringEpisode]:
    qs = visible(MonitoringEpisode.objects.filter(household=household), user)
    return list(qs.order_by("-identified_on", "-id"))


def household_plans(*, user: Any, household: Household) -> list[AssistancePlan]:
    qs = visible(AssistancePlan.objects.filter(household=household), user).select_related("episode")
    return list(qs.prefetch_related("measures__person", "measures__evidence").order_by("-id"))


def household_visits(*, user: Any, household: Household) -> QuerySet[Visit]:
    return visible(Visit.objects.filter(household=household), user).select_related("visitor", "clue")[:100]


def plan_list(*, user: Any) -> QuerySet[AssistancePlan]:
    return visible(AssistancePlan.objects.select_related("household", "episode"), user)


def visit_list(*, user: Any, household_id: int | None = None) -> QuerySet[Visit]:
    qs = visible(Visit.objects.select_related("household"), user)
    return qs.filter(household_id=household_id) if household_id else qs


def measure_list(*, user: Any, plan_id: int | None = None) -> QuerySet[AssistanceMeasure]:
    qs = visible(AssistanceMeasure.objects.select_related("household", "person"), user)
    return qs.filter(plan_id=plan_id) if plan_id else qs


def deadline_params(*, area: Any, on: date) -> tuple[int, int]:
    """(measure_deadline_days, measure_due_soon_days) in force for `area`. [CONFIG]"""
    days = int(policy_get("measure_deadline_days", area=area, on=on).value)
    soon = int(policy_get("measure_due_soon_days", area=area, on=on).value)
    return days, soon


def episode_deadline_status(*, episode: MonitoringEpisode, today: date) -> tuple[str, date | None]:
    """The measure deadline status of one episode and its due date. [DOMAIN §3.6]"""
    if episode.identified_on is None:
        return "", None
    days, soon = deadline_params(area=episode.village, on=episode.identified_on)
    status = rules.measure_deadline_status(
        identified_on=episode.identified_on,
        first_measure_on=episode.first_measure_on,
        today=today,
        deadline_days=days,
        due_soon_days=soon,
    )
    return status, rules.measure_due_on(episode.identified_on, days)


def episodes_by_measure_status(*, user: Any, status: str, today: date) -> QuerySet[MonitoringEpisode]:
    """Open episodes whose first measure is overdue / due soon / on track, in SQL. [DOMAIN §3.6]

    The deadline is the one in force for the user's own area today (one value per page)."""
    area = getattr(user, "scope_area", None)
    days, soon = deadline_params(area=area, on=today)
    qs = visible(MonitoringEpisode.objects.select_related("household", "village"), user).filter(
        status__in=list(OPEN_EPISODE_STATUSES), identified_on__isnull=False
    )
    overdue_before = today - timedelta(days=days)  # identified before this day -> overdue
    if status == rules.OVERDUE:
        qs = qs.filter(first_measure_on__isnull=True, identified_on__lt=overdue_before)
    elif status == rules.DUE_SOON:
        qs = qs.filter(
            first_measure_on__isnull=True,
            identified_on__gte=overdue_before,
            identified_on__lte=today - timedelta(days=days - soon),
        )
    elif status == rules.ON_TRACK:
        qs = qs.filter(first_measure_on__isnull=True, identified_on__gt=today - timedelta(days=days - soon))
    else:
        qs = qs.filter(first_measure_on__isnull=False)
    return qs.order_by("identified_on", "id")
