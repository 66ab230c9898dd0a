"""The monitoring time limits are edited on the 政策参数 page like any other parameter."""

from __future__ import annotations

from fangpin.policy.models import PolicyParameter


def test_county_admin_sets_twenty_working_days_on_the_policy_page(world, client_as):
    client = client_as("county_admin_a")
    response = client.post(
        "/policy/",
        {
            "key": "identification_time_limit",
            "value": "20 工作日",
            "effective_from": "2026-01-01",
            "source_document": "省农业农村厅通知",
        },
    )
    assert response.status_code in (200, 302)
    row = PolicyParameter.objects.filter(key="identification_time_limit", area=world.areas["A"]).get()
    assert row.value == {"value": 20, "unit": "working_days"}
    page = client.get("/policy/").content.decode()
    assert "识别认定办结时限" in page
