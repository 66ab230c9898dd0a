"""The one entry point the assistance app uses to tell monitoring which risk
types its implemented measures cover (monitoring never imports assistance)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import InvalidInput
from fangpin.core.models import AuditAction
from fangpin.monitoring.choices import RiskType
from fangpin.monitoring.models import MonitoringEpisode


@dataclass(frozen=True)
class ImplementedMeasure:
    """What monitoring needs to know of one implemented measure."""

    category: str  # national measure column, e.g. "健康帮扶" / "health"
    implemented_on: date
    covers: tuple[str, ...] = ()  # the RiskType values this measure answers (R-EL-3, computed by assistance)
    developmental: bool = False


def episode_record_measures(
    *,
    episode: MonitoringEpisode,
    implemented_measures: Iterable[ImplementedMeasure | dict[str, Any]],
    actor: Actor | None = None,
) -> MonitoringEpisode:
    """Store which risk types the household's implemented measures cover and the
    date of the first one (inputs of R-EL-1 and R-EL-3). Replaces the previous
    values: pass ALL implemented measures of the episode."""
    measures = [m if isinstance(m, ImplementedMeasure) else ImplementedMeasure(**m) for m in implemented_measures]
    valid = set(RiskType.values)
    covered: set[str] = set()
    for m in measures:
        unknown = set(m.covers) - valid
        if unknown:
            raise InvalidInput(f"措施覆盖的风险类型无效：{'、'.join(sorted(unknown))}")
        covered.update(m.covers)
    first = min((m.implemented_on for m in measures), default=None)
    with transaction.atomic():
        locked = MonitoringEpisode.objects.select_for_update().get(pk=episode.pk)
        new_covered = sorted(covered)
        if locked.covered_risk_types == new_covered and locked.first_measure_on == first:
            return locked
        old = {"covered_risk_types": locked.covered_risk_types, "first_measure_on": locked.first_measure_on}
        locked.covered_risk_types = new_covered
        locked.first_measure_on = first
        locked.updated_at = timezone.now()
        locked.save(update_fields=["covered_risk_types", "first_measure_on", "updated_at"])
        audit_log(
            actor=actor or Actor.system(),
            action=AuditAction.UPDATE,
            object_type="monitoring.episode",
            object_id=locked.pk,
            area_code=locked.village_code,
            household_id=locked.household_id,
            changes={
                "covered_risk_types": [old["covered_risk_types"], new_covered],
                "first_measure_on": [str(old["first_measure_on"] or ""), str(first or "")],
            },
        )
    episode.covered_risk_types, episode.first_measure_on = locked.covered_risk_types, locked.first_measure_on
    return locked
