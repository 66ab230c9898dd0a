"""Policy parameters: effective dates, the most specific area, and who may set them."""

from datetime import date
from decimal import Decimal

import pytest

from fangpin.core.actor import Actor
from fangpin.core.errors import Forbidden, InvalidInput
from fangpin.policy.models import PolicyParameter
from fangpin.policy.selectors import monitoring_income_line, policy_get
from fangpin.policy.services import policy_set


def test_national_default_is_seeded_by_migrate(world):
    row = policy_get("monitoring_income_threshold", area=world.areas["A1a"], on=date(2022, 6, 1))
    assert row.area_code == ""
    assert monitoring_income_line(area=world.areas["A1a"], on=date(2022, 6, 1)) == Decimal("6000")


def test_most_specific_area_wins_on_each_date(world):
    cmd = Actor.command()
    policy_set(
        actor=cmd,
        key="monitoring_income_threshold",
        area=world.areas["prov"],
        value={"mode": "fixed_amount", "amount": "7500"},
        effective_from=date(2025, 1, 1),
    )
    policy_set(
        actor=cmd,
        key="monitoring_income_threshold",
        area=world.areas["A"],
        value={"mode": "fixed_amount", "amount": "8000"},
        effective_from=date(2025, 7, 1),
    )
    a1a, b1a = world.areas["A1a"], world.areas["B1a"]
    assert monitoring_income_line(area=a1a, on=date(2024, 12, 31)) == Decimal("6000")
    assert monitoring_income_line(area=a1a, on=date(2025, 3, 1)) == Decimal("7500")
    assert monitoring_income_line(area=a1a, on=date(2025, 7, 1)) == Decimal("8000")
    assert monitoring_income_line(area=b1a, on=date(2025, 7, 1)) == Decimal("7500")


def test_a_new_version_closes_the_previous_one(world):
    cmd = Actor.command()
    policy_set(
        actor=cmd, key="dibao_standard_monthly", area=world.areas["A"], value="600", effective_from=date(2024, 1, 1)
    )
    policy_set(
        actor=cmd, key="dibao_standard_monthly", area=world.areas["A"], value="650", effective_from=date(2025, 1, 1)
    )
    first = PolicyParameter.objects.get(
        key="dibao_standard_monthly", area=world.areas["A"], effective_from=date(2024, 1, 1)
    )
    assert first.effective_to == date(2024, 12, 31)


def test_line_as_a_multiple_of_dibao_follows_dibao_changes(world):
    cmd = Actor.command()
    county = world.areas["A"]
    policy_set(
        actor=cmd,
        key="monitoring_income_threshold",
        area=county,
        value={"mode": "multiple_of_dibao", "multiple": "2"},
        effective_from=date(2024, 1, 1),
    )
    policy_set(actor=cmd, key="dibao_standard_monthly", area=county, value="815", effective_from=date(2024, 1, 1))
    policy_set(actor=cmd, key="dibao_standard_monthly", area=county, value="850", effective_from=date(2025, 1, 1))
    assert monitoring_income_line(area=world.areas["A2a"], on=date(2024, 6, 1)) == Decimal("19560.00")
    assert monitoring_income_line(area=world.areas["A2a"], on=date(2025, 6, 1)) == Decimal("20400.00")


def test_only_the_county_admin_sets_parameters_and_only_for_their_county(world, actor_for):
    value = {"mode": "fixed_amount", "amount": "9000"}
    with pytest.raises(Forbidden):
        policy_set(
            actor=actor_for("county_staff_a"),
            key="monitoring_income_threshold",
            area=world.areas["A"],
            value=value,
            effective_from=date(2026, 1, 1),
        )
    with pytest.raises(Forbidden):
        policy_set(
            actor=actor_for("county_admin_a"),
            key="monitoring_income_threshold",
            area=world.areas["B"],
            value=value,
            effective_from=date(2026, 1, 1),
        )
    row = policy_set(
        actor=actor_for("county_admin_a"),
        key="monitoring_income_threshold",
        area=world.areas["A"],
        value=value,
        effective_from=date(2026, 1, 1),
    )
    assert row.created_by == world.users["county_admin_a"]


def test_bad_values_are_refused_in_chinese(world):
    with pytest.raises(InvalidInput, match="须大于0"):
        policy_set(
            actor=Actor.command(),
            key="monitoring_income_threshold",
            area=world.areas["A"],
            value={"mode": "fixed_amount", "amount": "-5"},
            effective_from=date(2026, 1, 1),
        )


def test_policy_page_shows_the_line_in_force(client_as, world):
    policy_set(
        actor=Actor.command(),
        key="monitoring_income_threshold",
        area=world.areas["A"],
        value={"mode": "fixed_amount", "amount": "8123"},
        effective_from=date(2020, 1, 1),
    )
    page = client_as("village_a1a").get("/policy/")
    assert page.status_code == 200
    assert "8123" in page.content.decode()


def test_county_admin_adds_a_version_through_the_page(client_as, world):
    client = client_as("county_admin_a")
    response = client.post(
        "/policy/",
        {
            "key": "monitoring_income_threshold",
            "mode": "fixed_amount",
            "value": "8600",
            "effective_from": "2026-01-01",
            "source_document": "皖乡振发〔2026〕1号",
        },
    )
    assert response.status_code == 302
    row = PolicyParameter.objects.get(key="monitoring_income_threshold", area=world.areas["A"])
    assert row.value == {"mode": "fixed_amount", "amount": "8600"}
    assert row.source_document == "皖乡振发〔2026〕1号"
