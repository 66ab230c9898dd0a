"""The full canary ID and phone never leave the server except through 'reveal' (SECURITY T-61)."""

from __future__ import annotations

import logging

from conftest import CANARY_ID, CANARY_PHONE


def test_no_page_or_api_response_carries_the_full_canary(world, client_as, caplog):
    caplog.set_level(logging.DEBUG)
    h = world.households["A1a"][0]
    p = world.canary
    urls = [
        "/",
        "/registry/?q=金",
        f"/registry/?q={CANARY_ID}",
        f"/registry/households/{h.pk}/",
        f"/registry/persons/{p.pk}/edit/",
        f"/registry/households/{h.pk}/edit/",
        "/core/audit/",
        "/api/v1/registry/households",
        f"/api/v1/registry/households/{h.pk}",
        "/api/v1/registry/persons?name=金",
    ]
    for username in ("county_admin_a", "village_a1a", "auditor_a", "township_a1"):
        client = client_as(username)
        for url in urls:
            body = client.get(url).content.decode()
            assert CANARY_ID not in body, (username, url)
            assert CANARY_PHONE not in body, (username, url)
        body = client.post("/registry/", {"q": CANARY_ID}).content.decode()
        assert CANARY_ID not in body, (username, "POST search")
    assert CANARY_ID not in caplog.text


def test_audit_rows_never_hold_a_full_id(world, actor_for):
    from fangpin.core.models import AuditEvent
    from fangpin.registry.services import person_reveal, person_update

    person_update(
        actor=actor_for("village_a1a"), person=world.canary, data={"phone": "13700000000"}, expected_version=1
    )
    person_reveal(actor=actor_for("village_a1a"), person=world.canary, field="id_number", reason="核对")
    dump = repr(list(AuditEvent.objects.values()))
    assert CANARY_ID not in dump and CANARY_PHONE not in dump


def test_security_headers_forbid_third_party_origins(world, client_as):
    response = client_as("village_a1a").get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "http://" not in body.replace("http://127.0.0.1", "") and "https://" not in body
