"""Assistance pages and API: response and database, scope, privacy."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import CANARY_ID, CANARY_PHONE
from fangpin.assistance.models import AssistanceMeasure, AssistancePlan, MeasureEvidence, Visit
from fangpin.assistance.tests.factories import episode_for, measure_for, plan_for


@pytest.fixture
def setup(world, settings, tmp_path):
    settings.FANGPIN = {**settings.FANGPIN, "EVIDENCE_DIR": tmp_path}
    household = world.households["A1a"][0]
    episode = episode_for(household, risk_types=["illness", "unsafe_water"])
    plan = plan_for(episode)
    measure = measure_for(plan, "HEA-02", status="in_progress", person=world.canary)
    return {"h": household, "episode": episode, "plan": plan, "measure": measure}


def _urls(s):
    h, plan, m = s["h"], s["plan"], s["measure"]
    return [
        f"/assistance/households/{h.pk}/",
        f"/assistance/households/{h.pk}/visits/new/",
        f"/assistance/plans/{plan.pk}/edit/",
        f"/assistance/plans/{plan.pk}/measures/new/",
        f"/api/v1/assistance/plans/{plan.pk}",
        f"/api/v1/assistance/measures/{m.pk}",
        f"/api/v1/assistance/plans?household_id={h.pk}",
        f"/api/v1/assistance/visits?household_id={h.pk}",
        "/assistance/?status=overdue",
    ]


@time_machine.travel(date(2026, 3, 1), tick=False)
def test_the_plan_page_shows_measures_deadline_and_uncovered_risks(setup, client_as):
    body = client_as("village_a1a").get(f"/assistance/households/{setup['h'].pk}/").content.decode()
    assert "医疗救助" in body
    assert "已超期" in body  # identified 2026-01-10, no implemented measure by 2026-02-09
    assert "因病、因安全饮水" in body


def test_a_village_cadre_opens_a_plan_and_adds_a_measure_through_the_pages(world, client_as):
    household = world.households["A1a"][1]
    episode = episode_for(household)
    client = client_as("village_a1a")
    response = client.post(f"/assistance/episodes/{episode.pk}/plan/new/", {"goals": "增收"})
    assert response.status_code == 302
    plan = AssistancePlan.objects.get(episode=episode)
    response = client.post(
        f"/assistance/plans/{plan.pk}/measures/new/",
        {"measure_code": "EMP-01", "person_id": "", "start_date": "2026-01-15", "amount": "100"},
    )
    assert response.status_code == 302
    assert AssistanceMeasure.objects.get(plan=plan).measure_code == "EMP-01"


def test_a_refused_transition_shows_a_chinese_message_and_changes_nothing(setup, client_as):
    m = setup["measure"]
    response = client_as("village_a1a").post(
        f"/assistance/measures/{m.pk}/transition/", {"action": "complete", "version": m.version}
    )
    assert response.status_code == 409
    assert "不能执行" in response.content.decode()
    assert AssistanceMeasure.objects.get(pk=m.pk).status == "in_progress"


@time_machine.travel(date(2026, 3, 1), tick=False)
def test_marking_implemented_through_the_page(setup, client_as):
    m = setup["measure"]
    response = client_as("township_a1").post(
        f"/assistance/measures/{m.pk}/transition/", {"action": "implement", "on": "2026-02-01", "version": m.version}
    )
    assert response.status_code == 302
    assert AssistanceMeasure.objects.get(pk=m.pk).implemented_on == date(2026, 2, 1)


def test_evidence_upload_and_download_stay_in_scope(setup, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = setup["measure"]
    upload = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = client_as("village_a1a").post(f"/assistance/measures/{m.pk}/evidence/", {"file": upload})
    assert response.status_code == 302
    ev = MeasureEvidence.objects.get(measure=m)
    assert client_as("county_admin_a").get(f"/assistance/evidence/{ev.pk}/").status_code == 200
    assert client_as("village_a1b").get(f"/assistance/evidence/{ev.pk}/").status_code == 404
    assert client_as("county_admin_b").get(f"/assistance/evidence/{ev.pk}/").status_code == 404


def test_a_visit_is_recorded_from_a_phone_sized_form(world, client_as):
    household = world.households["A1a"][0]
    response = client_as("grid_a1a").post(
        f"/assistance/households/{household.pk}/visits/new/",
        {"visited_on": "2026-01-20", "mode": "on_site", "visitor_role": "grid_worker", "findings": "正常"},
    )
    assert response.status_code == 302
    assert Visit.objects.get(household=household).findings == "正常"


@pytest.mark.parametrize(
    "username", ["village_a1b", "township_a2", "county_admin_b", "village_b1a", "orphan", "misfit"]
)
def test_out_of_scope_users_get_404_or_403_everywhere(setup, client_as, username):
    client = client_as(username)
    for url in _urls(setup)[:6]:
        assert client.get(url).status_code in (403, 404), (username, url)
    for url in _urls(setup)[6:8]:
        response = client.get(url)
        assert response.status_code in (200, 403) and (response.status_code == 403 or response.json() == [])
    m = setup["measure"]
    client.post(f"/assistance/measures/{m.pk}/transition/", {"action": "implement", "on": "2026-02-01"})
    assert AssistanceMeasure.objects.get(pk=m.pk).status == "in_progress"


def test_the_overdue_list_is_scoped(setup, client_as):
    code = setup["h"].national_household_code
    with time_machine.travel(date(2026, 3, 1), tick=False):
        assert code in client_as("county_admin_a").get("/assistance/?status=overdue").content.decode()
        assert code not in client_as("county_admin_b").get("/assistance/?status=overdue").content.decode()
        assert code not in client_as("county_admin_a").get("/assistance/?status=on_track").content.decode()


def test_no_assistance_page_or_api_carries_the_full_canary(setup, client_as):
    for username in ("village_a1a", "county_admin_a", "auditor_a"):
        client = client_as(username)
        for url in _urls(setup):
            body = client.get(url).content.decode()
            assert CANARY_ID not in body and CANARY_PHONE not in body, (username, url)


def test_api_measure_transition_answers_409_on_a_race(setup, client_as):
    m = setup["measure"]
    client = client_as("village_a1a")
    url = f"/api/v1/assistance/measures/{m.pk}/transitions"
    with time_machine.travel(date(2026, 3, 1), tick=False):
        first = client.post(
            url, {"action": "implement", "on": "2026-02-01", "version": 1}, content_type="application/json"
        )
        second = client.post(
            url, {"action": "implement", "on": "2026-02-01", "version": 1}, content_type="application/json"
        )
    assert first.status_code == 200 and first.json()["status"] == "implemented"
    assert second.status_code == 409
    assert AssistanceMeasure.objects.get(pk=m.pk).version == 2


def test_api_creates_plans_measures_and_visits(world, client_as):
    household = world.households["A1a"][1]
    episode = episode_for(household)
    client = client_as("village_a1a")
    plan = client.post(
        "/api/v1/assistance/plans", {"episode_id": episode.pk, "goals": "g"}, content_type="application/json"
    )
    assert plan.status_code == 201
    again = client.post("/api/v1/assistance/plans", {"episode_id": episode.pk}, content_type="application/json")
    assert again.status_code == 409
    measure = client.post(
        f"/api/v1/assistance/plans/{plan.json()['id']}/measures",
        {"measure_code": "CMP-01", "start_date": "2026-01-15"},
        content_type="application/json",
    )
    assert measure.status_code == 201 and measure.json()["category"] == "comprehensive"
    visit = client.post(
        "/api/v1/assistance/visits",
        {"household_id": household.pk, "visited_on": "2026-01-20", "findings": "ok"},
        content_type="application/json",
    )
    assert visit.status_code == 201
    assert AssistanceMeasure.objects.filter(plan_id=plan.json()["id"]).count() == 1
    assert Visit.objects.filter(household=household).count() == 1
    other = client_as("county_admin_b").post(
        "/api/v1/assistance/visits",
        {"household_id": household.pk, "visited_on": "2026-01-20", "findings": "x"},
        content_type="application/json",
    )
    assert other.status_code == 404
