"""National and provincial warning rules are kept at their level; a county overrides them with its
own effective-dated version that only its runs use (issue 12 §2)."""

from __future__ import annotations

import io

from django.utils import timezone

from fangpin.core.models import AuditAction, AuditEvent
from fangpin.datafeeds.models import DepartmentWarning, FeedRun, WarningRule
from fangpin.datafeeds.selectors import rule_titles, rules_in_force
from fangpin.datafeeds.tests.test_views import ROWS

A, B = "340102", "340103"


def _codes(scope: str) -> set[str]:
    return {r.code for r in rules_in_force(source="medical_security", scope_code=scope, on=timezone.localdate())}


def test_a_county_admin_switching_off_a_national_rule_switches_it_off_for_their_county_only(client_as, world):
    national = WarningRule.objects.get(code="W-MED-1", scope_code="")
    response = client_as("county_admin_a").post(f"/feeds/rules/{national.pk}/toggle/", {"enabled": "0"})
    override = WarningRule.objects.get(code="W-MED-1", scope_code=A)
    assert response.status_code == 302 and response["Location"] == f"/feeds/rules/{override.pk}/"
    national.refresh_from_db()
    assert national.enabled and national.version == 1
    assert not override.enabled and override.effective_from == timezone.localdate()
    assert "W-MED-1" not in _codes(A) and "W-MED-1" in _codes(B)
    # County A's own run no longer applies it.
    upload = io.BytesIO(ROWS.encode("gb18030"))
    upload.name = "med.csv"
    client_as("county_admin_a").post("/feeds/", {"source": "medical_security", "period": "2026-10", "file": upload})
    run = FeedRun.objects.get()
    assert "W-MED-1" not in (run.stats.get("rule_hits") or {})
    assert not DepartmentWarning.objects.filter(rule_code="W-MED-1").exists()
    # The list shows the level and the override.
    page = client_as("county_admin_a").get("/feeds/rules/").content.decode()
    assert "本县" in page and "本区划已调整" in page and "全国" in page
    other = client_as("county_admin_b").get("/feeds/rules/").content.decode()
    assert "本区划已调整" not in other


def test_the_rule_change_is_audited_in_the_countys_area_for_its_auditors_only(client_as, world):
    national = WarningRule.objects.get(code="W-MED-1", scope_code="")
    client_as("county_admin_a").post(f"/feeds/rules/{national.pk}/toggle/", {"enabled": "0"})
    event = AuditEvent.objects.get(action=AuditAction.CONFIG, object_type="WarningRule")
    assert event.area_code == "340102000000"
    seen_a = client_as("auditor_a").get("/core/audit/", {"object_type": "WarningRule"}).context["page"].items
    seen_b = client_as("county_admin_b").get("/core/audit/", {"object_type": "WarningRule"}).context["page"].items
    assert [e.seq for e in seen_a] == [event.seq] and list(seen_b) == []


def test_a_county_admin_cannot_see_or_change_another_countys_override(client_as, world):
    national = WarningRule.objects.get(code="W-MED-1", scope_code="")
    client_as("county_admin_b").post(f"/feeds/rules/{national.pk}/toggle/", {"enabled": "0"})
    override_b = WarningRule.objects.get(code="W-MED-1", scope_code=B)
    admin_a = client_as("county_admin_a")
    assert admin_a.post(f"/feeds/rules/{override_b.pk}/toggle/", {"enabled": "1"}).status_code == 404
    edit = admin_a.post(f"/feeds/rules/{override_b.pk}/edit/", {"title": "x", "condition": "oop_ytd >= 1"})
    assert edit.status_code == 404 and admin_a.get(f"/feeds/rules/{override_b.pk}/").status_code == 404
    override_b.refresh_from_db()
    assert not override_b.enabled and override_b.condition == national.condition


def test_a_province_admin_changes_a_provincial_rule_in_place_and_no_county_admin_may(client_as, world):
    national = WarningRule.objects.get(code="W-MED-1", scope_code="")
    provincial = WarningRule.objects.create(
        code="W-MED-1",
        scope_code="34",
        effective_from=national.effective_from,
        enabled=True,
        **{f: getattr(national, f) for f in ("source", "title", "condition", "population", "window", "cadence")},
    )
    response = client_as("province_admin").post(f"/feeds/rules/{provincial.pk}/toggle/", {"enabled": "0"})
    assert response.status_code == 302 and response["Location"] == f"/feeds/rules/{provincial.pk}/"
    provincial.refresh_from_db()
    assert not provincial.enabled
    assert AuditEvent.objects.get(object_type="WarningRule").area_code == "340000000000"
    # A county admin's change of the provincial rule is their own version; the provincial one stays.
    client_as("county_admin_a").post(f"/feeds/rules/{provincial.pk}/toggle/", {"enabled": "1"})
    provincial.refresh_from_db()
    assert not provincial.enabled and WarningRule.objects.get(code="W-MED-1", scope_code=A).enabled
    assert "W-MED-1" in _codes(A) and "W-MED-1" not in _codes(B)


def test_a_province_admin_may_not_change_a_national_rule_in_place(client_as, world):
    national = WarningRule.objects.get(code="GAP-MED", scope_code="")
    client_as("province_admin").post(f"/feeds/rules/{national.pk}/toggle/", {"enabled": "0"})
    national.refresh_from_db()
    assert national.enabled and WarningRule.objects.get(code="GAP-MED", scope_code="34").enabled is False


def test_toggling_a_rule_that_does_not_exist_is_a_chinese_404(client_as, world):
    response = client_as("county_admin_a").post("/feeds/rules/999999/toggle/", {"enabled": "1"})
    assert response.status_code == 404 and "找不到" in response.content.decode()
    response = client_as("county_admin_a").post("/feeds/rules/999999/edit/", {"title": "x", "condition": "1"})
    assert response.status_code == 404


def test_a_deeply_nested_condition_is_refused_in_chinese(client_as, world):
    rule = WarningRule.objects.get(code="W-MED-1", scope_code="")
    condition = "-" * 1990 + "1 > 0"
    response = client_as("county_admin_a").post(f"/feeds/rules/{rule.pk}/edit/", {"title": "x", "condition": condition})
    assert response.status_code == 400 and "嵌套过深" in response.content.decode()
    assert not WarningRule.objects.filter(scope_code=A).exists()


def test_a_countys_own_wording_of_a_rule_is_not_shown_to_another_county(client_as, world):
    national = WarningRule.objects.get(code="W-MED-1", scope_code="")
    client_as("county_admin_b").post(
        f"/feeds/rules/{national.pk}/edit/", {"title": "乙县自定的预警名称", "condition": national.condition}
    )
    assert rule_titles(scope_code=B)["W-MED-1"] == "乙县自定的预警名称"
    assert rule_titles(scope_code=A)["W-MED-1"] == national.title
    assert "乙县自定的预警名称" not in client_as("county_admin_a").get("/feeds/rules/").content.decode()


def test_the_rule_list_names_departments_populations_and_cadences_instead_of_codes(client_as, world):
    page = client_as("county_admin_a").get("/feeds/rules/").content.decode()
    row = page[page.index('data-testid="rule-W-MED-1"') :].split("</tr>")[0]
    assert "医保部门" in row
    assert "medical_security" not in row
    assert "registry" not in page.split('data-testid="rule-GAP-NOLABOUR"')[1].split("</tr>")[0].split("<code>")[0]
    assert "农户信息库（自查）" in page
