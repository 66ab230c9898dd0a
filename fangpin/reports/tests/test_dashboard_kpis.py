"""Dashboard KPIs as DOMAIN §5 defines them: the reversal rate's 12-month window."""

from __future__ import annotations

from datetime import date

import time_machine

from fangpin.assistance.tests.factories import episode_for
from fangpin.core.actor import Actor
from fangpin.monitoring.services import episode_transition
from fangpin.reports import dashboard, rules

TODAY = date(2026, 3, 1)


def _values(world, period, area="A"):
    ctx = dashboard.make_ctx(area=world.areas[area], period=rules.parse_period(period, TODAY), today=TODAY)
    return dashboard.compute(user=world.users["county_admin_a"], ctx=ctx)


def _drill(world, kpi, part, period, area="A"):
    ctx = dashboard.make_ctx(area=world.areas[area], period=rules.parse_period(period, TODAY), today=TODAY)
    rows = dashboard.drill_rows(user=world.users["county_admin_a"], ctx=ctx, kpi=dashboard.BY_KEY[kpi], part=part)
    return {r["household_id"] if "household_id" in r else r["pk"] for r in rows}


def _eliminated(household, on):
    return episode_for(
        household, identified_on=date(2024, 6, 1), status="eliminated", eliminated_on=on, elimination_mode="assisted"
    )


def _reverse(world, episode, on):
    with time_machine.travel(on, tick=False):
        return episode_transition(
            episode=episode,
            action="reverse",
            actor=Actor(user=world.users["county_staff_a"]),
            reason="收入依赖政策性补贴，不稳定",
            on=on,
        )


def test_the_reversal_rate_counts_reversals_and_relapses_within_twelve_months_of_elimination(world):
    a1a, a1b = world.households["A1a"], world.households["A1b"]
    # Eliminated in 2025: reversed after 4 months, reversed after 13 months, reversed exactly
    # 12 months later, re-identified after 6 months, re-identified after 14 months, stable.
    _reverse(world, _eliminated(a1a[0], date(2025, 1, 10)), date(2025, 5, 10))
    _reverse(world, _eliminated(a1a[1], date(2025, 1, 10)), date(2026, 2, 10))
    _reverse(world, _eliminated(a1a[2], date(2025, 2, 28)), date(2026, 2, 28))
    soon = _eliminated(a1b[0], date(2025, 3, 1))
    episode_for(a1b[0], identified_on=date(2025, 9, 1), previous_episode=soon)
    late = _eliminated(a1b[1], date(2025, 1, 5))
    episode_for(a1b[1], identified_on=date(2026, 3, 1), previous_episode=late)
    _eliminated(a1b[2], date(2025, 6, 1))

    values = _values(world, "2025")
    # All six were eliminated in 2025, although three are back under monitoring.
    assert values["reversal_rate"]["total"] == (3, 6)
    assert _drill(world, "reversal_rate", "num", "2025") == {a1a[0].pk, a1a[2].pk, a1b[0].pk}
    assert len(_drill(world, "reversal_rate", "den", "2025")) == 6
    # Eliminated in 2026: none of them (the reversal dates are not elimination dates).
    assert _values(world, "2026")["reversal_rate"]["total"] == (0, 0)


def test_an_episode_eliminated_again_after_a_reversal_counts_in_both_periods(world):
    h = world.households["A1a"][0]
    episode = _reverse(world, _eliminated(h, date(2025, 3, 1)), date(2025, 6, 1))
    episode_transition(
        episode=episode,
        action="eliminate",
        actor=Actor.system(),
        internal=True,
        changes={"eliminated_on": date(2026, 1, 15), "elimination_mode": "assisted"},
    )
    assert _values(world, "2025")["reversal_rate"]["total"] == (1, 1)
    assert _values(world, "2026")["reversal_rate"]["total"] == (0, 1)


# ---- 原建档立卡脱贫户 class (DOMAIN §6.2 legacy_poor_class) ----------------------------------


def _classify(world):
    """一村's and 二村's 脱贫户 continue with assistance, 三村's exits; 东县's are not classified."""
    from fangpin.registry.models import Household

    cont = [world.households["A1a"][0], world.households["A1b"][0]]
    exited = world.households["A2a"][0]
    Household.objects.filter(pk__in=[h.pk for h in cont]).update(legacy_poor_class="continue_assistance")
    Household.objects.filter(pk=exited.pk).update(legacy_poor_class="exited_assistance")
    return cont, exited


def _link_codes(body: str, kpi: str, part: str) -> str:
    import re

    match = re.search(rf'kpi={kpi}&(?:amp;)?part={part}&(?:amp;)?area=340102000000[^"]*">(\d+)</a>', body)
    assert match, kpi
    return match.group(1)


def test_the_dashboard_counts_escaped_and_monitored_households_by_class(world):
    cont, exited = _classify(world)
    episode_for(cont[0], identified_on=date(2026, 1, 10))
    episode_for(exited, identified_on=date(2026, 1, 10))
    episode_for(world.households["A1a"][1], identified_on=date(2026, 1, 10))  # an ordinary household
    values = _values(world, "2026")
    assert values["escaped_continue_assistance"]["total"] == (2, 3)  # of the county's three 脱贫户
    assert values["escaped_exited_assistance"]["total"] == (1, 3)
    assert values["escaped_continue_assistance"]["340102001"] == (2, 2)  # 东镇: 一村 and 二村
    assert values["monitored_continue_assistance"]["total"] == (1, 3)
    assert values["monitored_exited_assistance"]["total"] == (1, 3)
    assert _drill(world, "escaped_continue_assistance", "num", "2026") == {h.pk for h in cont}
    assert _drill(world, "monitored_exited_assistance", "num", "2026") == {exited.pk}


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_filtered_by_class_counts_only_that_class_and_each_figure_equals_its_list(world, client_as):
    cont, exited = _classify(world)
    for h in (*cont, exited, world.households["A1a"][1]):
        episode_for(h, identified_on=date(2026, 1, 10))
    client = client_as("county_admin_a")
    body = client.get("/reports/dashboard/?period=2026&legacy_class=continue_assistance").content.decode()
    assert "已按脱贫户分类管理类别筛选" in body
    # 帮扶率's denominator: open episodes, of households of the class only.
    assert _link_codes(body, "assistance_rate", "den") == "2"
    listed = client.get(
        "/reports/dashboard/list/?kpi=assistance_rate&part=den&area=340102000000&period=2026"
        "&legacy_class=continue_assistance"
    ).content.decode()
    assert all(h.national_household_code in listed for h in cont)
    assert exited.national_household_code not in listed
    assert world.households["A1a"][1].national_household_code not in listed
    assert listed.count("/assistance/households/") == 2  # the figure is its list
    everyone = client.get("/reports/dashboard/?period=2026").content.decode()
    assert _link_codes(everyone, "assistance_rate", "den") == "4"
    assert client.get("/reports/dashboard/?legacy_class=poor").status_code == 400
