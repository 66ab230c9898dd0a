"""Risk elimination enforces DOMAIN §4.5 as written (issue 12 §3): an assisted
elimination can pass through the pages; the county's blocking checks judge the
case being approved; rigid spending and new risks are guards; a failing
proposal is refused at once, listing every reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from fangpin.assistance.models import AssistanceMeasure, AssistancePlan
from fangpin.assistance.tests.factories import measure_for, plan_for
from fangpin.core.actor import Actor
from fangpin.core.errors import TransitionRefused
from fangpin.monitoring import rules, services
from fangpin.monitoring.models import EliminationCase, MonitoringEpisode
from fangpin.monitoring.tests.helpers import act, case_to_monitored, case_to_notice, new_clue, start_case
from fangpin.policy.services import policy_set
from fangpin.registry.models import IncomeSnapshot

START = date(2026, 3, 2)


def _monitored(world) -> MonitoringEpisode:
    with time_machine.travel(START, tick=False):
        case = case_to_monitored(world, case_to_notice(world, start_case(world)), START)
    return MonitoringEpisode.objects.get(pk=case.episode_id)


def _snapshot(household, end, per_capita, kind="ad_hoc", out_of_pocket=0):
    return IncomeSnapshot.objects.create(
        household=household,
        kind=kind,
        year=end.year,
        window_start=date(end.year - 1, end.month, 1),
        window_end=end,
        wage_income=Decimal(per_capita) * 3,
        eligible_out_of_pocket=Decimal(out_of_pocket),
        household_size=3,
        house_unsafe=False,
        water_unsafe=False,
        child_out_of_school=False,
    )


def _ok(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "login" not in response.url, response.url
    return response


# ---------------------------------------------------------------- item 1: through the pages


def test_an_assisted_elimination_walks_through_the_pages_to_county_approval(world, client_as):
    """What cadres do: the plan and measures, the income records (the last one
    风险消除时) and the elimination steps, each on its page. The members' own
    insurance (the household page shows 已参保) is the basic-medical-insurance fact."""
    episode = _monitored(world)
    household = episode.household
    household.members.update(in_resident_medical=True)
    with time_machine.travel(date(2026, 3, 20), tick=False):
        village = client_as("village_a1a")  # a new login each day: sessions idle out
        _ok(village.post(f"/assistance/episodes/{episode.pk}/plan/new/", {"goals": "稳定增收"}))
        plan = AssistancePlan.objects.get(episode=episode)
        for code in ("HEA-02", "EMP-01"):
            _ok(
                village.post(
                    f"/assistance/plans/{plan.pk}/measures/new/", {"measure_code": code, "start_date": "2026-03-20"}
                )
            )
        for measure in AssistanceMeasure.objects.filter(plan=plan):
            for action in ("start", "implement"):
                measure.refresh_from_db()
                _ok(
                    village.post(
                        f"/assistance/measures/{measure.pk}/transition/",
                        {"action": action, "on": "2026-03-20", "version": measure.version},
                    )
                )
    with time_machine.travel(date(2026, 11, 1), tick=False):
        village = client_as("village_a1a")
        for kind, start, end, wage in (
            ("ad_hoc", "2025-05-01", "2026-04-30", "36000"),
            ("elimination", "2025-11-01", "2026-10-31", "39000"),
        ):
            _ok(
                village.post(
                    f"/registry/households/{household.pk}/snapshots/new/",
                    {
                        "kind": kind,
                        "year": "2026",
                        "window_start": start,
                        "window_end": end,
                        "household_size": "3",
                        "wage_income": wage,
                        "business_income": "0",
                        "property_income": "0",
                        "transfer_income": "0",
                        "business_expense": "0",
                        "insurance_claim_income": "0",
                        "eligible_out_of_pocket": "0",
                        "house_unsafe": "false",
                        "child_out_of_school": "false",
                        "water_unsafe": "false",
                    },
                )
            )
    assert household.snapshots.filter(kind="elimination").exists(), list(
        household.snapshots.values_list("kind", "window_end")
    )
    with time_machine.travel(date(2026, 11, 2), tick=False):
        village = client_as("village_a1a")
        page = village.get(f"/monitoring/episodes/{episode.pk}/").content.decode()
        assert 'data-testid="propose-guards-ok"' in page, page
        _ok(village.post(f"/monitoring/episodes/{episode.pk}/eliminate/", {"mode": "assisted"}))
        case = EliminationCase.objects.get(episode=episode)
        for action in ("verify", "appraise", "post_notice"):
            case.refresh_from_db()
            _ok(village.post(f"/monitoring/eliminations/{case.pk}/act/", {"action": action, "version": case.version}))
    with time_machine.travel(date(2026, 11, 10), tick=False):
        for username, action in (("township_a1", "review"), ("county_staff_a", "approve")):
            case.refresh_from_db()
            _ok(
                client_as(username).post(
                    f"/monitoring/eliminations/{case.pk}/act/", {"action": action, "version": case.version}
                )
            )
    case.refresh_from_db()
    assert case.status == "county_approved"


def test_the_insurance_guard_reads_the_members_not_a_field_no_form_fills(world):
    episode = _monitored(world)
    household = episode.household
    for end, income in ((date(2026, 4, 30), 12000), (date(2026, 9, 30), 13000)):
        _snapshot(household, end, income)
    child = household.members.get(relationship="son")
    household.members.exclude(pk=child.pk).update(in_resident_medical=True)
    child.in_resident_medical = child.in_employee_medical = False
    child.save()
    on = date(2026, 11, 2)
    assert "“两不愁三保障”及饮水安全：基本医疗保险未保障" in services.elimination_check(
        episode=episode, mode="assisted", on=on
    )
    child.in_employee_medical = True
    child.save()
    assert not any("基本医疗保险" in r for r in services.elimination_check(episode=episode, mode="assisted", on=on))


def test_the_identification_checklist_reads_insurance_from_the_members(world):
    household = world.households["A1a"][1]  # the world's child is not insured
    advice = services.household_recommendation(household=household, risk_types=["illness"], on=START)
    assert "存在困难：有成员未参加基本医疗保险" in advice.findings
    assert not any("基本医疗保险" in m for m in advice.missing)
    household.members.update(in_resident_medical=True)
    advice = services.household_recommendation(household=household, risk_types=["illness"], on=START)
    assert not any("基本医疗保险" in f for f in advice.findings + advice.missing)


# ---------------------------------------------------------------- item 2: blocking checks judge the case


def _at_county(world, episode):
    v = act(world, "village_a1a")
    with time_machine.travel(date(2026, 11, 2), tick=False):
        elim = services.elimination_propose(episode=episode, mode="assisted", actor=v)
        for action in ("verify", "appraise", "post_notice"):
            elim = services.elimination_transition(case=elim, action=action, actor=v)
    with time_machine.travel(date(2026, 11, 10), tick=False):
        return services.elimination_transition(case=elim, action="review", actor=act(world, "township_a1"))


def test_county_approval_refuses_an_elimination_with_only_a_health_measure_and_no_elimination_record(world):
    episode = _monitored(world)
    household = episode.household
    household.members.update(in_resident_medical=True)
    _snapshot(household, date(2026, 4, 30), 12000)
    _snapshot(household, date(2026, 9, 30), 13000)  # 临时核查, not 风险消除时
    measure_for(plan_for(episode), "HEA-02", start_date=date(2026, 3, 20), implemented_on=date(2026, 3, 20))
    services.episode_record_measures(
        episode=episode,
        implemented_measures=[{"category": "health", "implemented_on": date(2026, 3, 20), "covers": ("illness",)}],
    )
    elim = _at_county(world, episode)
    with time_machine.travel(date(2026, 11, 12), tick=False), pytest.raises(TransitionRefused) as exc:
        services.elimination_transition(case=elim, action="approve", actor=act(world, "county_staff_a"))
    assert "阻断级数据质量问题" in exc.value.message
    # No 风险消除时 income (DQ-03, DQ-05), no developmental measure (DQ-04).
    assert [r.split(" ")[0] for r in exc.value.reasons] == ["DQ-03", "DQ-04", "DQ-05"]
    elim.refresh_from_db()
    assert elim.status == "township_reviewed"

    # Corrected: a developmental measure implemented and the 风险消除时 record entered.
    measure_for(
        AssistancePlan.objects.get(episode=episode),
        "EMP-01",
        start_date=date(2026, 3, 20),
        implemented_on=date(2026, 3, 20),
    )
    _snapshot(household, date(2026, 10, 31), 13000, kind="elimination")
    with time_machine.travel(date(2026, 11, 12), tick=False):
        elim = services.elimination_transition(case=elim, action="approve", actor=act(world, "county_staff_a"))
    assert elim.status == "county_approved"


# ---------------------------------------------------------------- item 3: rigid spending, new risk


def _facts(**kw):
    values = {
        "mode": "natural",
        "today": date(2026, 11, 2),
        "identified_on": date(2026, 1, 1),
        "risk_types": ["illness"],
        "covered_risk_types": ["illness"],
        "income_points": [rules.IncomePoint(date(2026, 1, 31), Decimal("9000"), Decimal("6000"))],
        "house_unsafe": False,
        "water_unsafe": False,
        "child_out_of_school": False,
        "member_without_medical_insurance": False,
        "whole_household_without_labour": False,
        "min_months": 6,
        "stable_months": 6,
        "natural_reason": "recovered",
        "justification": "康复",
    }
    return rules.EliminationFacts(**(values | kw))


@pytest.mark.parametrize(
    ("out_of_pocket", "refused"),
    [("0", False), ("13500", False), ("13500.01", True)],
    ids=["none", "exactly-half", "above-half"],
)
def test_rigid_spending_above_the_county_share_of_net_income_refuses(out_of_pocket, refused):
    facts = _facts(
        latest_net_income=Decimal("27000"),
        latest_out_of_pocket=Decimal(out_of_pocket),
        rigid_spending_max_share=Decimal("0.5"),
    )
    reasons = [r for r in rules.elimination_refusals(facts) if "刚性支出" in r]
    assert bool(reasons) is refused
    if refused:
        assert "13500.01元" in reasons[0] and "27000元的50%" in reasons[0]


def test_the_rigid_spending_share_is_the_countys_parameter(world):
    episode = _monitored(world)
    household = episode.household
    household.members.update(in_resident_medical=True)
    _snapshot(household, date(2026, 4, 30), 12000)
    _snapshot(household, date(2026, 9, 30), 13000, out_of_pocket=15000)  # net 39000: 38% of it
    on = date(2026, 11, 2)
    assert not any("刚性支出" in r for r in services.elimination_check(episode=episode, mode="assisted", on=on))
    policy_set(
        actor=Actor.command(),
        key="elimination_rigid_spending_max_share",
        value="0.3",
        area=world.areas["A"],
        effective_from=date(2026, 1, 1),
    )
    assert any("刚性支出尚未稳定解决" in r for r in services.elimination_check(episode=episode, mode="assisted", on=on))


def test_an_open_clue_on_the_household_is_a_new_risk_that_refuses_the_proposal(world):
    episode = _monitored(world)
    with time_machine.travel(date(2026, 10, 20), tick=False):
        clue = new_clue(world, episode.household, summary="走访发现孩子辍学", risk_types=["schooling"])
    with time_machine.travel(date(2026, 11, 2), tick=False), pytest.raises(TransitionRefused) as exc:
        services.elimination_propose(
            episode=episode,
            mode="natural",
            actor=act(world, "village_a1a"),
            natural_reason="recovered",
            justification="患病成员已康复",
        )
    assert f"存在尚未办结的新风险：风险线索{clue.tracking_code}（已接收，待受理）（§4.5.1第5项）" in exc.value.reasons


# ---------------------------------------------------------------- item 4: the proposal is refused


def test_a_failing_proposal_on_the_page_is_refused_listing_each_reason_and_opens_nothing(world, client_as):
    episode = _monitored(world)
    with time_machine.travel(date(2026, 4, 1), tick=False):
        village = client_as("village_a1a")
        page = village.get(f"/monitoring/episodes/{episode.pk}/").content.decode()
        assert "提出将被拒绝" in page and "不足6个月" in page
        refused = village.post(f"/monitoring/episodes/{episode.pk}/eliminate/", {"mode": "assisted"})
    body = refused.content.decode()
    assert refused.status_code == 409
    assert "不能提出风险消除" in body and "不足6个月" in body and "R-EL-3" in body
    assert not EliminationCase.objects.filter(episode=episode).exists()
