"""The rule language: what compiles, what is refused, windows and cadence (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fangpin.datafeeds import rules
from fangpin.datafeeds.sources.departments import get_source
from fangpin.datafeeds.templates_rules import RULE_PARAMS, TEMPLATES

PARAMS = {k: Decimal(v[0]) for k, v in RULE_PARAMS.items()}
MED = {c.name for c in get_source("medical_security").columns}


def test_a_formula_threshold_compiles_to_sql_with_the_policy_value():
    sql = rules.compile_condition(
        'oop_ytd > param("med_oop_ratio_escaped") * param("rural_income_per_capita_last_year")',
        columns=MED,
        params=PARAMS,
    )
    assert sql == "((f.oop_ytd > (0.5 * 20133)))"


def test_membership_and_registry_attributes_compile():
    sql = rules.compile_condition('insured_status in ("未参保", "断保") and not is_dibao', columns=MED, params=PARAMS)
    assert sql == "(((f.insured_status IN ('未参保', '断保'))) AND (NOT reg.is_dibao))"


def test_string_literals_are_quoted_so_they_cannot_break_out_of_sql():
    sql = rules.compile_condition('insured_status == "x\' OR 1=1 --"', columns=MED, params=PARAMS)
    assert sql == "((f.insured_status = 'x'' OR 1=1 --'))"


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('rm -rf /')",
        "oop_ytd.__class__",
        "(lambda: 1)()",
        "[x for x in oop_ytd]",
        "oop_ytd if True else 1",
        "open('/etc/passwd')",
        "param(oop_ytd)",
        "salary > 1",
        'oop_ytd >= param("no_such_parameter")',
        "oop_ytd >=",
    ],
)
def test_anything_outside_the_language_is_refused_with_a_chinese_message(condition):
    with pytest.raises(rules.RuleError) as info:
        rules.compile_condition(condition, columns=MED, params=PARAMS)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_every_shipped_template_compiles_against_its_source():
    from fangpin.datafeeds.sources.departments import BY_CODE

    codes = {t.code for t in TEMPLATES}
    for required in (
        "W-MED-1",
        "W-MED-2",
        "W-HEALTH-1",
        "W-EDU-1",
        "W-EDU-2",
        "W-DIS-1",
        "W-HOUSE-1",
        "W-WATER-1",
        "W-EMP-1",
        "W-DISAB-1",
        "W-CIVIL-1",
        "W-AGRI-1",
        "W-PUB-1",
        "GAP-MED",
        "GAP-HOUSE",
        "GAP-NOLABOUR",
        "GAP-DEATH",
    ):
        assert required in codes
    for tpl in TEMPLATES:
        columns = {c.name for c in BY_CODE[tpl.source].columns} if tpl.source in BY_CODE else set()
        rules.validate_rule(tpl, columns=columns, params=PARAMS)


def test_windows_group_repeats_by_year_academic_year_and_ten_days():
    assert rules.window_key("calendar_year", period="2026-10") == "2026"
    assert rules.window_key("academic_year", period="2026-10") == "2026-2027"
    assert rules.window_key("academic_year", period="2027-03") == "2026-2027"
    assert rules.window_key("ten_days", period="2026-10", event_date=date(2026, 10, 25)) == "2026-10-3"


def test_a_monthly_rule_has_one_cadence_key_per_period_and_a_ten_day_rule_three():
    day = date(2026, 11, 3)
    assert rules.cadence_key("monthly", period="2026-10", run_day=day, run_ref="r1") == "2026-10"
    assert rules.cadence_key("monthly", period="2026-10", run_day=date(2026, 11, 25), run_ref="r2") == "2026-10"
    assert rules.cadence_key("every_10_days", period="2026-10", run_day=date(2026, 11, 25), run_ref="r") == "2026-11-3"
    assert rules.cadence_key("event", period="2026-10", run_day=day, run_ref="r9") == "r9"
