"""One lockout on every login path, keyed on username and client address (issue 12 §2, 等保 8.1.4.1 b)."""

from __future__ import annotations

from django.test import Client

from conftest import PASSWORD
from fangpin.core.models import AuditAction, AuditEvent

X, Y = "10.1.1.1", "10.2.2.2"


def _fail_five_times(username: str, address: str) -> None:
    client = Client(REMOTE_ADDR=address)
    for _ in range(5):
        response = client.post("/login/", {"username": username, "password": "wrong-password"})
        assert response.status_code in (200, 429)


def test_a_username_locked_at_the_login_page_is_refused_at_the_admin_login_too(world):
    staff = world.users["county_admin_a"]
    staff.is_staff = True  # the admin login needs it; never a superuser
    staff.save(update_fields=["is_staff"])
    _fail_five_times("county_admin_a", X)
    page = Client(REMOTE_ADDR=X).post("/login/", {"username": "county_admin_a", "password": PASSWORD})
    assert page.status_code == 429 and "已暂时锁定" in page.content.decode()
    admin = Client(REMOTE_ADDR=X)
    response = admin.post("/admin/login/?next=/admin/", {"username": "county_admin_a", "password": PASSWORD})
    assert response.status_code == 429 and "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in admin.session
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, object_label="county_admin_a")
    assert failed.count() >= 5 and not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_a_lockout_from_one_address_does_not_lock_the_same_username_from_another(world):
    _fail_five_times("village_a1a", X)
    assert Client(REMOTE_ADDR=X).post("/login/", {"username": "village_a1a", "password": PASSWORD}).status_code == 429
    other = Client(REMOTE_ADDR=Y)
    response = other.post("/login/", {"username": "village_a1a", "password": PASSWORD})
    assert response.status_code == 302 and other.session["_auth_user_id"] == str(world.users["village_a1a"].pk)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, object_label="village_a1a").count() == 1


def test_four_failures_do_not_lock_and_the_api_token_path_is_unaffected(world):
    from fangpin.accounts.services import token_create
    from fangpin.core.actor import Actor

    _, key = token_create(actor=Actor.command(), user=world.users["county_admin_a"])
    _fail_five_times("county_admin_a", "127.0.0.1")
    api = Client().get("/api/v1/registry/households", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200
    client = Client(REMOTE_ADDR=X)
    for _ in range(4):
        client.post("/login/", {"username": "township_a1", "password": "wrong-password"})
    assert client.post("/login/", {"username": "township_a1", "password": PASSWORD}).status_code == 302
