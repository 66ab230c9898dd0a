"""Natural-elimination reasons are a county code list (policy parameter): forms and the
service read it; a retired code is refused for new eliminations, old records still show it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fangpin.assistance.tests.factories import episode_for
from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.monitoring import services
from fangpin.policy.catalog import CATALOG, CodeEntry, parse_code_list, validate_value
from fangpin.policy.services import policy_set

NOW = date(2026, 6, 1)
SPEC = CATALOG["natural_elimination_reasons"]


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def county_list(world, text, county="A", since=date(2026, 5, 1)):
    policy_set(actor=Actor.command(), key=SPEC.key, value=text, area=world.areas[county], effective_from=since)


def propose(world, episode, code, justification="户主病故，家庭无其他返贫风险"):
    return services.elimination_propose(
        episode=episode,
        mode="natural",
        actor=Actor(user=world.users["village_a1a"]),
        natural_reason=code,
        justification=justification,
        # These episodes have no income record: ask for the exception so the reason code itself is what is tested.
        exception_request="测试：收支信息另行核实",
    )


def test_the_default_list_is_todays_list():
    codes = [(e.code, e.label) for e in parse_code_list(SPEC.default)]
    assert codes == [
        ("recovered", "患病成员康复"),
        ("deceased", "致贫风险成员去世"),
        ("graduated", "就学成员毕业就业"),
        ("merged_moved", "合户或迁出"),
        ("other", "其他"),
    ]


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("a=甲; b=乙", [CodeEntry("a", "甲"), CodeEntry("b", "乙")]),
        ("a=甲；b=乙（停用）", [CodeEntry("a", "甲"), CodeEntry("b", "乙", retired=True)]),
        ("a=甲\nb=乙=停用", [CodeEntry("a", "甲"), CodeEntry("b", "乙", retired=True)]),
    ],
)
def test_the_text_form_reads_and_normalises(text, entries):
    assert parse_code_list(text) == entries
    assert parse_code_list(validate_value(SPEC, text)) == entries


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a甲", "代码=名称"),
        ("Ab=甲", "小写英文字母"),
        ("a_very_long_code_x=甲", "最长14位"),
        ("a=甲；a=乙", "代码重复"),
        ("a=甲（停用）", "至少须有一个未停用"),
        ("a=", "名称不能为空"),
    ],
)
def test_a_bad_list_is_refused_naming_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        validate_value(SPEC, text)


def test_a_listed_code_with_a_justification_is_accepted(world, at_now):
    case = propose(world, episode_for(world.households["A1a"][0]), "deceased")
    assert case.natural_reason == "deceased" and case.mode == "natural"


@pytest.mark.parametrize(
    ("code", "justification", "message"),
    [
        ("", "说明", "请从代码表中选择原因"),
        ("moon", "说明", "请从代码表中选择原因"),
        ("deceased", "  ", "须填写情况说明"),
    ],
)
def test_an_unknown_code_or_a_missing_justification_is_refused(world, at_now, code, justification, message):
    with pytest.raises(InvalidInput, match=message):
        propose(world, episode_for(world.households["A1a"][0]), code, justification)


def test_a_county_adds_and_retires_codes_old_records_keep_their_name(world, client_as, at_now):
    old_episode = episode_for(world.households["A1a"][0])
    with time_machine.travel(date(2026, 4, 1), tick=False):
        old_case = propose(world, old_episode, "graduated")
    county_list(world, "recovered=患病成员康复；relocated=整户易地搬迁；graduated=就学成员毕业就业（停用）；other=其他")
    episode = episode_for(world.households["A1a"][1])
    with pytest.raises(InvalidInput, match="“就学成员毕业就业”已停用"):
        propose(world, episode, "graduated")
    with pytest.raises(InvalidInput, match="请从代码表中选择原因"):
        propose(world, episode, "deceased")  # no longer on this county's list
    assert propose(world, episode, "relocated").natural_reason == "relocated"
    client = client_as("village_a1a")
    body = client.get(f"/monitoring/eliminations/{old_case.pk}/").content.decode()
    assert "自然消除" in body and "就学成员毕业就业" in body
    # The proposal form offers only the codes in force, not retired ones.
    fresh = episode_for(world.households["A1a"][2])
    form = client.get(f"/monitoring/episodes/{fresh.pk}/").content.decode()
    assert 'value="relocated"' in form and 'value="graduated"' not in form and 'value="deceased"' not in form


def test_a_code_dropped_from_the_list_still_shows_its_name_from_the_earlier_version(world, client_as, at_now):
    with time_machine.travel(date(2026, 4, 1), tick=False):
        case = propose(world, episode_for(world.households["A1a"][0]), "merged_moved")
    county_list(world, "recovered=患病成员康复；other=其他")
    body = client_as("county_staff_a").get(f"/monitoring/eliminations/{case.pk}/").content.decode()
    assert "合户或迁出" in body


def test_the_list_is_area_scoped(world, at_now):
    county_list(world, "b_only=乙县特有原因；other=其他", county="B")
    with pytest.raises(InvalidInput, match="请从代码表中选择原因"):
        propose(world, episode_for(world.households["A1a"][0]), "b_only")
