"""The SLA mechanism on a machine that exists only here (a hotline demand): declaring a
Deadline is all it takes to get the clock the queue, reminders and escalation read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fangpin.engine import sla
from fangpin.engine.machine import Deadline, Machine, table

ROWS = table([("open", "answer", "answered", frozenset({"township_staff"}), "township", (), False, None, None)])
HOTLINE = Machine(
    name="hotline_demand",
    label="热线诉求",
    rows=ROWS,
    action_labels={"answer": "答复"},
    states=("open", "answered"),
    closed=frozenset({"answered"}),
    deadlines=(Deadline("reply", "答复时限", "hotline_reply_limit", start="received_on", due="reply_due"),),
)
SETTINGS = {"due_soon_days": 2, "escalation_step_days": 3}


@dataclass
class Demand:
    status: str
    received_on: date
    reply_due: date


def _sla(demand: Demand, on: date) -> sla.Sla | None:
    return sla.sla_of(HOTLINE, demand, on=on, setting=lambda key, area: SETTINGS[key])


def test_a_declared_deadline_gives_the_four_states():
    demand = Demand("open", date(2026, 3, 2), date(2026, 3, 10))
    readings = {day: _sla(demand, date(2026, 3, day)) for day in (2, 8, 11, 14, 20)}
    assert {day: s.phase for day, s in readings.items() if s} == {
        2: "on_track",
        8: "due_soon",
        11: "overdue",
        14: "escalated",
        20: "escalated",
    }
    assert readings[11].escalation == 1 and readings[20].escalation == 2
    assert readings[2].days_left == 8 and readings[2].label == "正常"


def test_a_closed_object_has_no_clock():
    assert _sla(Demand("answered", date(2026, 3, 2), date(2026, 3, 10)), date(2026, 3, 20)) is None


def test_the_deadline_running_follows_the_state():
    two = Machine(
        name="two_step",
        label="两步",
        rows=ROWS,
        action_labels={},
        states=("open", "answered"),
        deadlines=(
            Deadline("accept", "受理", "a", start="received_on", due="received_on", states=frozenset({"open"})),
            Deadline("reply", "答复", "b", start="received_on", due="reply_due"),
        ),
    )
    demand = Demand("open", date(2026, 3, 2), date(2026, 3, 10))
    assert sla.running(two, demand).name == "accept"
    demand.status = "answered"
    assert sla.running(two, demand).name == "reply"
