"""The transition service's transaction: a failing effect leaves no event, no
notification and no change; the outbox is marked dispatched only after commit."""

from __future__ import annotations

import dataclasses

import pytest

from fangpin.engine.events import outbox_dispatch
from fangpin.engine.models import CaseEvent, Notification, SmsOutbox
from fangpin.engine.service import Step, transition
from fangpin.monitoring.models import RiskClue
from fangpin.monitoring.services.clues import CLUE
from fangpin.monitoring.tests.helpers import act, new_clue


class Boom(Exception):
    pass


def _failing(step: Step) -> list[str]:
    step.obj.feedback = "写了一半"
    raise Boom


def test_a_failing_effect_writes_no_event_no_notification_and_no_change(world):
    clue = new_clue(world, source="self_report", reporter_phone="13800000000")
    broken = dataclasses.replace(CLUE, effects={"close": _failing})
    events, notes = CaseEvent.objects.count(), Notification.objects.count()
    with pytest.raises(Boom):
        transition(machine=broken, obj=clue, action="close_duplicate", actor=act(world, "township_a1"), reason="重复")
    clue.refresh_from_db()
    assert clue.status == "received" and clue.feedback == "" and clue.version == 1
    assert (CaseEvent.objects.count(), Notification.objects.count()) == (events, notes)
    assert not SmsOutbox.objects.exists()


def test_the_outbox_is_dispatched_after_commit_not_inside_the_transaction(world, django_capture_on_commit_callbacks):
    clue = new_clue(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transition(machine=CLUE, obj=clue, action="accept", actor=act(world, "township_a1"))
    event = CaseEvent.objects.filter(case_kind="clue", case_id=clue.pk, action="accept").get()
    assert event.dispatched_at is None  # written, not yet sent: the transaction has not committed
    assert callbacks
    for callback in callbacks:
        callback()
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_the_sweep_dispatches_what_a_lost_commit_hook_left_behind(world, django_capture_on_commit_callbacks):
    clue = new_clue(world)
    with django_capture_on_commit_callbacks(execute=False):
        transition(machine=CLUE, obj=clue, action="accept", actor=act(world, "township_a1"))
    assert outbox_dispatch() >= 1
    assert not CaseEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_the_stamp_and_the_version_bump_are_saved_with_the_move(world):
    clue = new_clue(world)
    moved = transition(machine=CLUE, obj=clue, action="accept", actor=act(world, "township_a1"), expected_version=1)
    stored = RiskClue.objects.get(pk=clue.pk)
    assert (stored.status, stored.version) == ("accepted", 2) and stored.accepted_at is not None
    assert moved.accepted_at == stored.accepted_at
