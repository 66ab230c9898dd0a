"""Every state machine, walked from its table: state × action × role →
allowed or refused, first in the table itself, then through the services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction

from fangpin.core.errors import DomainError, Forbidden, NotFound, TransitionRefused
from fangpin.monitoring import services, workflow
from fangpin.monitoring.choices import CaseStatus, ClueStatus, EliminationStatus, EpisodeStatus
from fangpin.monitoring.models import EliminationCase, IdentificationCase, MonitoringEpisode, PublicNotice, RiskClue
from fangpin.monitoring.tests.helpers import act, new_clue, start_case

ROLES = [
    "village_cadre",
    "grid_worker",
    "township_staff",
    "county_staff",
    "county_admin",
    "auditor",
    "department_liaison",
    "system",
]
PERSONA = {
    "village_cadre": "village_a1a",
    "grid_worker": "grid_a1a",
    "township_staff": "township_a1",
    "county_staff": "county_staff_a",
    "county_admin": "county_admin_a",
    "auditor": "auditor_a",
    "department_liaison": "liaison_a",
}
STATES = {
    "clue": ClueStatus.values,
    "identification": CaseStatus.values,
    "elimination": EliminationStatus.values,
    "episode": EpisodeStatus.values,
}
TODAY = date(2026, 3, 2)


def _actions(machine):
    return sorted({t.action for t in workflow.MACHINES[machine]})


def _expected(machine, state, action, role):
    return any(t.source == state and t.action == action and role in t.roles for t in workflow.MACHINES[machine])


@pytest.mark.parametrize("machine", list(workflow.MACHINES))
def test_the_table_allows_exactly_its_rows_and_refuses_everything_else(machine):
    checked = 0
    for state, action, role in itertools.product(STATES[machine], _actions(machine), ROLES):
        checked += 1
        if _expected(machine, state, action, role):
            row = workflow.transition_for(machine, state=state, action=action, role=role)
            assert row.source == state and row.action == action
        else:
            with pytest.raises((Forbidden, TransitionRefused)):
                workflow.transition_for(machine, state=state, action=action, role=role)
    assert checked == len(STATES[machine]) * len(_actions(machine)) * len(ROLES)


def test_every_state_in_the_tables_is_a_declared_state():
    for machine, rows in workflow.MACHINES.items():
        for t in rows:
            assert t.source in STATES[machine] and t.target in STATES[machine], (machine, t)


def test_an_unknown_action_is_refused_with_a_chinese_message():
    with pytest.raises(TransitionRefused, match="当前状态下不能执行"):
        workflow.transition_for("identification", state="applied", action="approve", role="county_staff")


def test_roles_without_monitoring_duties_have_no_rows():
    for rows in workflow.MACHINES.values():
        for t in rows:
            assert not ({"auditor", "department_liaison"} & t.roles)


# ------------------------------------------------------------ through the services


def _attempt(fn):
    """Run one attempt in a savepoint so a refusal leaves no trace."""
    try:
        with transaction.atomic():
            return fn(), None
    except DomainError as exc:
        return None, exc


CLUE_ROWS = sorted({(t.source, t.action) for t in workflow.CLUE_TRANSITIONS})


@pytest.mark.parametrize(("state", "action"), CLUE_ROWS)
def test_clue_service_obeys_the_table_for_every_role(world, state, action):
    with time_machine.travel(TODAY, tick=False):
        clue = new_clue(world)
        if action == "close_already_monitored":
            h = clue.household
            MonitoringEpisode.objects.create(
                household=h,
                village=h.village,
                village_code=h.village_code,
                category="marginal",
                risk_types=["illness"],
                status="eliminated",
            )
        target = next(t.target for t in workflow.CLUE_TRANSITIONS if t.source == state and t.action == action)
        for role, username in PERSONA.items():
            RiskClue.objects.filter(pk=clue.pk).update(status=state, outcome="", identification_case=None)
            if action.startswith("start_"):
                IdentificationCase.objects.all().delete()
                MonitoringEpisode.objects.all().delete()
            clue.refresh_from_db()
            if action in ("start_identification", "start_green_channel"):
                fn = lambda u=username: services.clue_start_identification(  # noqa: E731
                    clue=clue,
                    actor=act(world, u),
                    category="marginal",
                    risk_types=["illness"],
                    reason="理由",
                    green_channel=action == "start_green_channel",
                )
            else:
                fn = lambda u=username: services.clue_transition(  # noqa: E731
                    clue=clue, action=action, actor=act(world, u), reason="理由"
                )
            _result, error = _attempt(fn)
            clue.refresh_from_db()
            if _expected("clue", state, action, role):
                assert error is None, (role, error and error.message)
                assert clue.status == target
            else:
                assert error is not None, role
                assert clue.status == state


def _case_in(world, state):
    case = start_case(world)
    IdentificationCase.objects.filter(pk=case.pk).update(
        status=state,
        consent_signed_on=TODAY,
        home_verified_on=TODAY,
        info_checked_on=TODAY,
    )
    case.refresh_from_db()
    PublicNotice.objects.create(
        kind="village_notice",
        subject="identification",
        village=case.village,
        village_code=case.village_code,
        title="t",
        items=[],
        posted_on=TODAY - timedelta(days=10),
        ends_on=TODAY - timedelta(days=5),
        min_days=5,
        identification_case=case,
    )
    return case


CASE_ROWS = sorted({(t.source, t.action) for t in workflow.CASE_TRANSITIONS})


@pytest.mark.parametrize(("state", "action"), CASE_ROWS)
def test_identification_service_obeys_the_table_for_every_role(world, state, action):
    with time_machine.travel(TODAY, tick=False):
        case = _case_in(world, state)
        for role, username in PERSONA.items():
            IdentificationCase.objects.filter(pk=case.pk).update(status=state, episode=None)
            MonitoringEpisode.objects.all().delete()
            case.refresh_from_db()
            _result, error = _attempt(
                lambda u=username: services.case_transition(
                    case=case, action=action, actor=act(world, u), reason="理由", note="说明"
                )
            )
            case.refresh_from_db()
            row = next(t for t in workflow.CASE_TRANSITIONS if t.source == state and t.action == action)
            if role in row.roles:
                assert error is None, (role, error and error.message)
                assert case.status == row.target
            else:
                assert isinstance(error, (Forbidden, TransitionRefused, NotFound)), role
                assert case.status == state


def _ready_for_county_checks(episode):
    """What the county's blocking checks ask of an assisted elimination (DQ-04 a
    developmental measure implemented, DQ-05 the 风险消除时 record)."""
    from fangpin.assistance.tests.factories import measure_for, plan_for
    from fangpin.registry.models import IncomeSnapshot

    measure_for(plan_for(episode), "EMP-01", start_date=date(2025, 2, 1), implemented_on=date(2025, 2, 1))
    IncomeSnapshot.objects.create(
        household=episode.household,
        kind="elimination",
        year=2026,
        window_start=date(2025, 2, 1),
        window_end=date(2026, 1, 31),
        wage_income=45000,
        household_size=3,
        house_unsafe=False,
        water_unsafe=False,
        child_out_of_school=False,
    )


ELIM_ROWS = sorted({(t.source, t.action) for t in workflow.ELIMINATION_TRANSITIONS})


@pytest.mark.parametrize(("state", "action"), ELIM_ROWS)
def test_elimination_service_obeys_the_table_for_every_role(world, state, action):
    with time_machine.travel(TODAY, tick=False):
        household = world.households["A1a"][1]
        episode = MonitoringEpisode.objects.create(
            household=household,
            village=household.village,
            village_code=household.village_code,
            category="marginal",
            risk_types=["illness"],
            status="monitored",
            identified_on=date(2025, 1, 1),
        )
        _ready_for_county_checks(episode)
        case = EliminationCase.objects.create(
            case_no="XCTEST",
            episode=episode,
            household=household,
            village=household.village,
            village_code=household.village_code,
            mode="assisted",
            status=state,
            proposed_on=TODAY,
            deadline_on=TODAY + timedelta(days=30),
            override_reason="测试：县级特批",
        )
        PublicNotice.objects.create(
            kind="village_notice",
            subject="elimination",
            village=case.village,
            village_code=case.village_code,
            title="t",
            items=[],
            posted_on=TODAY - timedelta(days=10),
            ends_on=TODAY - timedelta(days=5),
            min_days=5,
            elimination_case=case,
        )
        row = next(t for t in workflow.ELIMINATION_TRANSITIONS if t.source == state and t.action == action)
        for role, username in PERSONA.items():
            EliminationCase.objects.filter(pk=case.pk).update(status=state)
            MonitoringEpisode.objects.filter(pk=episode.pk).update(status="monitored")
            case.refresh_from_db()
            _result, error = _attempt(
                lambda u=username: services.elimination_transition(
                    case=case, action=action, actor=act(world, u), reason="理由"
                )
            )
            case.refresh_from_db()
            if role in row.roles:
                assert error is None, (role, error and error.message)
                assert case.status == row.target
            else:
                assert isinstance(error, (Forbidden, TransitionRefused, NotFound)), role
                assert case.status == state


EPISODE_ROWS = sorted({(t.source, t.action) for t in workflow.EPISODE_TRANSITIONS})


@pytest.mark.parametrize(("state", "action"), EPISODE_ROWS)
def test_episode_service_obeys_the_table_for_every_role_and_the_system(world, state, action):
    with time_machine.travel(TODAY, tick=False):
        household = world.households["A1a"][1]
        episode = MonitoringEpisode.objects.create(
            household=household,
            village=household.village,
            village_code=household.village_code,
            category="marginal",
            risk_types=["illness"],
            status=state,
            identified_on=date(2025, 1, 1),
            follow_up_until=TODAY - timedelta(days=1),
        )
        row = next(t for t in workflow.EPISODE_TRANSITIONS if t.source == state and t.action == action)
        for role in [*PERSONA, "system"]:
            MonitoringEpisode.objects.filter(pk=episode.pk).update(
                status=state, follow_up_until=TODAY - timedelta(days=1)
            )
            episode.refresh_from_db()
            actor = act(world, PERSONA[role]) if role != "system" else act(world, "county_staff_a")
            _result, error = _attempt(
                lambda a=actor, r=role: services.episode_transition(
                    episode=episode, action=action, actor=a, reason="理由", internal=(r == "system")
                )
            )
            episode.refresh_from_db()
            if role in row.roles:
                assert error is None, (role, error and error.message)
                assert episode.status == row.target
            else:
                assert isinstance(error, (Forbidden, TransitionRefused, NotFound)), role
                assert episode.status == state


def test_mermaid_diagram_is_generated_from_the_table():
    text = workflow.mermaid("identification")
    assert text.startswith("stateDiagram-v2")
    assert text.count("-->") == len(workflow.CASE_TRANSITIONS)
