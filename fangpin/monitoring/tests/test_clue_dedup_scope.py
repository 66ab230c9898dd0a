"""Clue de-duplication never hands back a clue outside the caller's scope: idempotency keys are
the caller's own (user, or client address for the anonymous self-report) per village, and a
source number held elsewhere is a conflict that names nothing (issue 12 §2)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import CANARY_ID
from fangpin.core.actor import Actor
from fangpin.monitoring import services
from fangpin.monitoring.models import RiskClue


@pytest.fixture
def at_start():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def _warning_clue(world, ref: str = "1") -> RiskClue:
    # What a monthly department run creates: source_ref is the warning's id (1, 2, 3 …).
    return services.clue_create(
        source="department_warning",
        village=world.areas["A1a"],
        summary="医保部门预警 W-MED-1：自付医疗费用超过标准",
        household=world.households["A1a"][0],
        source_ref=ref,
        actor=Actor.system(),
        channel="system",
    )


def _api_clue(client, village_code: str, **extra):
    payload = {"source": "department_warning", "village_code": village_code, "summary": "核实", **extra}
    return client.post("/api/v1/monitoring/clues", payload, content_type="application/json")


@pytest.mark.parametrize(("username", "village"), [("county_admin_b", "B1a"), ("village_a1b", "A1b")])
def test_counting_department_warning_numbers_from_another_area_reveals_no_clue(
    world, client_as, at_start, username, village
):
    clue = _warning_clue(world)
    response = _api_clue(client_as(username), world.areas[village].code, source_ref="1")
    assert response.status_code == 409
    body = str(response.json())
    assert "已被登记" in response.json()["detail"] and clue.tracking_code not in body and "W-MED-1" not in body
    assert RiskClue.objects.count() == 1


def test_a_liaison_cannot_list_department_warning_clues_by_number(world, client_as, at_start):
    clue = _warning_clue(world)
    response = _api_clue(client_as("liaison_a"), world.areas["A1a"].code, source_ref="1")
    assert response.status_code == 409 and clue.tracking_code not in str(response.json())


def test_the_same_number_within_scope_still_returns_the_clue_once(world, client_as, at_start):
    clue = _warning_clue(world)
    response = _api_clue(client_as("township_a1"), world.areas["A1a"].code, source_ref="1")
    assert response.status_code == 201 and response.json()["id"] == clue.pk
    assert RiskClue.objects.count() == 1


def test_an_idempotency_key_of_another_caller_never_returns_their_clue_on_the_api(world, client_as, at_start):
    first = _api_clue(client_as("village_a1a"), world.areas["A1a"].code, idempotency_key="k-1")
    other = _api_clue(client_as("county_admin_b"), world.areas["B1a"].code, idempotency_key="k-1")
    assert first.status_code == other.status_code == 201
    assert other.json()["id"] != first.json()["id"] and other.json()["village_code"] == world.areas["B1a"].code
    again = _api_clue(client_as("village_a1a"), world.areas["A1a"].code, idempotency_key="k-1")
    assert again.json()["id"] == first.json()["id"] and RiskClue.objects.count() == 2


def test_an_idempotency_key_of_another_caller_never_returns_their_clue_on_the_page(world, client_as, at_start):
    data = {"source": "visit", "summary": "走访发现因病风险", "idempotency_key": "k-2"}
    first = client_as("village_a1a").post("/monitoring/clues/new/", {**data, "village": world.areas["A1a"].pk})
    other = client_as("village_b1a").post("/monitoring/clues/new/", {**data, "village": world.areas["B1a"].pk})
    assert first.status_code == other.status_code == 302 and first["Location"] != other["Location"]
    assert set(RiskClue.objects.values_list("village_code", flat=True)) == {"340102001001", "340103001001"}


def test_the_anonymous_self_report_never_returns_another_reporters_tracking_code(world, client, at_start):
    payload = {
        "village_code": world.areas["A1a"].code,
        "reporter_name": "甲",
        "id_number": CANARY_ID,
        "reporter_phone": "13912345678",
        "summary": "因病支出大",
        "consent": True,
        "idempotency_key": "same-key",
    }
    url = "/api/v1/monitoring/public/self-report"
    first = client.post(url, payload, content_type="application/json", REMOTE_ADDR="10.0.0.1")
    repeat = client.post(url, payload, content_type="application/json", REMOTE_ADDR="10.0.0.1")
    stranger = client.post(
        url, {**payload, "reporter_phone": "13800000001"}, content_type="application/json", REMOTE_ADDR="10.0.0.2"
    )
    assert first.status_code == repeat.status_code == stranger.status_code == 201
    assert repeat.json()["tracking_code"] == first.json()["tracking_code"]
    assert stranger.json()["tracking_code"] != first.json()["tracking_code"]
    assert RiskClue.objects.count() == 2
