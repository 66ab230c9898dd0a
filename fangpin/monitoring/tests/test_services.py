"""Services: clues, identification, notices, objections, elimination, episodes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from fangpin.assistance.tests.factories import measure_for, plan_for
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionRefused
from fangpin.core.models import AuditEvent
from fangpin.monitoring import services
from fangpin.monitoring.models import (
    CaseEvent,
    IdentificationCase,
    MonitoringEpisode,
    Notification,
    PublicNotice,
    RiskClue,
    SmsOutbox,
)
from fangpin.monitoring.tests.helpers import act, case_to_monitored, case_to_notice, new_clue, start_case
from fangpin.registry.models import Household, IncomeSnapshot

START = date(2026, 3, 2)


@pytest.fixture
def at_start():
    with time_machine.travel(START, tick=False):
        yield


def test_clue_create_routes_to_the_village_with_deadlines_and_notifies_the_township(world, at_start):
    clue = new_clue(world)
    assert clue.status == "received" and clue.village_code == world.areas["A1a"].code
    assert clue.accept_due == date(2026, 3, 4)  # 2 calendar days
    assert clue.verify_due == date(2026, 3, 9)  # 5 working days
    assert CaseEvent.objects.filter(case_kind="clue", case_id=clue.pk, action="create").exists()
    assert Notification.objects.filter(user=world.users["township_a1"]).count() == 1
    assert not Notification.objects.filter(user=world.users["township_a2"]).exists()
    assert AuditEvent.objects.filter(object_type="monitoring.clue", object_id=str(clue.pk)).exists()


def test_clue_create_is_idempotent_on_source_ref(world, at_start):
    first = new_clue(world, source="department_warning", source_ref="W-MED-1/2026/001", by="liaison_a")
    again = new_clue(world, source="department_warning", source_ref="W-MED-1/2026/001", by="liaison_a")
    assert first.pk == again.pk
    assert RiskClue.objects.count() == 1


def test_clue_create_refuses_a_village_outside_the_actors_area(world, at_start):
    with pytest.raises(NotFound):
        new_clue(world, household=world.households["A2a"][0], village="A2a", by="village_a1a")
    assert RiskClue.objects.count() == 0


def test_clue_create_names_every_bad_field(world, at_start):
    with pytest.raises(InvalidInput) as exc:
        services.clue_create(
            source="gossip",
            village=world.areas["A1"],
            summary="",
            risk_types=["illness", "aliens"],
            actor=act(world, "township_a1"),
        )
    text = " ".join(exc.value.reasons)
    assert "线索来源" in text and "所在村" in text and "线索内容" in text and "风险类型" in text


def test_clue_create_many_inserts_in_bulk_and_skips_known_refs(world, at_start):
    village = world.areas["A1a"]
    items = [
        {"source": "department_warning", "village": village, "summary": f"医保预警{i}", "source_ref": f"R{i}"}
        for i in range(5)
    ]
    created = services.clue_create_many(items=items, actor=act(world, "liaison_a"), channel="feed")
    assert len(created) == 5 and RiskClue.objects.count() == 5
    again = services.clue_create_many(items=items[:2], actor=act(world, "liaison_a"), channel="feed")
    assert {c.pk for c in again} <= {c.pk for c in created} and RiskClue.objects.count() == 5
    assert Notification.objects.filter(user=world.users["township_a1"]).count() == 1


def test_clue_create_many_refuses_the_whole_batch_when_one_item_is_bad(world, at_start):
    village = world.areas["A1a"]
    items = [{"source": "department_warning", "village": village, "summary": "ok"}, {"source": "x", "village": village}]
    with pytest.raises(InvalidInput) as exc:
        services.clue_create_many(items=items, actor=act(world, "liaison_a"), channel="feed")
    assert any(r.startswith("第2条") for r in exc.value.reasons)
    assert RiskClue.objects.count() == 0


def test_self_report_creates_an_unverified_clue_and_never_changes_the_registry(world, at_start):
    from conftest import CANARY_ID

    before = list(Household.objects.values_list("pk", "version"))
    clue = services.clue_self_report(
        village=world.areas["A1a"],
        reporter_name="金丝雀",
        id_number=CANARY_ID,
        reporter_phone="13912345678",
        summary="孩子上学费用负担不起",
        risk_types=["schooling"],
        client_address="10.0.0.1",
        consent=True,
    )
    assert clue.source == "self_report" and clue.status == "received"
    assert clue.household_id == world.canary.household_id
    assert list(Household.objects.values_list("pk", "version")) == before
    found = services.clue_public_status(tracking_code=clue.tracking_code.lower(), id_last4=CANARY_ID[-4:])
    assert found is not None and found.pk == clue.pk
    assert services.clue_public_status(tracking_code=clue.tracking_code, id_last4="0000") is None


def test_self_report_is_rate_limited_per_phone(world, at_start):
    from conftest import CANARY_ID

    for i in range(3):
        services.clue_self_report(
            village=world.areas["A1a"],
            reporter_name="甲",
            id_number=CANARY_ID,
            reporter_phone="13912345678",
            summary=f"第{i}次",
            client_address=f"10.0.0.{i}",
            consent=True,
        )
    with pytest.raises(InvalidInput, match="手机号今日提交的申报已达上限"):
        services.clue_self_report(
            village=world.areas["A1a"],
            reporter_name="甲",
            id_number=CANARY_ID,
            reporter_phone="13912345678",
            summary="再来",
            client_address="10.0.0.9",
            consent=True,
        )
    assert RiskClue.objects.count() == 3


def test_self_report_is_rate_limited_per_address(world, at_start):
    from conftest import CANARY_ID
    from fangpin.policy.models import PolicyParameter

    PolicyParameter.objects.filter(key="self_report_limit_per_address").update(value=2)
    for i in range(2):
        services.clue_self_report(
            village=world.areas["A1a"],
            reporter_name="甲",
            id_number=CANARY_ID,
            reporter_phone=f"1391234567{i}",
            summary="x",
            client_address="10.0.0.1",
            consent=True,
        )
    with pytest.raises(InvalidInput, match="当前网络"):
        services.clue_self_report(
            village=world.areas["A1a"],
            reporter_name="甲",
            id_number=CANARY_ID,
            reporter_phone="13912345679",
            summary="x",
            client_address="10.0.0.1",
            consent=True,
        )


def test_self_report_double_submit_creates_one_clue(world, at_start):
    from conftest import CANARY_ID

    kw = {
        "village": world.areas["A1a"],
        "reporter_name": "甲",
        "id_number": CANARY_ID,
        "reporter_phone": "13912345678",
        "summary": "x",
        "client_address": "10.0.0.1",
        "idempotency_key": "k-1",
        "consent": True,
    }
    assert services.clue_self_report(**kw).pk == services.clue_self_report(**kw).pk
    assert RiskClue.objects.count() == 1


def test_closing_a_self_report_writes_feedback_to_the_sms_outbox(world, at_start):
    from conftest import CANARY_ID

    clue = services.clue_self_report(
        village=world.areas["A1a"],
        reporter_name="甲",
        id_number=CANARY_ID,
        reporter_phone="13912345678",
        summary="x",
        client_address="10.0.0.1",
        consent=True,
    )
    clue = services.clue_transition(clue=clue, action="accept", actor=act(world, "township_a1"))
    clue = services.clue_transition(clue=clue, action="start_verification", actor=act(world, "village_a1a"))
    clue = services.clue_transition(
        clue=clue, action="close_not_at_risk", actor=act(world, "village_a1a"), reason="核实后收入稳定，无风险"
    )
    assert clue.outcome == "not_at_risk" and clue.feedback == "核实后收入稳定，无风险"
    sms = SmsOutbox.objects.get()
    assert sms.phone == "13912345678" and clue.tracking_code in sms.body


def test_closing_without_a_reason_is_refused_with_the_field_named(world, at_start):
    clue = new_clue(world)
    with pytest.raises(InvalidInput, match="理由"):
        services.clue_transition(clue=clue, action="close_duplicate", actor=act(world, "township_a1"))
    clue.refresh_from_db()
    assert clue.status == "received"


def test_identification_runs_from_clue_to_monitored_and_opens_the_episode(world, at_start):
    case = start_case(world)
    assert case.status == "applied" and case.deadline_on == date(2026, 3, 17)
    assert case.recommendation["note"].startswith("本建议仅供参考")
    clue = case.clues.get()
    assert clue.status == "closed" and clue.outcome == "identification_started"
    case = case_to_notice(world, case)
    assert case.status == "notice"
    notice = PublicNotice.objects.get(identification_case=case, kind="village_notice")
    assert notice.ends_on == date(2026, 3, 6)
    case = case_to_monitored(world, case, START)
    assert case.status == "monitored"
    episode = MonitoringEpisode.objects.get(household=case.household)
    assert episode.status == "monitored" and episode.identified_on == date(2026, 3, 9)
    assert PublicNotice.objects.filter(identification_case=case, kind="announcement").exists()


def test_review_is_refused_while_the_notice_window_is_open(world, at_start):
    case = case_to_notice(world, start_case(world))
    with pytest.raises(TransitionRefused, match="公示期至"):
        services.case_transition(case=case, action="review", actor=act(world, "township_a1"))
    case.refresh_from_db()
    assert case.status == "notice"


def test_appraisal_is_refused_until_verification_and_information_check_are_done(world, at_start):
    case = start_case(world)
    case = services.case_transition(case=case, action="sign_consent", actor=act(world, "village_a1a"))
    with pytest.raises(TransitionRefused) as exc:
        services.case_transition(case=case, action="appraise", actor=act(world, "village_a1a"), note="x")
    assert "尚未完成入户核实" in exc.value.reasons and "信息比对结果尚未返回" in exc.value.reasons


def test_an_upheld_objection_sends_the_case_back_to_verification(world, at_start):
    case = case_to_notice(world, start_case(world))
    notice = case.notices.get(kind="village_notice")
    objection = services.objection_record(
        notice=notice, content="该户有经营性收入未申报", actor=act(world, "village_a1a"), raised_by_name="村民甲"
    )
    with time_machine.travel(date(2026, 3, 9), tick=False), pytest.raises(TransitionRefused):
        services.case_transition(case=case, action="review", actor=act(world, "township_a1"))
    services.objection_handle(
        objection=objection, upheld=True, result="经查属实，重新核实", actor=act(world, "village_a1a")
    )
    case.refresh_from_db()
    assert case.status == "verifying" and case.home_verified_on is None
    objection.refresh_from_db()
    assert objection.status == "upheld"


def test_objection_outside_the_window_is_refused(world, at_start):
    case = case_to_notice(world, start_case(world))
    notice = case.notices.get(kind="village_notice")
    with time_machine.travel(date(2026, 3, 10), tick=False), pytest.raises(TransitionRefused, match="公示期内"):
        services.objection_record(notice=notice, content="迟到的异议", actor=act(world, "village_a1a"))


def test_green_channel_opens_the_episode_before_approval_while_the_clock_keeps_running(world, at_start):
    case = start_case(
        world,
        by="township_a1",
        green_channel=True,
        reason="房屋被洪水冲毁",
        risk_types=["natural_disaster"],
        disaster_subtype="0201",
    )
    assert case.green_channel and case.episode.status == "green_channel"
    assert case.deadline_on == date(2026, 3, 17)
    case = case_to_notice(world, case)
    case = case_to_monitored(world, case, START)
    case.episode.refresh_from_db()
    assert case.episode.status == "monitored" and case.episode.identified_on is not None


def test_natural_disaster_without_subtype_is_refused(world, at_start):
    with pytest.raises(InvalidInput, match="自然灾害子项"):
        start_case(world, risk_types=["natural_disaster"])
    assert IdentificationCase.objects.count() == 0


def test_village_cadre_cannot_start_a_green_channel(world, at_start):
    with pytest.raises(Forbidden):
        start_case(world, green_channel=True, reason="灾害")


def test_a_stale_version_gets_a_conflict_and_changes_nothing(world, at_start):
    case = start_case(world)
    version = case.version
    services.case_transition(
        case=case, action="sign_consent", actor=act(world, "village_a1a"), expected_version=version
    )
    with pytest.raises(Conflict):
        services.case_transition(
            case=case, action="sign_consent", actor=act(world, "village_a1a"), expected_version=version
        )
    assert CaseEvent.objects.filter(case_kind="identification", action="sign_consent").count() == 1


def test_a_second_open_case_for_the_same_household_is_refused(world, at_start):
    household = world.households["A1a"][1]
    start_case(world, household)
    with pytest.raises((Conflict, TransitionRefused)):
        start_case(world, household)
    assert IdentificationCase.objects.filter(household=household).count() == 1


def _secure_snapshot(household, on, per_capita_income, kind="ad_hoc"):
    IncomeSnapshot.objects.create(
        household=household,
        kind=kind,
        year=on.year,
        window_start=date(on.year - 1, on.month, 1),
        window_end=on,
        wage_income=Decimal(per_capita_income) * 3,
        household_size=3,
        house_unsafe=False,
        water_unsafe=False,
        child_out_of_school=False,
    )
    # Basic medical insurance is read from the members (the world's child is not insured).
    household.members.update(in_resident_medical=True)


def _monitored(world):
    case = case_to_monitored(world, case_to_notice(world, start_case(world)), START)
    return MonitoringEpisode.objects.get(pk=case.episode_id)


def test_elimination_too_early_is_refused_at_the_proposal_listing_every_failing_reason(world, at_start):
    episode = _monitored(world)
    with time_machine.travel(date(2026, 4, 1), tick=False), pytest.raises(TransitionRefused) as exc:
        services.elimination_propose(episode=episode, mode="assisted", actor=act(world, "village_a1a"))
    reasons = " ".join(exc.value.reasons)
    assert "不能提出风险消除" in exc.value.message
    assert "不足6个月" in reasons
    assert "因病" in reasons and "R-EL-3" in reasons
    assert "两不愁三保障" in reasons
    assert not episode.elimination_cases.exists()  # no case, no 30-day clock


def test_a_proposal_asking_for_a_county_exception_is_opened_and_still_waits_at_verification(world, at_start):
    episode = _monitored(world)
    with time_machine.travel(date(2026, 4, 1), tick=False):
        case = services.elimination_propose(
            episode=episode, mode="assisted", actor=act(world, "village_a1a"), exception_request="户主病故，情况特殊"
        )
        assert "不足6个月" in " ".join(case.guard_failures)
        with pytest.raises(TransitionRefused) as exc:
            services.elimination_transition(case=case, action="verify", actor=act(world, "village_a1a"))
    assert exc.value.reasons == case.guard_failures
    event = CaseEvent.objects.get(case_kind="elimination", case_id=case.pk, action="create")
    assert event.reason == "户主病故，情况特殊"
    case.refresh_from_db()
    assert case.status == "proposed"


def test_elimination_is_allowed_after_six_months_with_measures_and_stable_income(world, at_start):
    episode = _monitored(world)
    household = episode.household
    _secure_snapshot(household, date(2026, 4, 30), 12000)
    _secure_snapshot(household, date(2026, 9, 30), 13000, kind="elimination")  # R-EL-5 / DQ-05
    plan = plan_for(episode)
    measure_for(plan, "HEA-02", start_date=date(2026, 3, 20), implemented_on=date(2026, 3, 20))
    measure_for(plan, "EMP-01", start_date=date(2026, 3, 20), implemented_on=date(2026, 3, 20))  # R-EL-2 / DQ-04
    services.episode_record_measures(
        episode=episode,
        implemented_measures=[{"category": "健康帮扶", "implemented_on": date(2026, 3, 20), "covers": ("illness",)}],
    )
    with time_machine.travel(date(2026, 11, 2), tick=False):
        case = services.elimination_propose(episode=episode, mode="assisted", actor=act(world, "village_a1a"))
        assert case.guard_failures == []
        v, t, c = act(world, "village_a1a"), act(world, "township_a1"), act(world, "county_staff_a")
        case = services.elimination_transition(case=case, action="verify", actor=v)
        case = services.elimination_transition(case=case, action="appraise", actor=v)
        case = services.elimination_transition(case=case, action="post_notice", actor=v)
    with time_machine.travel(date(2026, 11, 10), tick=False):
        case = services.elimination_transition(case=case, action="review", actor=t)
        case = services.elimination_transition(case=case, action="approve", actor=c)
        case = services.elimination_transition(case=case, action="announce", actor=c)
        case = services.elimination_transition(case=case, action="flag", actor=t)
    episode.refresh_from_db()
    assert case.status == "flagged"
    assert episode.status == "eliminated" and episode.follow_up_until == date(2027, 11, 10)
    assert services.episode_follow_up_sweep(on=date(2027, 11, 9)) == 0
    assert services.episode_follow_up_sweep(on=date(2027, 11, 10)) == 1
    episode.refresh_from_db()
    assert episode.status == "stable"


def test_county_override_with_a_written_reason_lets_the_elimination_proceed_and_is_audited(world, at_start):
    episode = _monitored(world)
    with time_machine.travel(date(2026, 4, 1), tick=False):
        case = services.elimination_propose(
            episode=episode, mode="assisted", actor=act(world, "village_a1a"), exception_request="家庭成员去世"
        )
        with pytest.raises(Forbidden):
            services.elimination_transition(
                case=case, action="override_guards", actor=act(world, "township_a1"), reason="x"
            )
        with pytest.raises(InvalidInput):
            services.elimination_transition(case=case, action="override_guards", actor=act(world, "county_staff_a"))
        case = services.elimination_transition(
            case=case, action="override_guards", actor=act(world, "county_staff_a"), reason="家庭成员去世，特殊情况"
        )
        case = services.elimination_transition(case=case, action="verify", actor=act(world, "village_a1a"))
    assert case.status == "home_verified" and case.override_reason
    assert AuditEvent.objects.filter(object_type="monitoring.elimination", reason="家庭成员去世，特殊情况").exists()


def test_reversal_puts_an_eliminated_episode_back_under_monitoring_with_history(world, at_start):
    episode = _monitored(world)
    services.episode_transition(
        episode=episode,
        action="eliminate",
        actor=act(world, "county_staff_a"),
        internal=True,
        changes={
            "eliminated_on": date(2026, 10, 1),
            "elimination_mode": "assisted",
            "follow_up_until": date(2027, 10, 1),
        },
    )
    with pytest.raises(InvalidInput):
        services.episode_transition(episode=episode, action="reverse", actor=act(world, "county_staff_a"))
    episode = services.episode_transition(
        episode=episode, action="reverse", actor=act(world, "county_staff_a"), reason="收入依赖政策性补贴，不稳定"
    )
    assert episode.status == "monitored" and episode.eliminated_on is None
    assert episode.reversal_history[0]["reason"] == "收入依赖政策性补贴，不稳定"


def test_a_user_cannot_fire_a_system_transition(world, at_start):
    episode = _monitored(world)
    with pytest.raises(Forbidden):
        services.episode_transition(episode=episode, action="eliminate", actor=act(world, "county_staff_a"))


def test_new_identification_after_elimination_marks_the_old_episode_reidentified(world, at_start):
    episode = _monitored(world)
    services.episode_transition(
        episode=episode,
        action="eliminate",
        actor=act(world, "county_staff_a"),
        internal=True,
        changes={
            "eliminated_on": date(2026, 10, 1),
            "elimination_mode": "assisted",
            "follow_up_until": date(2027, 10, 1),
        },
    )
    with time_machine.travel(date(2026, 12, 1), tick=False):
        case = start_case(world, episode.household)
        case = case_to_notice(world, case)
        case = case_to_monitored(world, case, date(2026, 12, 1))
    episode.refresh_from_db()
    new = MonitoringEpisode.objects.get(pk=case.episode_id)
    assert episode.status == "reidentified" and new.previous_episode_id == episode.pk and new.status == "monitored"


def test_episode_record_measures_stores_coverage_and_first_date(world, at_start):
    episode = _monitored(world)
    services.episode_record_measures(
        episode=episode,
        implemented_measures=[
            services.ImplementedMeasure(
                category="就业帮扶", implemented_on=date(2026, 4, 2), covers=("unstable_employment",)
            ),
            services.ImplementedMeasure(category="健康帮扶", implemented_on=date(2026, 3, 20), covers=("illness",)),
        ],
    )
    episode.refresh_from_db()
    assert episode.covered_risk_types == ["illness", "unstable_employment"]
    assert episode.first_measure_on == date(2026, 3, 20)


def test_sweep_reminds_due_soon_and_escalates_overdue_once(world, at_start):
    from fangpin.monitoring.services.sweeps import reminders_sweep

    case = start_case(world)
    Notification.objects.all().delete()
    IdentificationCase.objects.filter(pk=case.pk).update(
        step_started_on=date(2026, 2, 1), deadline_on=date(2026, 2, 20)
    )
    created = reminders_sweep(on=START)
    assert created > 0
    users = set(Notification.objects.values_list("user__username", flat=True))
    assert {"village_a1a", "township_a1", "county_staff_a", "county_admin_a"} <= users
    assert reminders_sweep(on=START) == 0  # deduplicated


def test_sms_outbox_is_sent_through_the_pluggable_sender(world, at_start):
    from fangpin.monitoring.models import SmsOutbox
    from fangpin.monitoring.services.sweeps import sms_dispatch

    SmsOutbox.objects.create(phone="13912345678", body="您反映的情况已办结")
    sent = []

    class Fake:
        def send(self, phone, body):
            sent.append((phone, body))

    assert sms_dispatch(sender=Fake()) == 1
    assert sent == [("13912345678", "您反映的情况已办结")]
    assert SmsOutbox.objects.get().status == "sent"


def test_a_province_counting_twenty_working_days_gets_its_deadline_across_holidays(world):
    from fangpin.policy.catalog import CATALOG, validate_value
    from fangpin.policy.models import PolicyParameter

    value = validate_value(CATALOG["identification_time_limit"], "20 工作日")
    assert value == {"value": 20, "unit": "working_days"}
    PolicyParameter.objects.create(
        key="identification_time_limit", area=world.areas["prov"], value=value, unit="", effective_from=date(2026, 1, 1)
    )
    with time_machine.travel(date(2026, 9, 28), tick=False):
        case = start_case(world)
    # Working days after Mon 2026-09-28, skipping National Day (Oct 1–7) and counting Sat Oct 10.
    assert case.deadline_on == date(2026, 10, 30)


def test_policy_values_for_time_limits_are_validated_with_chinese_messages():
    from fangpin.policy.catalog import CATALOG, validate_value

    assert validate_value(CATALOG["notice_min_days"], "5") == {"value": 5, "unit": "calendar_days"}
    assert validate_value(CATALOG["identification_step_limits"], "verifying=5，notice=2") == {
        "verifying": 5,
        "notice": 2,
    }
    with pytest.raises(ValueError, match="时限须为整数天"):
        validate_value(CATALOG["identification_time_limit"], "十五天")
    with pytest.raises(ValueError, match="须大于0"):
        validate_value(CATALOG["identification_time_limit"], "0 自然日")


def test_the_clock_starts_at_the_first_clue_of_the_household(world):
    from fangpin.monitoring.tests.helpers import to_verifying_clue

    household = world.households["A1a"][2]
    with time_machine.travel(date(2026, 3, 2), tick=False):
        new_clue(world, household, source="hotline", summary="热线反映：家中有人住院")
    with time_machine.travel(date(2026, 3, 6), tick=False):
        clue = to_verifying_clue(world, new_clue(world, household))
        case = services.clue_start_identification(
            clue=clue, actor=act(world, "village_a1a"), category="marginal", risk_types=["illness"]
        )
    assert case.clock_started_on == date(2026, 3, 2) and case.deadline_on == date(2026, 3, 17)
    assert set(case.clues.values_list("household_id", flat=True)) == {household.pk}
    assert case.clues.count() == 2


def test_sms_feedback_text_never_carries_a_full_id_or_phone(world, at_start):
    from conftest import CANARY_ID

    clue = services.clue_create(
        source="hotline",
        village=world.areas["A1a"],
        summary="12317热线",
        reporter_phone="13912345678",
        actor=act(world, "township_a1"),
    )
    clue = services.clue_transition(clue=clue, action="accept", actor=act(world, "township_a1"))
    clue = services.clue_transition(clue=clue, action="start_verification", actor=act(world, "village_a1a"))
    services.clue_transition(
        clue=clue,
        action="close_not_at_risk",
        actor=act(world, "village_a1a"),
        reason=f"核实：{CANARY_ID} 户收入稳定，联系人13912345678",
    )
    body = SmsOutbox.objects.get().body
    assert CANARY_ID not in body and "13912345678" not in body and "3401" in body


def test_bulk_clues_use_a_bounded_number_of_queries(world, at_start, django_assert_max_num_queries):
    village = world.areas["A1a"]

    def items(n, prefix):
        return [
            {"source": "department_warning", "village": village, "summary": f"预警{i}", "source_ref": f"{prefix}{i}"}
            for i in range(n)
        ]

    services.clue_create_many(items=items(5, "a"), actor=act(world, "liaison_a"), channel="feed")
    with django_assert_max_num_queries(40):
        created = services.clue_create_many(items=items(200, "b"), actor=act(world, "liaison_a"), channel="feed")
    assert len(created) == 200 and RiskClue.objects.count() == 205
