"""The monitoring list can be narrowed to one 原建档立卡脱贫户 class (DOMAIN §6.2)."""

from __future__ import annotations

from datetime import date

from fangpin.assistance.tests.factories import episode_for
from fangpin.registry.models import Household


def test_the_episode_list_shows_only_households_of_the_chosen_class(world, client_as):
    cont, exited, ordinary = world.households["A1a"][0], world.households["A1b"][0], world.households["A1a"][1]
    Household.objects.filter(pk=cont.pk).update(legacy_poor_class="continue_assistance")
    Household.objects.filter(pk=exited.pk).update(legacy_poor_class="exited_assistance")
    for h in (cont, exited, ordinary):
        episode_for(h, identified_on=date(2026, 1, 10))
    client = client_as("county_admin_a")
    body = client.get("/monitoring/episodes/?legacy_class=continue_assistance").content.decode()
    assert cont.national_household_code in body
    assert exited.national_household_code not in body and ordinary.national_household_code not in body
    everyone = client.get("/monitoring/episodes/").content.decode()
    assert all(h.national_household_code in everyone for h in (cont, exited, ordinary))
    refused = client.get("/monitoring/episodes/?legacy_class=nonsense")
    assert refused.status_code == 400 and "脱贫户分类管理类别无效" in refused.content.decode()
