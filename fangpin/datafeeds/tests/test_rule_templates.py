"""The shipped warning rules as DOMAIN §4.4 writes them: each branch fires on a small frame,
and a near miss does not (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from fangpin.core.models import AuditEvent
from fangpin.datafeeds.core import rules
from fangpin.datafeeds.core.sources.departments import BY_CODE, SOURCES
from fangpin.datafeeds.core.templates_rules import RETIRED_CONDITIONS, RULE_PARAMS, TEMPLATES
from fangpin.datafeeds.models import WarningRule
from fangpin.datafeeds.services import rules_seed

PARAMS = {k: Decimal(v[0]) for k, v in RULE_PARAMS.items()}
BY_RULE = {t.code: t for t in TEMPLATES}
# Registry person profiles: (population, is_dibao, is_tekun, labour).
PEOPLE = {
    "escaped": ("escaped", False, False, "ordinary"),
    "monitored": ("monitored", False, False, "ordinary"),
    "ordinary": ("ordinary", False, False, "ordinary"),
    "dibao": ("ordinary", True, False, "none"),
    "tekun": ("ordinary", False, True, "none"),
    "no_labour": ("ordinary", False, False, "lost"),
}


def _sql_type(column) -> str:
    return {"decimal": "DECIMAL(14,2)", "integer": "INTEGER", "date": "DATE"}.get(column.type, "VARCHAR")


def fired(rule_code: str, rows: list[tuple[str, dict]]) -> list[bool]:
    """For each (person profile, feed values) row of the rule's source: did the rule fire? Each
    row is a different person (one warning per person and rule would hide a near miss)."""
    rule = BY_RULE[rule_code]
    source = BY_CODE[rule.source]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE reg (person_id BIGINT, household_id BIGINT, birth_date DATE, population VARCHAR, "
        "person_status VARCHAR, is_dibao BOOLEAN, is_tekun BOOLEAN, labour VARCHAR, hh_no_labour BOOLEAN, "
        "hh_safety_net BOOLEAN)"
    )
    for pid, (person, _) in enumerate(rows, start=1):
        population, dibao, tekun, labour = PEOPLE[person]
        con.execute(
            "INSERT INTO reg VALUES (?, ?, DATE '1980-01-01', ?, 'active', ?, ?, ?, FALSE, ?)",
            [pid, pid * 10, population, dibao, tekun, labour, dibao or tekun],
        )
    columns = [c for c in source.columns if c.name not in ("record_key", "name", "id_number", "sex", "birth_date")]
    con.execute("CREATE TABLE feed (rid BIGINT, " + ", ".join(f"{c.name} {_sql_type(c)}" for c in columns) + ")")
    con.execute("CREATE TABLE links (rid BIGINT, person_id BIGINT, band VARCHAR)")
    for rid, (_, values) in enumerate(rows, start=1):
        unknown = set(values) - {c.name for c in columns}
        assert not unknown, unknown  # every value the test sends is a declared column
        con.execute(
            f"INSERT INTO feed VALUES (?, {', '.join('?' for _ in columns)})",  # noqa: S608 placeholders only
            [rid, *(values.get(c.name) for c in columns)],
        )
        con.execute("INSERT INTO links VALUES (?, ?, 'auto')", [rid, rid])
    sql = rules.compile_rules(
        [rule],
        columns={c.name for c in columns},
        params=PARAMS,
        period="2026-10",
        run_day=date(2026, 11, 3),
    )
    hit = {r[0] for r in con.execute(sql).fetchall()}
    return [rid in hit for rid in range(1, len(rows) + 1)]


def test_w_med_2_fires_at_50_percent_for_escaped_and_100_percent_for_other_rural_people():
    half, whole = 0.5 * 20133, 20133
    escaped = [("escaped", {"oop_ytd": half + 1}), ("monitored", {"oop_ytd": half + 1}), ("escaped", {"oop_ytd": half})]
    assert fired("W-MED-2", escaped) == [True, True, False]
    other = [
        ("ordinary", {"oop_ytd": whole + 1}),  # the 100% branch
        ("ordinary", {"oop_ytd": whole}),  # near miss: not above
        ("ordinary", {"oop_ytd": half + 1}),  # the 50% line is not theirs
        ("escaped", {"oop_ytd": whole + 1}),  # escaped people are W-MED-2's, not twice
    ]
    assert fired("W-MED-2B", other) == [True, False, False, False]


@pytest.mark.parametrize(
    ("person", "group", "expected"),
    [
        ("dibao", "", True),  # 农村低保户 (registry)
        ("tekun", "", True),  # 农村分散供养特困人员 (registry)
        ("ordinary", "低保边缘家庭", True),
        ("ordinary", "严重困难家庭", True),  # 因病因灾因意外事故刚性支出大或收入大幅缩减
        ("monitored", "", True),  # 监测对象 (registry: open monitoring)
        ("escaped", "", True),  # 其他脱贫户 (registry)
        ("ordinary", "一般农户", False),  # near miss: not one of the six groups
        ("ordinary", "", False),
    ],
)
def test_w_house_1_covers_the_six_low_income_groups(person, group, expected):
    row = {"rating": "C", "household_group": group or None}
    assert fired("W-HOUSE-1", [(person, row), (person, row | {"rating": "B"})]) == [expected, False]


def test_w_emp_1_covers_large_scale_job_loss_returnees_unemployed_labour_and_zero_employment_families():
    assert fired("W-EMP-1", [("escaped", {"employment": "未就业"}), ("escaped", {"employment": "就业"})]) == [
        True,
        False,
    ]
    assert fired(
        "W-EMP-1B",
        [
            ("ordinary", {"employment": "失业", "job_loss_type": "企业裁员"}),
            ("escaped", {"employment": "失业", "job_loss_type": "规模性失业"}),
            ("ordinary", {"employment": "失业", "job_loss_type": "个人原因"}),  # near miss
        ],
    ) == [True, True, False]
    assert fired(
        "W-EMP-1C",
        [("ordinary", {"employment": "返乡未就业"}), ("ordinary", {"employment": "就业"})],
    ) == [True, False]
    assert fired(
        "W-EMP-1D",
        [("ordinary", {"zero_employment_family": "是"}), ("ordinary", {"zero_employment_family": "否"})],
    ) == [True, False]


def test_w_civil_1_covers_new_and_cancelled_safety_net_assistance_death_and_low_income_alerts():
    assert fired(
        "W-CIVIL-1B",
        [("ordinary", {"benefit": "低保", "change": "新增"}), ("ordinary", {"benefit": "低保", "change": "在保"})],
    ) == [True, False]
    assert fired(
        "W-CIVIL-1C",
        [("ordinary", {"benefit": "临时救助", "change": "新增"}), ("ordinary", {"benefit": "低保", "change": "新增"})],
    ) == [True, False]
    # The main labourer died: a funeral record of a member registered as ordinary or skilled labour.
    assert fired(
        "W-CIVIL-1D",
        [("ordinary", {"benefit": "殡葬", "change": "死亡"}), ("no_labour", {"benefit": "殡葬", "change": "死亡"})],
    ) == [True, False]
    assert fired(
        "W-CIVIL-1E",
        [
            ("ordinary", {"benefit": "低收入预警", "change": "新增"}),
            ("ordinary", {"benefit": "特困", "change": "在保"}),
        ],
    ) == [True, False]
    assert fired(
        "W-CIVIL-1",
        [("ordinary", {"benefit": "特困", "change": "取消"}), ("ordinary", {"benefit": "特困", "change": "新增"})],
    ) == [True, False]


def test_the_transport_department_is_a_declared_source_with_an_accident_rule():
    assert "transport" in {s.code for s in SOURCES}
    found, missing = BY_CODE["transport"].header_map(["姓名", "身份证号", "伤亡情况", "事故日期"])
    assert not missing and set(found) == {"name", "id_number", "casualty", "event_date"}
    assert BY_RULE["W-TRANS-1"].risk_types == ("accident",)
    rows = [("ordinary", {"casualty": c}) for c in ("死亡", "重伤", "轻伤", "无伤亡")]
    assert fired("W-TRANS-1", rows) == [True, True, False, False]


def test_every_rule_a_source_names_is_shipped_and_every_shipped_rule_names_its_source():
    for source in SOURCES:
        for code in source.rule_codes:
            if code in BY_RULE:
                assert BY_RULE[code].source == source.code, code
    for tpl in TEMPLATES:
        if tpl.source != "registry":
            assert tpl.code in BY_CODE[tpl.source].rule_codes, tpl.code


def test_the_sources_command_lists_the_transport_department():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("feeds", "sources", stdout=out)
    line = next(row for row in out.getvalue().splitlines() if row.startswith("transport\t"))
    assert "交通部门" in line and "伤亡情况" in line


@pytest.mark.django_db
def test_a_national_housing_rule_seeded_by_an_older_release_covers_the_six_groups_after_migrate():

    rule = WarningRule.objects.get(code="W-HOUSE-1", scope_code="")
    rule.condition = RETIRED_CONDITIONS["W-HOUSE-1"][0]
    rule.save(update_fields=["condition"])
    rules_seed()
    rule.refresh_from_db()
    assert "household_group" in rule.condition
    assert AuditEvent.objects.filter(object_type="datafeeds.warningrule", object_id=str(rule.pk)).exists()


@pytest.mark.django_db
def test_a_national_rule_with_a_condition_of_its_own_is_left_as_it_is():

    rule = WarningRule.objects.get(code="W-HOUSE-1", scope_code="")
    rule.condition = 'rating = "D"'
    rule.save(update_fields=["condition"])
    rules_seed()
    rule.refresh_from_db()
    assert rule.condition == 'rating = "D"'
