"""Role and area changes in the Django admin, and refused requests, reach the audit chain (issue 12 §2)."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client

from fangpin.accounts.models import User
from fangpin.core.audit import verify_chain
from fangpin.core.models import AuditAction, AuditEvent


def _sysadmin() -> Client:
    # The system administrator of the admin site: staff with the user permissions, never a superuser.
    admin = User.objects.create_user(username="sysadmin", password="Sys-admin-2026", is_staff=True)
    admin.user_permissions.set(Permission.objects.filter(codename__in=["change_user", "view_user"]))
    client = Client()
    client.force_login(admin)
    return client


def _form_data(response) -> dict[str, object]:
    form = response.context["adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if name in ("last_login", "date_joined"):
            stamp = form.initial.get(name)
            data[f"{name}_0"] = stamp.strftime("%Y-%m-%d") if stamp else ""
            data[f"{name}_1"] = stamp.strftime("%H:%M:%S") if stamp else ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = list(value)
        elif value is not None:
            data[name] = value
    return data


def test_making_a_village_cadre_county_administrator_in_the_admin_is_audited(world):
    client = _sysadmin()
    cadre = world.users["village_a1a"]
    url = f"/admin/accounts/user/{cadre.pk}/change/"
    data = _form_data(client.get(url))
    data.update(role="county_admin", area=world.areas["A"].pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    cadre.refresh_from_db()
    assert (cadre.role, cadre.area_id) == ("county_admin", world.areas["A"].pk)
    event = AuditEvent.objects.get(object_type="user", object_id=str(cadre.pk), action=AuditAction.UPDATE)
    assert event.changes["role"] == ["village_cadre", "county_admin"]
    assert event.changes["area"] == ["340102001001", "340102000000"]
    assert event.actor_name == "sysadmin" and event.area_code == "340102000000"
    assert verify_chain()[1] is None


def test_a_village_cadres_request_to_a_county_only_page_writes_a_denied_row(world, client_as):
    client = client_as("village_a1a")
    assert client.get("/feeds/review/").status_code == 403
    rows = AuditEvent.objects.filter(action=AuditAction.DENIED)
    page = rows.get(object_label="GET /feeds/review/")
    assert page.actor_name == "village_a1a" and page.actor_area == "340102001001" and not page.success
    assert page.reason == "您的角色无权执行此操作。"
    # The county's auditor sees it; another county's administrator does not.
    seen = client_as("auditor_a").get("/core/audit/", {"action": "denied"}).context["page"].items
    assert page.seq in {e.seq for e in seen}
    other = client_as("county_admin_b").get("/core/audit/", {"action": "denied"}).context["page"].items
    assert page.seq not in {e.seq for e in other}


def test_a_refused_api_call_writes_a_denied_row(world, client_as):
    response = client_as("village_a1a").get("/api/v1/feeds/runs/1")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.DENIED, object_label="GET /api/v1/feeds/runs/1")
    assert event.channel == "api" and event.actor_name == "village_a1a"
