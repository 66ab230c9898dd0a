"""The two income settings a county edits change what cadres see (DOMAIN §4.1
R-MON-3, §2.5): household_size_rule divides per-capita income, and
inclusion_reference_income_formula gives the reference income the
identification checklist compares with the line. [issue 12 §3]"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from fangpin.core.actor import Actor
from fangpin.monitoring import services
from fangpin.policy.services import policy_set
from fangpin.registry import rules
from fangpin.registry.models import IncomeSnapshot


def _set(world, key, value):
    policy_set(actor=Actor.command(), key=key, value=value, area=world.areas["A"], effective_from=date(2021, 1, 1))


def _snapshot(household, **kw):
    values = {
        "household": household,
        "kind": "annual_update",
        "year": 2026,
        "window_start": date(2025, 7, 1),
        "window_end": date(2026, 6, 30),
        "wage_income": Decimal("30000"),
        "business_income": Decimal("0"),
        "property_income": Decimal("0"),
        "transfer_income": Decimal("0"),
        "business_expense": Decimal("0"),
        "insurance_claim_income": Decimal("2000"),
        "eligible_out_of_pocket": Decimal("6000"),
        "household_size": 4,  # co-resident count entered with the snapshot; 3 active members in the registry
    } | kw
    return IncomeSnapshot.objects.create(**values)


def _cells(client, household, testid):
    html = client.get(f"/registry/households/{household.pk}/").content.decode()
    return [re.sub(r"<[^>]+>|\s", "", c) for c in re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</td>', html)]


def test_the_household_size_rule_changes_the_per_capita_income_on_the_household_page(world, client_as):
    household = world.households["A1a"][1]
    _snapshot(household)
    client = client_as("village_a1a")
    # Default: the co-resident count of the snapshot (N4): 30000 / 4.
    assert _cells(client, household, "per-capita")[0] == "7500.00"
    assert _cells(client, household, "size")[0] == "4"
    _set(world, "household_size_rule", "active_members")
    assert _cells(client, household, "per-capita")[0] == "10000.00"  # 30000 / 3 registered members
    assert _cells(client, household, "size")[0] == "3"


@pytest.mark.parametrize(
    ("formula", "total", "per_capita"),
    [
        ("net", "30000.00", "7500.00"),
        ("net_minus_out_of_pocket", "24000.00", "6000.00"),
        ("net_plus_claims_minus_out_of_pocket", "26000.00", "6500.00"),
    ],
)
def test_the_reference_income_formula_changes_the_figure_on_the_household_page(
    world, client_as, formula, total, per_capita
):
    household = world.households["A1a"][1]
    _snapshot(household)
    _set(world, "inclusion_reference_income_formula", formula)
    client = client_as("village_a1a")
    assert _cells(client, household, "reference-income")[0] == total
    assert _cells(client, household, "reference-per-capita")[0] == per_capita


def test_the_identification_checklist_compares_the_reference_income_with_the_line(world):
    household = world.households["A1a"][1]
    _snapshot(household)
    _set(world, "monitoring_income_threshold", {"mode": "fixed_amount", "amount": "7000"})
    on = date(2026, 7, 1)
    # Default formula: (30000 − 6000) / 4 = 6000 < 7000: below the line.
    advice = services.household_recommendation(household=household, risk_types=["illness"], on=on)
    assert "人均纳入监测收入参考值6000.00元，低于监测收入标准7000元" in advice.findings
    assert advice.suggest_inclusion
    _set(world, "inclusion_reference_income_formula", "net")
    advice = services.household_recommendation(household=household, risk_types=["schooling"], on=on)
    assert "人均纳入监测收入参考值7500.00元，不低于监测收入标准7000元" in advice.findings
    assert not advice.suggest_inclusion


def test_the_size_rule_and_formula_are_pure_rules():
    c = rules.IncomeComponents(
        wage=Decimal("30000"),
        business=Decimal("0"),
        property=Decimal("0"),
        transfer=Decimal("0"),
        business_expense=Decimal("0"),
        insurance_claims=Decimal("2000"),
        eligible_out_of_pocket=Decimal("6000"),
    )
    f = rules.snapshot_figures(c, snapshot_size=4, active_members=3, size_rule="active_members", formula="net")
    assert (f.size, f.per_capita, f.reference_per_capita) == (3, Decimal("10000.00"), Decimal("10000.00"))
    with pytest.raises(ValueError, match="household_size_rule"):
        rules.household_size_for_per_capita("everyone", snapshot_size=4, active_members=3)
