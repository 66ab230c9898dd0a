"""The department warning machine on the engine: the run's batched distribution and the
outcome sync both leave the warning's timeline, and the table refuses anything else."""

from __future__ import annotations

import pytest

from fangpin.core.errors import TransitionRefused
from fangpin.datafeeds.models import DepartmentWarning, WarningStatus
from fangpin.datafeeds.services import warning_sync_outcomes
from fangpin.datafeeds.services.warnings import WARNING, batch_target
from fangpin.datafeeds.tests.test_services import _rows, _upload
from fangpin.engine.models import CaseEvent


def test_the_batched_path_refuses_a_step_not_in_the_table():
    assert batch_target(WarningStatus.RECEIVED, "distribute") == WarningStatus.DISTRIBUTED
    with pytest.raises(TransitionRefused):
        batch_target(WarningStatus.CLOSED, "distribute")


def test_distribution_and_the_outcome_are_events_of_the_warning(world, actor_for):
    from fangpin.monitoring.models import RiskClue

    _upload(actor_for("county_admin_a"), _rows())
    warning = DepartmentWarning.objects.get(rule_code="W-MED-1")
    events = CaseEvent.objects.filter(case_kind=WARNING.name, case_id=warning.pk)
    assert list(events.values_list("action", "to_state")) == [("distribute", WarningStatus.DISTRIBUTED)]
    RiskClue.objects.filter(pk=warning.clue_id).update(status="closed", outcome="already_monitored")
    assert warning_sync_outcomes(actor=actor_for("county_admin_a")) == 1
    last = events.order_by("-pk").first()
    assert last is not None and (last.from_state, last.to_state) == (WarningStatus.DISTRIBUTED, WarningStatus.INCLUDED)
    warning.refresh_from_db()
    assert warning.version == 2 and warning.verification_result == "already_monitored"
    assert warning_sync_outcomes(actor=actor_for("county_admin_a")) == 0  # no longer distributed
