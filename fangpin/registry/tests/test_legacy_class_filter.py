"""The 原建档立卡脱贫户 class (DOMAIN §6.2 legacy_poor_class) filters the household lists."""

from __future__ import annotations

import re

import pytest

from fangpin.registry.models import Household


@pytest.fixture
def classed(world):
    """脱贫户 of 一村 continue with assistance, of 二村 exit from it; 三村's is not classified yet."""
    cont, exited = world.households["A1a"][0], world.households["A1b"][0]
    Household.objects.filter(pk=cont.pk).update(legacy_poor_class="continue_assistance")
    Household.objects.filter(pk=exited.pk).update(legacy_poor_class="exited_assistance")
    return {"continue_assistance": cont, "exited_assistance": exited}


def _codes(body: str) -> set[str]:
    return set(re.findall(r'<td class="mono">(\d{16})</td>', body))


@pytest.mark.parametrize("cls", ["continue_assistance", "exited_assistance"])
def test_the_household_search_lists_exactly_the_households_of_the_class(world, classed, client_as, cls):
    body = client_as("county_admin_a").get(f"/registry/?legacy_class={cls}").content.decode()
    assert _codes(body) == {classed[cls].national_household_code}
    everyone = client_as("county_admin_a").get("/registry/?legacy_class=").content.decode()
    assert len(_codes(everyone)) > 1  # without the filter, every household of the county


def test_the_household_list_api_filters_by_class_and_refuses_an_unknown_class(world, classed, client_as):
    client = client_as("county_admin_a")
    items = client.get("/api/v1/registry/households?legacy_poor_class=exited_assistance").json()["items"]
    assert [h["national_household_code"] for h in items] == [classed["exited_assistance"].national_household_code]
    refused = client.get("/api/v1/registry/households?legacy_poor_class=poor")
    assert refused.status_code == 400 and "legacy_poor_class" in refused.content.decode()
