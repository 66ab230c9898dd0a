"""The risk-type ↔ measure table (R-EL-3) and the measure catalogue (R-AS-3) are
county policy parameters, seeded with today's values: a county's version
changes the elimination guard and the measure form. [issue 12 §3]"""

from __future__ import annotations

from datetime import date

import pytest

from fangpin.assistance import catalogue, rules, services
from fangpin.assistance.tests.factories import episode_for, measure_for, plan_for
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.monitoring import services as monitoring_services
from fangpin.monitoring.rules import RISK_LABELS
from fangpin.policy.catalog import CATALOG, validate_value
from fangpin.policy.services import policy_set

MARK = "（本系统推定，可由县调整）"


def _set(world, key, value, since=date(2026, 6, 1)):
    policy_set(actor=Actor.command(), key=key, value=value, area=world.areas["A"], effective_from=since)


def test_the_seeded_table_is_todays_and_marks_the_seven_rows_that_are_fangpins_reading(world):
    table, derived = rules.parse_risk_coverage(CATALOG["risk_measure_coverage"].default, RISK_LABELS)
    assert table == rules.RISK_COVERAGE
    assert derived == {
        "disability",
        "natural_disaster",
        "accident",
        "industry_failure",
        "unstable_employment",
        "lack_of_labour",
        "other",
    }
    assert catalogue.risk_coverage(area=world.areas["A1a"], on=date(2026, 7, 1)) == rules.RISK_COVERAGE
    assert catalogue.measure_types(area=world.areas["A1a"], on=date(2026, 7, 1)) == rules.MEASURE_TYPES
    assert len(rules.MEASURE_TYPES) == 38


def test_the_policy_page_says_which_rows_are_the_systems_reading(world, client_as):
    page = client_as("county_admin_a").get("/policy/").content.decode()
    assert "风险类型与帮扶措施类别对应表" in page and "帮扶措施目录" in page
    assert page.count("因残=公益岗位帮扶、健康帮扶、综合保障、社会帮扶" + MARK) >= 1
    assert "因病=健康帮扶、综合保障、社会帮扶；" in page  # R-EL-3's own row, not marked


def _eliminable(world):
    """An assisted elimination whose only measure is a health one (因病 covered by the seed)."""
    household = world.households["A1a"][1]
    episode = episode_for(household, identified_on=date(2026, 1, 10))
    measure_for(plan_for(episode), "HEA-02", implemented_on=date(2026, 2, 1))
    return episode


def _r_el_3(episode, on):
    return [r for r in monitoring_services.elimination_check(episode=episode, mode="assisted", on=on) if "R-EL-3" in r]


def test_a_county_table_changes_the_elimination_guard_from_its_effective_date(world):
    episode = _eliminable(world)
    assert _r_el_3(episode, date(2026, 7, 1)) == []
    stricter = CATALOG["risk_measure_coverage"].default.replace("因病=健康帮扶、综合保障、社会帮扶", "因病=综合保障")
    _set(world, "risk_measure_coverage", stricter, since=date(2026, 8, 1))
    assert _r_el_3(episode, date(2026, 7, 31)) == []  # before the county's version: the seed
    assert _r_el_3(episode, date(2026, 8, 1)) == ["以下风险类型尚无已落实的对应帮扶措施：因病（R-EL-3）"]


def test_a_county_adds_a_measure_and_retires_one(world, actor_for, client_as):
    text = CATALOG["measure_catalogue"].default
    text = text.replace("HEA-05=先诊疗后付费|健康帮扶|卫生健康局", "HEA-05=先诊疗后付费|健康帮扶|卫生健康局（停用）")
    _set(world, "measure_catalogue", text + "；IND-05=光伏收益分配|产业帮扶|乡村振兴局", since=date(2026, 1, 1))
    episode = episode_for(world.households["A1a"][1])
    plan = plan_for(episode)
    form = client_as("village_a1a").get(f"/assistance/plans/{plan.pk}/measures/new/").content.decode()
    assert "光伏收益分配（乡村振兴局）" in form
    assert "先诊疗后付费" not in form
    actor = actor_for("village_a1a")
    added = services.measure_add(
        actor=actor, plan=plan, data={"measure_code": "IND-05", "start_date": date(2026, 3, 1)}
    )
    assert (added.category, added.is_developmental, added.measure_name) == ("industry", True, "光伏收益分配")
    with pytest.raises(InvalidInput, match="已停用"):
        services.measure_add(actor=actor, plan=plan, data={"measure_code": "HEA-05", "start_date": date(2026, 3, 1)})


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("risk_measure_coverage", "因病=健康帮扶", "缺少对应措施类别"),
        ("risk_measure_coverage", "因病=天气帮扶", "未知的措施类别"),
        ("measure_catalogue", "IND-01=到户产业奖补|产业帮扶", "代码=措施名称|措施类别|责任单位"),
        ("measure_catalogue", "ind-1=到户产业奖补|产业帮扶|农业农村局", "措施代码"),
        ("measure_catalogue", "IND-01=到户产业奖补|产业帮扶|农业农村局", "HEA-01.*不能删除"),
    ],
)
def test_a_bad_table_is_refused_naming_the_problem(key, text, message):
    with pytest.raises(ValueError, match=message):
        validate_value(CATALOG[key], text)
