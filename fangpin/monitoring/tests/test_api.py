"""API: public self-report without auth, transitions with 409 on conflict,
elimination refusal reasons; concurrency: exactly one of two wins."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection, connections

from conftest import CANARY_ID
from fangpin.core.actor import Actor
from fangpin.core.errors import Conflict, TransitionRefused
from fangpin.monitoring import services
from fangpin.monitoring.models import CaseEvent, IdentificationCase, RiskClue
from fangpin.monitoring.tests.helpers import new_clue, start_case

START = date(2026, 3, 2)


@pytest.fixture
def at_start():
    with time_machine.travel(START, tick=False):
        yield


def test_public_self_report_api_needs_no_token_and_is_rate_limited(world, client, at_start):
    payload = {
        "village_code": world.areas["A1a"].code,
        "reporter_name": "甲",
        "id_number": CANARY_ID,
        "reporter_phone": "13912345678",
        "summary": "因病支出大",
        "consent": True,
    }
    codes = [
        client.post("/api/v1/monitoring/public/self-report", payload, content_type="application/json").status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 400]
    assert RiskClue.objects.count() == 3
    clue = RiskClue.objects.first()
    status = client.get(
        "/api/v1/monitoring/public/status", {"tracking_code": clue.tracking_code, "id_last4": CANARY_ID[-4:]}
    )
    assert status.status_code == 200 and status.json()["status"] == "received"


def test_public_self_report_api_names_bad_fields(world, client, at_start):
    payload = {"village_code": "999", "reporter_name": "", "id_number": "1", "reporter_phone": "1", "summary": "x"}
    response = client.post("/api/v1/monitoring/public/self-report", payload, content_type="application/json")
    assert response.status_code == 400 and "village_code" in response.json()["detail"]


def test_staff_api_requires_authentication(world, client, at_start):
    assert client.get("/api/v1/monitoring/clues").status_code == 401


def test_clue_transition_api_returns_409_on_a_stale_version(world, client_as, at_start):
    clue = new_clue(world)
    client = client_as("township_a1")
    url = f"/api/v1/monitoring/clues/{clue.pk}/transitions"
    ok = client.post(url, {"action": "accept", "version": 1}, content_type="application/json")
    late = client.post(url, {"action": "accept", "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    assert late.status_code == 409 and "已被他人办理" in late.json()["detail"]


def test_case_api_walks_a_step_and_refuses_an_action_not_in_the_table(world, client_as, at_start):
    case = start_case(world)
    client = client_as("village_a1a")
    url = f"/api/v1/monitoring/cases/{case.pk}/transitions"
    refused = client.post(url, {"action": "approve"}, content_type="application/json")
    assert refused.status_code in (403, 409)
    ok = client.post(url, {"action": "sign_consent", "version": case.version}, content_type="application/json")
    body = ok.json()
    assert (
        ok.status_code == 200
        and body["status"] == "verifying"
        and "record_home_verification" in body["allowed_actions"]
    )
    assert body["clock"]["state"] in ("on_track", "due_soon")
    case.refresh_from_db()
    assert case.consent_signed_on == START


def test_elimination_api_lists_every_refusal_reason(world, client_as, at_start):
    from fangpin.monitoring.models import MonitoringEpisode

    household = world.households["A1a"][1]
    episode = MonitoringEpisode.objects.create(
        household=household,
        village=household.village,
        village_code=household.village_code,
        category="marginal",
        risk_types=["illness"],
        status="monitored",
        identified_on=date(2026, 2, 1),
    )
    client = client_as("village_a1a")
    url = f"/api/v1/monitoring/episodes/{episode.pk}/eliminations"
    refused_proposal = client.post(url, {"mode": "assisted"}, content_type="application/json")
    assert refused_proposal.status_code == 409
    assert any("不足6个月" in r for r in refused_proposal.json()["reasons"])
    created = client.post(
        url, {"mode": "assisted", "exception_request": "特殊情况，申请县级特批"}, content_type="application/json"
    )
    assert created.status_code == 201
    reasons = created.json()["refusal_reasons"]
    assert reasons == refused_proposal.json()["reasons"]
    assert any("不足6个月" in r for r in reasons) and any("R-EL-3" in r for r in reasons)
    case_id = created.json()["id"]
    refused = client.post(
        f"/api/v1/monitoring/eliminations/{case_id}/transitions", {"action": "verify"}, content_type="application/json"
    )
    assert refused.status_code == 409 and len(refused.json()["reasons"]) == len(reasons)


def test_openapi_document_includes_the_monitoring_routes(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/monitoring/cases/{case_id}/transitions" in paths
    assert "/api/v1/monitoring/public/self-report" in paths


@pytest.mark.django_db(transaction=True)
def test_two_people_acting_at_once_exactly_one_transition_happens(world):
    """PostgreSQL: two connections race with row locks; SQLite (one writer): the version check."""
    with time_machine.travel(START, tick=False):
        case = start_case(world)
    users = [world.users["village_a1a"], world.users["village_a1a"]]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def attempt(user, in_thread=False):
        try:
            barrier.wait(timeout=10)
            services.case_transition(
                case=case, action="sign_consent", actor=Actor(user=user), expected_version=case.version
            )
            results.append("ok")
        except (Conflict, TransitionRefused):
            results.append("conflict")
        finally:
            if in_thread:
                connections.close_all()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=attempt, args=(u, True)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    else:
        barrier = threading.Barrier(1)
        for u in users:
            attempt(u)
    assert sorted(results) == ["conflict", "ok"]
    assert CaseEvent.objects.filter(case_kind="identification", case_id=case.pk, action="sign_consent").count() == 1
    assert IdentificationCase.objects.get(pk=case.pk).version == case.version + 1


def test_a_department_liaison_raises_a_warning_and_reads_only_its_own_clues_with_the_outcome(
    world, client_as, at_start
):
    other = new_clue(world)
    client = client_as("liaison_a")
    created = client.post(
        "/api/v1/monitoring/clues",
        {
            "source": "department_warning",
            "village_code": world.areas["A1a"].code,
            "summary": "W-MED-1 年度自付医疗费用 23400 元",
            "source_ref": "YB-2026-0001",
            "risk_types": ["illness"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    mine = created.json()["id"]
    clue = RiskClue.objects.get(pk=mine)
    services.clue_transition(
        clue=clue, action="close_referred", actor=Actor(user=world.users["township_a1"]), reason="已转医保局落实救助"
    )
    listed = client.get("/api/v1/monitoring/clues").json()
    assert [c["id"] for c in listed] == [mine] and listed[0]["outcome"] == "referred"
    assert listed[0]["feedback"] == "已转医保局落实救助"
    assert client.get(f"/api/v1/monitoring/clues/{other.pk}").status_code == 404
    assert client.get("/monitoring/clues/").status_code == 403


def test_notice_api_is_masked_and_an_upheld_objection_sends_the_case_back(world, client_as, at_start):
    from fangpin.monitoring.tests.helpers import case_to_notice

    case = case_to_notice(world, start_case(world, world.canary.household))
    notice = case.notices.get()
    client = client_as("village_a1a")
    body = client.get(f"/api/v1/monitoring/notices/{notice.pk}")
    assert body.status_code == 200 and body.json()["items"][0]["name"] == "金*雀"
    assert CANARY_ID not in body.content.decode()
    created = client.post(
        f"/api/v1/monitoring/notices/{notice.pk}/objections",
        {"content": "有异议", "raised_by_phone": "13912345678"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["raised_by_phone_masked"] == "139****5678"
    decided = client.post(
        f"/api/v1/monitoring/objections/{created.json()['id']}/decision",
        {"upheld": True, "result": "属实，重新核实"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    case.refresh_from_db()
    assert case.status == "verifying"
