"""Pages: the public self-report, clue and case pages, notices with PDF, the
work queue and the bell; privacy canary; conflicts; scope per persona."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import CANARY_ID, CANARY_PHONE, PERSONAS
from fangpin.monitoring.models import IdentificationCase, MonitoringEpisode, Notification, RiskClue
from fangpin.monitoring.tests.helpers import case_to_notice, new_clue, start_case

START = date(2026, 3, 2)


@pytest.fixture
def at_start():
    with time_machine.travel(START, tick=False):
        yield


def test_public_self_report_needs_no_login_and_gives_a_tracking_code(world, client, at_start):
    page = client.get("/monitoring/report/")
    assert page.status_code == 200 and "自主申报" in page.content.decode()
    assert b"bootstrap" not in page.content  # a light page for slow links
    response = client.post(
        "/monitoring/report/",
        {
            "village": world.areas["A1a"].pk,
            "reporter_name": "金丝雀",
            "id_number": CANARY_ID,
            "reporter_phone": CANARY_PHONE,
            "risk_types": ["illness"],
            "summary": "家人住院花费大",
            "idempotency_key": "abc",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    clue = RiskClue.objects.get()
    body = response.content.decode()
    assert clue.tracking_code in body and CANARY_ID not in body and CANARY_PHONE not in body
    status = client.get("/monitoring/report/status/", {"tracking_code": clue.tracking_code, "id_last4": CANARY_ID[-4:]})
    assert "已接收，待受理" in status.content.decode()
    wrong = client.get("/monitoring/report/status/", {"tracking_code": clue.tracking_code, "id_last4": "1234"})
    assert "没有找到" in wrong.content.decode() and clue.summary not in wrong.content.decode()


def test_public_self_report_without_consent_is_refused_and_stores_nothing(world, client, at_start):
    response = client.post(
        "/monitoring/report/",
        {
            "village": world.areas["A1a"].pk,
            "reporter_name": "甲",
            "id_number": CANARY_ID,
            "reporter_phone": CANARY_PHONE,
            "summary": "x",
        },
    )
    assert response.status_code == 400 and "请阅读告知并勾选同意" in response.content.decode()
    assert "个人信息告知" in response.content.decode()
    assert RiskClue.objects.count() == 0


def test_public_self_report_names_the_bad_fields(world, client, at_start):
    response = client.post(
        "/monitoring/report/",
        {
            "village": world.areas["A1a"].pk,
            "reporter_name": "甲",
            "id_number": "123",
            "reporter_phone": "12345678901",
            "summary": "x",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and "身份证号" in body and "手机号" in body
    assert RiskClue.objects.count() == 0


def test_double_clicked_staff_clue_submit_creates_one_clue(world, client_as, at_start):
    client = client_as("village_a1a")
    data = {"source": "visit", "village": world.areas["A1a"].pk, "summary": "走访发现因病风险", "idempotency_key": "k1"}
    first = client.post("/monitoring/clues/new/", data)
    second = client.post("/monitoring/clues/new/", data)
    assert first.status_code == second.status_code == 302
    assert RiskClue.objects.count() == 1


def test_clue_detail_shows_actions_for_the_role_and_masks_the_reporter(world, client_as, at_start):
    clue = new_clue(world, reporter_name="张三", reporter_phone=CANARY_PHONE)
    body = client_as("township_a1").get(f"/monitoring/clues/{clue.pk}/").content.decode()
    assert "受理并转村核实" in body and CANARY_PHONE not in body and "139****5678" in body
    body = client_as("village_a1a").get(f"/monitoring/clues/{clue.pk}/").content.decode()
    assert "受理并转村核实" not in body


def test_clue_act_page_moves_the_clue_and_a_stale_form_gets_a_conflict(world, client_as, at_start):
    clue = new_clue(world)
    client = client_as("township_a1")
    ok = client.post(f"/monitoring/clues/{clue.pk}/act/", {"action": "accept", "version": clue.version})
    assert ok.status_code == 302
    stale = client.post(f"/monitoring/clues/{clue.pk}/act/", {"action": "accept", "version": clue.version})
    assert stale.status_code == 409 and "已被他人办理" in stale.content.decode()
    clue.refresh_from_db()
    assert clue.status == "accepted" and clue.version == 2


def test_case_detail_shows_clock_badge_timeline_and_refuses_review_during_notice(world, client_as, at_start):
    case = case_to_notice(world, start_case(world))
    client = client_as("township_a1")
    body = client.get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert 'data-testid="clock"' in body and "发布村级公示" in body and "乡镇审核通过" in body
    response = client.post(f"/monitoring/cases/{case.pk}/act/", {"action": "review", "version": case.version})
    assert response.status_code == 409 and "公示期至" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "notice"


def test_notice_page_and_pdf_are_masked_and_the_pdf_is_a_pdf(world, client_as, at_start):
    household = world.canary.household
    case = case_to_notice(world, start_case(world, household))
    notice = case.notices.get()
    client = client_as("village_a1a")
    body = client.get(f"/monitoring/notices/{notice.pk}/").content.decode()
    assert "金*雀" in body and "金丝雀" not in body and CANARY_ID not in body
    pdf = client.get(f"/monitoring/notices/{notice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content
    assert CANARY_ID.encode() not in pdf.content and CANARY_PHONE.encode() not in pdf.content


def test_objection_is_recorded_from_the_case_page(world, client_as, at_start):
    case = case_to_notice(world, start_case(world))
    notice = case.notices.get()
    client = client_as("village_a1a")
    response = client.post(f"/monitoring/notices/{notice.pk}/objections/", {"content": "有异议"})
    again = client.post(f"/monitoring/notices/{notice.pk}/objections/", {"content": "有异议"})
    assert response.status_code == again.status_code == 302 and notice.objections.count() == 1


def test_work_queue_lists_what_waits_on_the_user_overdue_first(world, client_as, at_start):
    late = start_case(world, world.households["A1a"][1])
    start_case(world, world.households["A1a"][2])
    IdentificationCase.objects.filter(pk=late.pk).update(
        step_started_on=date(2026, 2, 1), deadline_on=date(2026, 2, 20)
    )
    response = client_as("village_a1a").get("/monitoring/queue/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="work-queue"' in body and "<html" not in body
    assert body.index(late.case_no) < body.index(IdentificationCase.objects.exclude(pk=late.pk).get().case_no)
    assert 'data-testid="queue-overdue"' in body
    county = client_as("county_staff_a").get("/monitoring/queue/").content.decode()
    assert "超期督办" in county and late.case_no in county


def test_work_queue_query_count_does_not_grow_with_the_data(world, client_as, django_assert_max_num_queries, at_start):
    for i in range(3):
        start_case(world, world.households["A1a"][i])
    client = client_as("village_a1a")
    with django_assert_max_num_queries(30):
        client.get("/monitoring/queue/", HTTP_HX_REQUEST="true")


def test_bell_counts_unread_and_marking_read_clears_it(world, client_as, at_start):
    new_clue(world)
    client = client_as("township_a1")
    body = client.get("/monitoring/notifications/").content.decode()
    assert 'data-testid="bell-count">1<' in body
    client.post("/monitoring/notifications/read/")
    assert not Notification.objects.filter(user=world.users["township_a1"], read_at__isnull=True).exists()


def test_no_monitoring_page_carries_the_full_canary(world, client_as, at_start):
    household = world.canary.household
    clue = new_clue(
        world, household=household, reporter_name="金丝雀", reporter_phone=CANARY_PHONE, summary=f"电话{CANARY_PHONE}"
    )
    case = case_to_notice(world, start_case(world, household))
    urls = [
        "/monitoring/clues/",
        f"/monitoring/clues/{clue.pk}/",
        "/monitoring/cases/",
        f"/monitoring/cases/{case.pk}/",
        "/monitoring/notices/",
        "/monitoring/episodes/",
        "/monitoring/queue/",
        "/monitoring/notifications/",
        f"/api/v1/monitoring/clues/{clue.pk}",
        "/api/v1/monitoring/clues",
        f"/api/v1/monitoring/cases/{case.pk}",
    ]
    client = client_as("county_admin_a")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY_ID not in response.content.decode(), url
        assert CANARY_PHONE not in response.content.decode(), url


VILLAGE_OF = {"A1a": "340102001001", "A2a": "340102002001", "B1a": "340103001001"}


@pytest.mark.parametrize("username", [p[0] for p in PERSONAS])
def test_monitoring_pages_and_api_answer_by_scope(world, client_as, username):
    with time_machine.travel(START, tick=False):
        cases = {}
        for key, actor in (("A1a", "village_a1a"), ("A2a", "county_admin_a"), ("B1a", "county_admin_b")):
            household = world.households[key][1]
            clue = new_clue(world, household=household, village=key, by=actor)
            cases[key] = (household, clue)
    client = client_as(username)
    oracle_user = world.users[username]
    from fangpin.core.scoping import visible
    from fangpin.registry.models import Household

    readable = oracle_user.can("monitoring.view")
    allowed = set(visible(Household, oracle_user).values_list("pk", flat=True)) if readable else set()
    for household, clue in cases.values():
        page = client.get(f"/monitoring/clues/{clue.pk}/")
        api = client.get(f"/api/v1/monitoring/clues/{clue.pk}")
        if household.pk in allowed:
            assert (page.status_code, api.status_code) == (200, 200), username
        else:
            assert page.status_code in (403, 404) and api.status_code in (403, 404), username
            assert clue.tracking_code not in page.content.decode()
    for household, _clue in cases.values():
        episode = MonitoringEpisode.objects.create(
            household=household,
            village=household.village,
            village_code=household.village_code,
            category="marginal",
            risk_types=["illness"],
            status="monitored",
        )
        page = client.get(f"/monitoring/episodes/{episode.pk}/")
        api = client.get(f"/api/v1/monitoring/episodes/{episode.pk}")
        if household.pk in allowed:
            assert (page.status_code, api.status_code) == (200, 200), username
        else:
            assert page.status_code in (403, 404) and api.status_code in (403, 404), username
        edit = client.post(f"/monitoring/episodes/{episode.pk}/act/", {"action": "revoke", "version": 1, "reason": "x"})
        assert edit.status_code in (302, 403, 404, 409)
        if household.pk not in allowed:
            episode.refresh_from_db()
            assert episode.status == "monitored"
    listed = client.get("/api/v1/monitoring/clues")
    got = {c["household_id"] for c in listed.json()} if listed.status_code == 200 else set()
    assert got == {h.pk for h, _ in cases.values()} & allowed


def test_township_confirms_a_risk_type_change_with_a_reason_and_it_is_audited(world, client_as, at_start):
    from fangpin.core.models import AuditEvent
    from fangpin.monitoring.models import MonitoringEpisode

    household = world.households["A1a"][1]
    episode = MonitoringEpisode.objects.create(
        household=household,
        village=household.village,
        village_code=household.village_code,
        category="marginal",
        risk_types=["illness"],
        status="monitored",
        identified_on=date(2026, 1, 5),
    )
    village = client_as("village_a1a").get(f"/monitoring/episodes/{episode.pk}/").content.decode()
    assert 'data-testid="episode-update"' not in village
    client = client_as("township_a1")
    data = {
        "version": episode.version,
        "category": "marginal",
        "risk_types": ["illness", "natural_disaster"],
        "reason": "汛期房屋受损",
    }
    refused = client.post(f"/monitoring/episodes/{episode.pk}/edit/", data)
    assert refused.status_code == 400 and "自然灾害子项" in refused.content.decode()
    ok = client.post(f"/monitoring/episodes/{episode.pk}/edit/", {**data, "disaster_subtype": "0201"})
    assert ok.status_code == 302
    episode.refresh_from_db()
    assert episode.risk_types == ["illness", "natural_disaster"] and episode.disaster_subtype == "0201"
    assert AuditEvent.objects.filter(object_type="monitoring.episode", reason="汛期房屋受损").exists()


@pytest.mark.parametrize(
    "url", ["/monitoring/clues/", "/monitoring/cases/", "/monitoring/episodes/", "/monitoring/queue/"]
)
def test_list_pages_use_the_same_number_of_queries_for_more_rows(world, client_as, url, at_start):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("county_staff_a")
    start_case(world, world.households["A1a"][0])
    new_clue(world, world.households["A2a"][0], village="A2a", by="county_staff_a")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for household in (world.households["A1a"][1], world.households["A1a"][2]):
        start_case(world, household)
    new_clue(world, world.households["A1b"][0], village="A1b", by="township_a1")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries), url


def test_script_in_a_self_report_is_shown_as_text(world, client, client_as, at_start):
    client.post(
        "/monitoring/report/",
        {
            "village": world.areas["A1a"].pk,
            "reporter_name": "<img src=x onerror=alert(1)>",
            "id_number": CANARY_ID,
            "reporter_phone": CANARY_PHONE,
            "summary": "<script>alert(1)</script>",
            "consent": "on",
        },
    )
    clue = RiskClue.objects.get()
    body = client_as("township_a1").get(f"/monitoring/clues/{clue.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<img src=x" not in body
