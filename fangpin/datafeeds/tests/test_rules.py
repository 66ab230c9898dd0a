"""The rule language: what compiles, what is refused, windows and cadence (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fangpin.datafeeds.core import rules
from fangpin.datafeeds.core.sources.departments import get_source
from fangpin.datafeeds.core.templates_rules import RULE_PARAMS, TEMPLATES

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
    from fangpin.datafeeds.core.sources.departments import BY_CODE

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


def _linked_tables():
    import duckdb

    con = duckdb.connect()
    con.execute(
        """CREATE TABLE reg AS SELECT * FROM (VALUES
            (1, 10, '110101001001', DATE '1980-01-01', 'escaped', 'active', FALSE, FALSE, TRUE, FALSE),
            (2, 20, '110101001001', DATE '1990-01-01', 'ordinary', 'active', TRUE, FALSE, FALSE, TRUE),
            (3, 30, '110101001002', DATE '2015-05-05', 'monitored', 'active', FALSE, FALSE, FALSE, FALSE),
            (4, 30, '110101001002', DATE '2012-05-05', 'monitored', 'active', FALSE, FALSE, FALSE, FALSE)
        ) t(person_id, household_id, village_code, birth_date, population, person_status, is_dibao, is_tekun,
            hh_no_labour, hh_safety_net)"""
    )
    con.execute(
        """CREATE TABLE feed AS SELECT * FROM (VALUES
            (1, 6000.00, NULL::DECIMAL, DATE '2026-10-05'), (2, 6000.00, NULL, DATE '2026-10-06'),
            (3, 30000.00, 700.00, DATE '2026-10-07'), (4, 100.00, NULL, DATE '2026-10-08'),
            (5, 9000.00, NULL, DATE '2026-10-21'), (6, 9000.00, NULL, DATE '2026-10-22')
        ) t(rid, oop_ytd, oop_outpatient_month, event_date)"""
    )
    # rid 6 sits in the review band: it must never raise a warning.
    con.execute(
        """CREATE TABLE links AS SELECT * FROM (VALUES
            (1, 1, 'auto'), (2, 2, 'auto'), (3, 3, 'auto'), (4, 4, 'auto'), (5, 1, 'auto'), (6, 4, 'review')
        ) t(rid, person_id, band)"""
    )
    return con


def test_all_rules_of_a_run_are_one_statement_with_repeat_suppression_and_window_keys():
    con = _linked_tables()
    picked = [r for r in TEMPLATES if r.code in ("W-MED-1", "W-MED-1B", "W-MED-1C", "GAP-NOLABOUR")]
    sql = rules.compile_rules(
        picked, columns={"oop_ytd", "oop_outpatient_month"}, params=PARAMS, period="2026-10", run_day=date(2026, 11, 3)
    )
    hits = sorted((r[3], r[1], r[0], r[4], r[7]) for r in con.execute(sql).fetchall())
    assert hits == [
        # registry-wide check: one hit per household, no feed row
        ("GAP-NOLABOUR", 1, None, None, "2026"),
        # escaped/monitored ≥ 5000: person 1 twice in the file (rid 1, 5) → one warning, the first row
        ("W-MED-1", 1, 1, Decimal("6000.00"), "2026"),
        ("W-MED-1", 3, 3, Decimal("30000.00"), "2026"),
        # ordinary ≥ 20000: nobody (person 2 spent 6000)
        ("W-MED-1C", 3, 3, Decimal("700.00"), "2026-10"),
    ]


@pytest.mark.parametrize(
    ("condition", "population", "expected"),
    [
        ("oop_ytd >= 5000 and not is_dibao", "all_rural", {1, 3, 5}),
        ("oop_ytd >= 5000 or is_dibao", "all_rural", {1, 2, 3, 5}),
        ('not (is_null(oop_outpatient_month) or population == "escaped")', "all_rural", {3}),
        ("is_null(oop_outpatient_month) and age() >= 18", "all_rural", {1, 2, 5}),
        ("not is_null(oop_outpatient_month) and age() < 18", "all_rural", {3}),
        ("oop_ytd >= 5000", "escaped_or_monitored", {1, 3, 5}),
        ("oop_ytd >= 5000", "ordinary", {2}),
        ("oop_ytd >= 5000 and (is_dibao or person_status == 'active')", "monitored", {3}),
    ],
)
def test_the_prefilters_never_drop_a_row_the_full_condition_keeps(condition, population, expected):
    con = _linked_tables()
    rule = rules.Rule("T-1", "medical_security", "测试", condition, population)
    # Rules whose own registry-side filters differ (a population, a registry attribute, none).
    others = [
        rules.Rule("T-2", "medical_security", "测试", "oop_ytd < 0", "ordinary"),
        rules.Rule("T-3", "medical_security", "测试", "is_tekun and oop_ytd < 0"),
        rules.Rule("T-4", "medical_security", "测试", "oop_ytd < 0"),
    ]
    cols = {"oop_ytd", "oop_outpatient_month"}
    # Person 1 has two rows (rid 1 and 5): only the first is kept.
    wanted = expected - ({5} if 1 in expected else set())
    # Alone (the rule's own join) and beside other rules (one shared pass): the same rows.
    for batch in ([rule], [rule, others[0]], [rule, others[1]], [rule, *others]):
        sql = rules.compile_rules(batch, columns=cols, params=PARAMS, period="2026-10", run_day=date(2026, 11, 3))
        assert {r[0] for r in con.execute(sql).fetchall() if r[3] == "T-1"} == wanted


def test_the_registry_side_prefilter_keeps_only_what_reads_no_feed_value():
    def pre(condition, population="all_rural"):
        return rules.registry_prefilter(condition, population=population, columns=MED, params=PARAMS)

    assert pre("oop_ytd > 0") == "TRUE"
    assert pre("oop_ytd > 0 or is_dibao") == "TRUE"
    assert pre("age() >= 6 and oop_ytd > 0") == "TRUE"  # age() reads the feed's event date too
    assert pre("is_null(oop_ytd) and is_dibao") == "(reg.is_dibao)"
    assert pre("oop_ytd > 0", "ordinary") == "reg.population = 'ordinary'"
    assert pre("oop_ytd > 0 and not is_dibao", "escaped") == "(reg.population = 'escaped' AND ((NOT reg.is_dibao)))"


def test_the_run_day_enters_as_a_date_and_a_string_reading_run_day_stays_a_string():
    cols = {"school_status", "stage"}
    aged = rules.Rule("T-1", "education", "测试", "age() <= 15")
    named = rules.Rule("T-2", "education", "测试", "stage == \"run_day' OR TRUE OR '\"")
    sql = rules.compile_rules([aged, named], columns=cols, params=PARAMS, period="2026-10", run_day=date(2026, 11, 3))
    assert "coalesce(f.event_date, DATE '2026-11-03')" in sql
    assert "(f.stage = 'run_day'' OR TRUE OR ''')" in sql


def _source(*names):
    from types import SimpleNamespace

    return SimpleNamespace(columns=[SimpleNamespace(name=n) for n in names])


@pytest.mark.parametrize(
    "codes",
    [
        ("W-MED-1C",),  # no repeat
        ("W-MED-1",),  # person 1 twice (rid 1, 5)
        ("W-MED-1", "W-MED-1B", "W-MED-1C", "GAP-NOLABOUR", "T-HH"),  # and household 30 twice (persons 3, 4)
    ],
)
def test_evaluate_rules_creates_hits_with_their_types_and_one_hit_per_rule_and_person(codes):
    from fangpin.datafeeds.core import pipeline

    con = _linked_tables()
    household = rules.Rule("T-HH", "registry", "测试", "not hh_no_labour", "escaped_or_monitored")
    picked = [r for r in (*TEMPLATES, household) if r.code in codes]
    cols = ("oop_ytd", "oop_outpatient_month")
    day = date(2026, 11, 3)
    counts = pipeline.evaluate_rules(con, picked, source=_source(*cols), params=PARAMS, period="2026-10", run_day=day)
    single = rules.compile_rules(picked, columns=set(cols), params=PARAMS, period="2026-10", run_day=day)
    expected = sorted(con.execute(single).fetchall(), key=str)
    assert sorted(con.execute("SELECT * FROM hits").fetchall(), key=str) == expected
    assert counts == {r.code: sum(h[3] == r.code for h in expected) for r in picked}
    schema = con.execute(
        "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_index) FROM duckdb_columns() "
        "WHERE table_name = 'hits'"
    ).fetchall()[0][0]
    assert schema == rules.HITS_COLUMNS
    keys = [(h[3], h[2] if h[0] is None else h[1]) for h in expected]  # (rule, household or person)
    assert len(keys) == len(set(keys))
    if "W-MED-1" in codes:  # person 1: the first of their two rows
        assert [h[0] for h in expected if h[3] == "W-MED-1" and h[1] == 1] == [1]
    if "T-HH" in codes:  # household 30: its first person
        assert [h[1] for h in expected if h[3] == "T-HH"] == [3]
