"""Test data for assistance: monitoring episodes are made directly (the identification
procedure is MON-CORE's and is tested there)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fangpin.assistance.models import AssistanceMeasure, AssistancePlan
from fangpin.monitoring.models import MonitoringEpisode


def episode_for(household: Any, **kwargs: Any) -> MonitoringEpisode:
    values = {
        "household": household,
        "village": household.village,
        "village_code": household.village_code,
        "category": "marginal",
        "risk_types": ["illness"],
        "identified_on": date(2026, 1, 10),
        "status": "monitored",
    } | kwargs
    return MonitoringEpisode.objects.create(**values)


def plan_for(episode: MonitoringEpisode) -> AssistancePlan:
    return AssistancePlan.objects.create(household=episode.household, episode=episode, goals="稳定增收")


def measure_for(plan: AssistancePlan, code: str = "HEA-02", **kwargs: Any) -> AssistanceMeasure:
    from fangpin.assistance.rules import MEASURE_TYPES

    t = MEASURE_TYPES[code]
    values = {
        "plan": plan,
        "household": plan.household,
        "measure_code": code,
        "category": t.category,
        "is_developmental": t.is_developmental,
        "responsible_department": t.department,
        "start_date": date(2026, 1, 12),
    } | kwargs
    return AssistanceMeasure.objects.create(**values)
