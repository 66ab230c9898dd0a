"""Blocking data-quality checks refuse the county-approval step of identification
and of elimination, listing each problem; warnings and history do not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from fangpin.assistance.tests.factories import episode_for
from fangpin.core.actor import Actor
from fangpin.core.errors import TransitionRefused
from fangpin.monitoring import services
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.monitoring.tests.helpers import act, case_to_notice, start_case
from fangpin.policy.services import policy_set
from fangpin.registry.models import IncomeSnapshot, MigrantWork
from fangpin.registry.services import migrant_work_end

START = date(2026, 3, 2)


def blocking(world, codes: str) -> None:
    policy_set(
        actor=Actor.command(),
        key="dq_blocking_checks",
        value=codes,
        area=world.areas["A"],
        effective_from=date(2026, 1, 1),
    )


def no_labour_spouse(h):
    h.members.filter(relationship="spouse").update(labour_capacity="none")


def insured(h):
    h.members.update(in_serious_illness=True)


def old_incomplete_elimination(h):
    # An earlier episode eliminated without the post-elimination record (DQ-05): history.
    episode_for(
        h,
        status="eliminated",
        identified_on=date(2024, 1, 5),
        eliminated_on=date(2024, 9, 1),
        elimination_mode="assisted",
    )


CASES = [
    # (blocking list, household index in village A1a, set-up, refused check codes)
    pytest.param("DQ-18", 0, None, ["DQ-18"], id="escaped-members-uninsured-blocks"),
    pytest.param("", 0, None, [], id="nothing-blocking"),
    pytest.param("DQ-07,DQ-17", 0, None, [], id="tripped-check-is-only-a-warning"),
    pytest.param("DQ-18", 1, None, [], id="ordinary-household-not-concerned"),
    pytest.param("DQ-18", 0, insured, [], id="corrected-record-passes"),
    pytest.param("DQ-16,DQ-18", 0, no_labour_spouse, ["DQ-16", "DQ-18"], id="every-problem-listed"),
    pytest.param("DQ-05", 1, old_incomplete_elimination, [], id="closed-episodes-are-history"),
]


@pytest.mark.parametrize(("codes", "index", "setup", "refused"), CASES)
def test_identification_county_approval(world, codes, index, setup, refused):
    household = world.households["A1a"][index]
    blocking(world, codes)
    if setup:
        setup(household)
    with time_machine.travel(START, tick=False):
        case = case_to_notice(world, start_case(world, household))
    with time_machine.travel(date(2026, 3, 9), tick=False):
        case = services.case_transition(case=case, action="review", actor=act(world, "township_a1"))
        if not refused:
            case = services.case_transition(case=case, action="approve", actor=act(world, "county_staff_a"))
            assert case.status == "county_approved"
            return
        with pytest.raises(TransitionRefused) as exc:
            services.case_transition(case=case, action="approve", actor=act(world, "county_staff_a"))
    assert "阻断级数据质量问题" in exc.value.message
    assert [r.split(" ")[0] for r in exc.value.reasons] == refused
    if "DQ-18" in refused:
        assert "金丝雀" in exc.value.reasons[-1] and "配偶A1a0" in exc.value.reasons[-1]
    case.refresh_from_db()
    assert case.status == "township_reviewed"


def _secure_snapshot(household, end, income):
    IncomeSnapshot.objects.create(
        household=household,
        kind="ad_hoc",
        year=end.year,
        window_start=date(end.year - 1, end.month, 1),
        window_end=end,
        wage_income=Decimal(income) * 3,
        household_size=3,
        house_unsafe=False,
        water_unsafe=False,
        child_out_of_school=False,
    )
    # Basic medical insurance is read from the members (the world's child is not insured).
    household.members.update(in_resident_medical=True)


def _elimination_at_county(world, *, override: bool = False):
    """A monitored household (A1a, second) whose elimination waits for county approval."""
    with time_machine.travel(START, tick=False):
        case = case_to_notice(world, start_case(world))
    with time_machine.travel(date(2026, 3, 9), tick=False):
        for action, user in (
            ("review", "township_a1"),
            ("approve", "county_staff_a"),
            ("announce", "county_staff_a"),
            ("enter_system", "township_a1"),
        ):
            case = services.case_transition(case=case, action=action, actor=act(world, user))
    episode = MonitoringEpisode.objects.get(pk=case.episode_id)
    _secure_snapshot(episode.household, date(2026, 4, 30), 12000)
    _secure_snapshot(episode.household, date(2026, 9, 30), 13000)
    services.episode_record_measures(
        episode=episode,
        implemented_measures=[{"category": "健康帮扶", "implemented_on": date(2026, 3, 20), "covers": ("illness",)}],
    )
    v = act(world, "village_a1a")
    with time_machine.travel(date(2026, 11, 2), tick=False):
        elim = services.elimination_propose(episode=episode, mode="assisted", actor=v)
        if override:
            elim = services.elimination_transition(
                case=elim, action="override_guards", actor=act(world, "county_staff_a"), reason="特殊情况"
            )
        for action in ("verify", "appraise", "post_notice"):
            elim = services.elimination_transition(case=elim, action=action, actor=v)
    with time_machine.travel(date(2026, 11, 10), tick=False):
        return services.elimination_transition(case=elim, action="review", actor=act(world, "township_a1"))


@pytest.mark.parametrize("override", [False, True], ids=["plain", "county-override-does-not-lift-it"])
def test_elimination_county_approval_is_refused_until_the_migrant_work_record_is_corrected(world, override):
    blocking(world, "DQ-19")
    elim = _elimination_at_county(world, override=override)
    spouse = elim.household.members.get(relationship="spouse")  # 务工所在地 empty: "not working"
    spell = MigrantWork.objects.create(
        person=spouse, start_month=date(2026, 5, 1), location="out_of_province", source="visit"
    )
    c = act(world, "county_staff_a")
    with time_machine.travel(date(2026, 11, 12), tick=False):
        with pytest.raises(TransitionRefused) as exc:
            services.elimination_transition(case=elim, action="approve", actor=c)
        assert exc.value.reasons == [
            f"DQ-19 监测对象登记未务工，但最近一条务工记录未结束或结束月份在本月之后（{spouse.name}）"
        ]
        elim.refresh_from_db()
        assert elim.status == "township_reviewed"
        # The village records the member's return; the county approval then goes through.
        migrant_work_end(actor=act(world, "village_a1a"), record=spell, end_month="2026-10")
        elim = services.elimination_transition(case=elim, action="approve", actor=c)
    assert elim.status == "county_approved"


def test_the_county_user_sees_each_blocking_problem_on_the_page(world, client_as):
    household = world.households["A1a"][0]  # escaped; nobody in serious-illness insurance (DQ-18)
    blocking(world, "DQ-18")
    with time_machine.travel(START, tick=False):
        case = case_to_notice(world, start_case(world, household))
    with time_machine.travel(date(2026, 3, 9), tick=False):
        case = services.case_transition(case=case, action="review", actor=act(world, "township_a1"))
        response = client_as("county_staff_a").post(
            f"/monitoring/cases/{case.pk}/act/", {"action": "approve", "version": case.version}
        )
    body = response.content.decode()
    assert response.status_code == 409
    assert "阻断级数据质量问题" in body and "DQ-18 脱贫户成员未参加大病保险" in body and "配偶A1a0" in body
    case.refresh_from_db()
    assert case.status == "township_reviewed"
