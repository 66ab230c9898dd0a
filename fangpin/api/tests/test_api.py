"""The read API: token auth, the same scope and masking as the pages."""

import json

from django.core.management import call_command

from conftest import CANARY_ID
from fangpin.accounts.models import ApiToken


def _token(username):
    from io import StringIO

    out = StringIO()
    call_command("token", "create", user=username, stdout=out)
    return out.getvalue().strip()


def test_token_printed_by_the_command_works_and_only_its_hash_is_stored(client, world):
    key = _token("village_a1a")
    assert key.startswith("fp_") and not ApiToken.objects.filter(key_hash=key).exists()
    response = client.get("/api/v1/registry/households", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    codes = {h["village_code"] for h in response.json()["items"]}
    assert codes == {"340102001001"}


def test_no_token_or_a_revoked_token_is_refused(client, world):
    assert client.get("/api/v1/registry/households").status_code == 401
    key = _token("village_a1a")
    token = ApiToken.objects.get(prefix=key.split("_")[1])
    call_command("token", "revoke", id=token.pk)
    assert client.get("/api/v1/registry/households", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_household_detail_masks_ids_and_answers_404_outside_scope(client_as, world):
    household = world.households["A1a"][0]
    inside = client_as("township_a1").get(f"/api/v1/registry/households/{household.pk}")
    body = inside.content.decode()
    assert inside.status_code == 200 and CANARY_ID not in body and "3401**********159X" in body
    outside = client_as("township_a2").get(f"/api/v1/registry/households/{household.pk}")
    missing = client_as("township_a2").get("/api/v1/registry/households/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_id_lookup_goes_in_the_body_and_is_logged(world):
    from fangpin.core.models import AuditEvent

    key = _token("village_a1a")
    from django.test import Client

    response = Client().post(
        "/api/v1/registry/persons/lookup",
        json.dumps({"id_number": CANARY_ID}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["items"]] == ["金丝雀"]
    assert AuditEvent.objects.filter(action="search", channel="api").count() == 1


def test_department_liaison_reads_no_registry(client_as, world):
    response = client_as("liaison_a").get("/api/v1/registry/households")
    assert response.status_code == 403


def test_openapi_document_is_served_by_the_app(client, world):
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/registry/households" in doc["paths"]
