"""Assistance services: each write checks the result and the rows left behind."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fangpin.assistance.models import AssistanceMeasure, AssistancePlan, MeasureEvidence, Visit
from fangpin.assistance.services import (
    measure_add,
    measure_evidence_add,
    measure_transition,
    plan_create,
    plan_update,
    visit_record,
)
from fangpin.assistance.tests.factories import episode_for, measure_for, plan_for
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionRefused
from fangpin.core.models import AuditEvent
from fangpin.monitoring.models import MonitoringEpisode

PDF = b"%PDF-1.4\n% test\n"


def _audit(obj_type):
    return AuditEvent.objects.filter(object_type=obj_type)


def test_a_plan_is_opened_once_per_episode_and_audited(world, actor_for):
    episode = episode_for(world.households["A1a"][0])
    plan = plan_create(actor=actor_for("village_a1a"), episode=episode, data={"goals": "年人均收入过万"})
    assert AssistancePlan.objects.get(episode=episode).goals == "年人均收入过万"
    assert _audit("assistanceplan").filter(object_id=str(plan.pk)).exists()
    with pytest.raises(Conflict):
        plan_create(actor=actor_for("village_a1a"), episode=episode, data={})
    assert AssistancePlan.objects.filter(episode=episode).count() == 1


def test_no_plan_for_an_eliminated_episode(world, actor_for):
    episode = episode_for(world.households["A1a"][0], status="eliminated", eliminated_on=date(2026, 8, 1))
    with pytest.raises(TransitionRefused):
        plan_create(actor=actor_for("village_a1a"), episode=episode, data={})
    assert not AssistancePlan.objects.exists()


def test_a_village_cadre_cannot_plan_for_another_village(world, actor_for):
    episode = episode_for(world.households["A1b"][0])
    with pytest.raises(NotFound):
        plan_create(actor=actor_for("village_a1a"), episode=episode, data={})
    assert not AssistancePlan.objects.exists()


def test_a_grid_worker_cannot_plan(world, actor_for):
    episode = episode_for(world.households["A1a"][0])
    with pytest.raises(Forbidden):
        plan_create(actor=actor_for("grid_a1a"), episode=episode, data={})


def test_plan_update_with_a_stale_version_is_a_conflict(world, actor_for):
    plan = plan_for(episode_for(world.households["A1a"][0]))
    plan_update(actor=actor_for("village_a1a"), plan=plan, data={"goals": "新目标"}, expected_version=1)
    with pytest.raises(Conflict):
        plan_update(actor=actor_for("village_a1a"), plan=plan, data={"goals": "旧页面"}, expected_version=1)
    assert AssistancePlan.objects.get(pk=plan.pk).goals == "新目标"


def test_measure_takes_category_and_department_from_the_catalogue(world, actor_for):
    household = world.households["A1a"][0]
    plan = plan_for(episode_for(household))
    person = household.members.get(relationship="spouse")
    m = measure_add(
        actor=actor_for("village_a1a"),
        plan=plan,
        data={"measure_code": "EMP-01", "person_id": person.pk, "start_date": "2026-01-15", "amount": "800"},
    )
    row = AssistanceMeasure.objects.get(pk=m.pk)
    assert (row.category, row.is_developmental, row.responsible_department) == (
        "employment",
        True,
        "人力资源和社会保障局",
    )
    assert row.person_id == person.pk and row.status == "planned"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measure_code": "XX-01", "start_date": "2026-01-15"}, "帮扶措施"),
        ({"measure_code": "EMP-01"}, "开始日期"),
        ({"measure_code": "EMP-01", "start_date": "2026-01-15", "end_date": "2026-01-01"}, "结束日期"),
        ({"measure_code": "EMP-01", "start_date": "15/01/2026"}, "开始日期"),
        ({"measure_code": "EMP-01", "start_date": "2026-01-15", "amount": "-1"}, "金额"),
    ],
)
def test_bad_measure_input_is_refused_naming_the_field(world, actor_for, data, message):
    plan = plan_for(episode_for(world.households["A1a"][0]))
    with pytest.raises(InvalidInput) as exc:
        measure_add(actor=actor_for("village_a1a"), plan=plan, data=data)
    assert message in exc.value.message
    assert not AssistanceMeasure.objects.exists()


def test_a_member_of_another_household_cannot_be_the_beneficiary(world, actor_for):
    plan = plan_for(episode_for(world.households["A1a"][0]))
    stranger = world.households["A1a"][1].members.first()
    with pytest.raises(InvalidInput):
        measure_add(
            actor=actor_for("village_a1a"),
            plan=plan,
            data={"measure_code": "EMP-01", "person_id": stranger.pk, "start_date": "2026-01-15"},
        )


def test_a_double_submitted_measure_is_recorded_once(world, actor_for):
    plan = plan_for(episode_for(world.households["A1a"][0]))
    data = {"measure_code": "HEA-02", "start_date": "2026-01-15"}
    measure_add(actor=actor_for("village_a1a"), plan=plan, data=data)
    with pytest.raises(Conflict):
        measure_add(actor=actor_for("village_a1a"), plan=plan, data=data)
    assert AssistanceMeasure.objects.count() == 1


@time_machine.travel(date(2026, 2, 20), tick=False)
def test_implementing_a_measure_updates_the_episode_coverage_and_first_date(world, actor_for):
    episode = episode_for(world.households["A1a"][0], risk_types=["illness", "unsafe_water"])
    plan = plan_for(episode)
    health = measure_for(plan, "HEA-02", status="in_progress")
    measure_transition(actor=actor_for("village_a1a"), measure=health, action="implement", on=date(2026, 2, 1))
    episode.refresh_from_db()
    assert episode.covered_risk_types == ["illness"]
    assert episode.first_measure_on == date(2026, 2, 1)
    water = measure_for(plan, "WAT-01", status="in_progress")
    measure_transition(actor=actor_for("township_a1"), measure=water, action="implement", on=date(2026, 2, 15))
    episode = MonitoringEpisode.objects.get(pk=episode.pk)
    assert episode.covered_risk_types == ["illness", "unsafe_water"]
    assert episode.first_measure_on == date(2026, 2, 1)
    assert _audit("assistancemeasure").filter(action="transition").count() == 2


@time_machine.travel(date(2026, 2, 20), tick=False)
@pytest.mark.parametrize(("on", "message"), [(date(2026, 3, 1), "不能晚于今天"), (date(2026, 1, 1), "不能早于")])
def test_the_implementation_date_must_be_plausible(world, actor_for, on, message):
    measure = measure_for(plan_for(episode_for(world.households["A1a"][0])), status="in_progress")
    with pytest.raises(InvalidInput) as exc:
        measure_transition(actor=actor_for("village_a1a"), measure=measure, action="implement", on=on)
    assert message in exc.value.message
    assert AssistanceMeasure.objects.get(pk=measure.pk).status == "in_progress"


def test_terminating_needs_a_reason(world, actor_for):
    measure = measure_for(plan_for(episode_for(world.households["A1a"][0])))
    with pytest.raises(InvalidInput):
        measure_transition(actor=actor_for("village_a1a"), measure=measure, action="terminate")
    assert AssistanceMeasure.objects.get(pk=measure.pk).status == "planned"


def test_a_stale_version_loses_the_race_with_a_conflict(world, actor_for):
    measure = measure_for(plan_for(episode_for(world.households["A1a"][0])))
    measure_transition(actor=actor_for("village_a1a"), measure=measure, action="start", expected_version=1)
    with pytest.raises(Conflict):
        measure_transition(actor=actor_for("township_a1"), measure=measure, action="start", expected_version=1)
    assert AssistanceMeasure.objects.get(pk=measure.pk).version == 2


def test_evidence_is_stored_under_var_with_its_hash(world, actor_for, settings, tmp_path):
    settings.FANGPIN = {**settings.FANGPIN, "EVIDENCE_DIR": tmp_path}
    measure = measure_for(plan_for(episode_for(world.households["A1a"][0])))
    ev = measure_evidence_add(actor=actor_for("village_a1a"), measure=measure, file_name="../../收据.pdf", content=PDF)
    row = MeasureEvidence.objects.get(pk=ev.pk)
    assert row.file_name == "收据.pdf" and row.content_type == "application/pdf"
    assert (tmp_path / row.stored_name).read_bytes() == PDF


@pytest.mark.parametrize(
    ("content", "message"), [(b"MZ\x90\x00", "只接受"), (b"", "为空"), (b"%PDF" + b"0" * (10 * 1024 * 1024), "超过")]
)
def test_evidence_of_the_wrong_type_or_size_is_refused(world, actor_for, settings, tmp_path, content, message):
    settings.FANGPIN = {**settings.FANGPIN, "EVIDENCE_DIR": tmp_path}
    measure = measure_for(plan_for(episode_for(world.households["A1a"][0])))
    with pytest.raises(InvalidInput) as exc:
        measure_evidence_add(actor=actor_for("village_a1a"), measure=measure, file_name="x.exe", content=content)
    assert message in exc.value.message
    assert not MeasureEvidence.objects.exists() and not list(tmp_path.iterdir())


def test_a_grid_worker_records_a_visit_once(world, actor_for):
    household = world.households["A1a"][0]
    data = {"visited_on": "2026-01-20", "findings": "家中一切正常", "household_signed": True}
    visit = visit_record(actor=actor_for("grid_a1a"), household=household, data=data)
    row = Visit.objects.get(pk=visit.pk)
    assert (row.visitor_role, row.household_signed, row.clue_id) == ("grid_worker", True, None)
    with pytest.raises(Conflict):
        visit_record(actor=actor_for("grid_a1a"), household=household, data=data)
    assert Visit.objects.count() == 1
    assert _audit("visit").count() == 1


def test_a_grid_worker_cannot_visit_outside_the_grid(world, actor_for):
    with pytest.raises(NotFound):
        visit_record(actor=actor_for("grid_a1a"), household=world.households["A1a"][2], data={"findings": "x"})
    assert not Visit.objects.exists()


def test_a_new_risk_needs_a_risk_type(world, actor_for):
    with pytest.raises(InvalidInput) as exc:
        visit_record(
            actor=actor_for("village_a1a"),
            household=world.households["A1a"][0],
            data={"findings": "户主住院", "new_risk": True},
        )
    assert "风险类型" in exc.value.message
    assert not Visit.objects.exists()


@pytest.mark.parametrize("username", ["village_a1a", "grid_a1a"])
def test_a_new_risk_found_on_a_visit_raises_a_clue_for_the_village(world, actor_for, username):
    from fangpin.monitoring.models import RiskClue

    household = world.households["A1a"][0]
    visit = visit_record(
        actor=actor_for(username),
        household=household,
        data={"findings": "户主突发重病住院", "new_risk": True, "risk_types": ["illness"]},
    )
    clue = RiskClue.objects.get(pk=Visit.objects.get(pk=visit.pk).clue_id)
    assert (clue.source, clue.household_id, clue.village_code) == ("visit", household.pk, household.village_code)
    assert clue.risk_types == ["illness"]


@pytest.mark.parametrize(
    ("identified", "first", "status"),
    [
        (date(2026, 1, 1), None, "overdue"),
        (date(2026, 2, 1), None, "due_soon"),
        (date(2026, 2, 20), None, "on_track"),
        (date(2026, 1, 1), date(2026, 1, 5), "met"),
    ],
)
def test_the_deadline_list_agrees_with_the_rule_for_each_status(world, identified, first, status):
    from fangpin.assistance.selectors import episode_deadline_status, episodes_by_measure_status

    today = date(2026, 2, 25)  # due: identified + 30 days; due soon: within 7 days
    episode = episode_for(world.households["A1a"][0], identified_on=identified, first_measure_on=first)
    for candidate in ("overdue", "due_soon", "on_track", "met"):
        found = episodes_by_measure_status(user=world.users["county_admin_a"], status=candidate, today=today)
        assert (episode in found) is (candidate == status), candidate
    rule_status, _due = episode_deadline_status(episode=episode, today=today)
    assert rule_status == status or (status == "met" and rule_status in ("met", "met_late"))
