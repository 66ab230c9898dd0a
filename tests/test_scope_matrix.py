"""Each persona sees exactly what the area tree says, on every channel (SECURITY T-01..T-09)."""

from __future__ import annotations

import pytest

from conftest import PERSONAS
from fangpin.core.scoping import visible
from fangpin.registry.models import Household

AREA_OF = {name: area for name, _role, area in PERSONAS}
REGISTRY_ROLES = {"county_admin", "county_staff", "township_staff", "village_cadre", "grid_worker", "auditor"}


def expected(world, username):
    role = {n: r for n, r, _a in PERSONAS}[username]
    area = AREA_OF[username]
    if role not in REGISTRY_ROLES or area is None:
        return set()
    user = world.users[username]
    if user.scope_area is None:
        return set()
    return world.visible_households(area)


@pytest.mark.parametrize("username", [p[0] for p in PERSONAS])
def test_selector_layer_matches_the_area_oracle(world, username):
    got = set(visible(Household, world.users[username]).values_list("pk", flat=True))
    assert got == expected(world, username)


@pytest.mark.parametrize("username", [p[0] for p in PERSONAS])
def test_every_household_page_and_api_detail_answers_by_scope(world, client_as, username):
    client = client_as(username)
    allowed = expected(world, username)
    for households in world.households.values():
        for h in households:
            page = client.get(f"/registry/households/{h.pk}/")
            api = client.get(f"/api/v1/registry/households/{h.pk}")
            if h.pk in allowed:
                assert (page.status_code, api.status_code) == (200, 200)
            else:
                assert page.status_code in (403, 404)
                assert api.status_code in (403, 404)
                assert h.national_household_code not in page.content.decode()


@pytest.mark.parametrize("username", ["village_a1a", "township_a1", "county_admin_a", "grid_a1a"])
def test_write_urls_outside_scope_answer_404_and_change_nothing(world, client_as, username):
    client = client_as(username)
    outside = world.households["B1a"][0]
    person = outside.members.first()
    before = (person.name, person.version, outside.version)
    for url in (
        f"/registry/persons/{person.pk}/edit/",
        f"/registry/persons/{person.pk}/remove/",
        f"/registry/households/{outside.pk}/edit/",
        f"/registry/households/{outside.pk}/transfer/",
        f"/registry/persons/{person.pk}/reveal/",
    ):
        response = client.post(
            url,
            {
                "name": "改名",
                "labour_capacity": "weak",
                "status": "deceased",
                "occurred_on": "2026-01-01",
                "field": "id_number",
                "reason": "x",
            },
        )
        assert response.status_code in (403, 404)
    person.refresh_from_db()
    outside.refresh_from_db()
    assert (person.name, person.version, outside.version) == before


@pytest.mark.parametrize("username", [p[0] for p in PERSONAS])
def test_list_api_and_search_return_only_the_oracle(world, client_as, username):
    client = client_as(username)
    allowed = expected(world, username)
    response = client.get("/api/v1/registry/households?size=200")
    got = {h["id"] for h in response.json()["items"]} if response.status_code == 200 else set()
    assert got == allowed
    page = client.get("/registry/", {"q": ""})
    if page.status_code == 200:
        shown = {p.household_id for p in page.context["page"].items}
        assert shown <= allowed and (shown == allowed or len(page.context["page"].items) == 50)


def test_orphan_and_misfit_users_see_nothing_and_are_told_why(world, client_as):
    for username in ("orphan", "misfit"):
        home = client_as(username).get("/")
        assert "尚未绑定" in home.content.decode()
        assert client_as(username).get("/registry/").status_code == 403


def test_home_counts_only_the_users_area(world, client_as):
    body = client_as("village_a1a").get("/").content.decode()
    assert 'data-testid="kpi-households">3<' in body
    body = client_as("county_admin_a").get("/").content.decode()
    assert 'data-testid="kpi-households">9<' in body


def test_auditor_sees_audit_events_of_their_county_only(world, client_as, actor_for):
    from fangpin.registry.services import person_update

    person_update(
        actor=actor_for("village_b1a"),
        person=world.households["B1a"][0].members.first(),
        data={"ethnicity": "回族"},
        expected_version=1,
    )
    person_update(actor=actor_for("village_a1a"), person=world.canary, data={"ethnicity": "满族"}, expected_version=1)
    rows = client_as("auditor_a").get("/core/audit/", {"object_type": "person"}).context["page"].items
    assert {e.area_code for e in rows} == {"340102001001"}
    assert client_as("village_a1a").get("/core/audit/").status_code == 403
