"""Monthly runs end to end on the test world: linkage, warnings, repeat suppression, cadence, review decisions."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest

from conftest import CANARY_ID, make_id
from fangpin.core.errors import Conflict, Forbidden, InvalidInput
from fangpin.datafeeds.models import DepartmentWarning, FeedRun, ReviewPair, ReviewStatus, RunStatus, WarningRule
from fangpin.datafeeds.services import feed_run_create, review_decide, rule_preview, rule_set_enabled
from fangpin.registry.models import Person

HEADER = "姓名,身份证号,性别,出生日期,村代码,参保状态,年度累计个人自付,结算日期\n"


def _rows(extra: str = "") -> str:
    spouse = make_id("340102", date(1972, 2, 2), 7)  # 配偶A1a1 (ordinary household)
    return (
        HEADER
        + f"金丝雀,{CANARY_ID},男,1980-01-01,340102001001,已参保,30000,2026-10-10\n"
        + f'配偶A1a1,{spouse},女,1972-02-02,340102001001,已参保,"20,100",2026-10-11\n'
        + "户主A1b0,,男,1970-01-01,340102001002,已参保,100,2026-10-12\n"
        + f"外县人,{make_id('650003', date(1990, 5, 5), 1)},男,1990-05-05,,已参保,50000,2026-10-12\n"
        + "坏行,1,2,3,4,5,6,7,8,9\n"
        + extra
    )


def _upload(actor, text: str, *, encoding: str = "gb18030", period: str = "2026-10", name: str = "med.csv"):
    return feed_run_create(
        actor=actor, source="medical_security", period=period, stream=io.BytesIO(text.encode(encoding)), file_name=name
    )


def test_a_medical_feed_raises_warnings_on_the_linked_people_of_the_right_households(world, actor_for):
    run = _upload(actor_for("county_admin_a"), _rows())
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert run.stats["rows"] == 4 and run.stats["rejected"] == 1 and run.stats["exact"] == 2
    warnings = {(w.rule_code, w.person_id, w.household_id) for w in DepartmentWarning.objects.all()}
    canary, spouse = world.canary, Person.objects.get(name="配偶A1a1")
    assert warnings == {
        ("W-MED-1", canary.pk, canary.household_id),
        ("W-MED-2", canary.pk, canary.household_id),
        ("W-MED-1B", spouse.pk, spouse.household_id),
    }
    warning = DepartmentWarning.objects.get(rule_code="W-MED-1")
    assert warning.metric_value == 30000 and warning.threshold_value == 5000 and warning.line == 2
    feedback = pl.read_parquet(run.stats["feedback"])
    assert set(feedback["line"].to_list()) >= {5, 6}  # the person not in the registry, the unreadable row
    assert any("无法读取" in r for r in feedback["reason"].to_list())


def test_the_same_file_and_period_again_creates_nothing_new(world, actor_for):
    first = _upload(actor_for("county_admin_a"), _rows())
    count = DepartmentWarning.objects.count()
    again = _upload(actor_for("county_admin_a"), _rows())
    assert again.pk == first.pk
    assert FeedRun.objects.count() == 1 and DepartmentWarning.objects.count() == count == 3


def test_a_monthly_rule_runs_once_per_period_and_repeats_are_suppressed(world, actor_for):
    _upload(actor_for("county_admin_a"), _rows())
    second = _upload(actor_for("county_admin_a"), _rows("新人,,男,2001-01-01,,已参保,1,2026-10-01\n"), name="b.csv")
    second.refresh_from_db()
    assert second.status == RunStatus.DONE
    assert "W-MED-1" in second.stats["rules_skipped"] and second.stats["new_warnings"] == 0
    third = _upload(actor_for("county_admin_a"), _rows("x,,男,2001-01-01,,已参保,1,2026-11-01\n"), period="2026-11")
    third.refresh_from_db()
    # A new period evaluates the rule again, but the yearly window suppresses the same person's repeat.
    assert "W-MED-1" not in third.stats["rules_skipped"]
    # W-MED-2 runs every ten days: it already ran in this ten-day slot.
    assert "W-MED-2" in third.stats["rules_skipped"]
    assert third.stats["new_warnings"] == 0 and third.stats["suppressed"] == 2
    assert DepartmentWarning.objects.count() == 3


def test_a_row_without_an_id_is_queued_for_review_and_a_confirmed_pair_links_next_month(world, actor_for):
    _upload(actor_for("county_admin_a"), _rows())
    pair = ReviewPair.objects.get()
    target = Person.objects.get(name="户主A1b0")
    assert pair.person_id == target.pk and pair.status == ReviewStatus.OPEN
    assert pair.feed_record["name"] == "户主A1b0" and pair.village_code == "340102001002"
    review_decide(actor=actor_for("county_staff_a"), pair=pair, verdict=ReviewStatus.CONFIRMED)
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.CONFIRMED and pair.decided_by == world.users["county_staff_a"]
    with pytest.raises(Conflict):
        review_decide(actor=actor_for("county_admin_a"), pair=pair, verdict=ReviewStatus.DISMISSED)
    rows = HEADER + "户主A1b0,,男,1970-01-01,340102001002,已参保,40000,2026-11-02\n"
    run = _upload(actor_for("county_admin_a"), rows, period="2026-11", name="nov.csv")
    run.refresh_from_db()
    assert DepartmentWarning.objects.filter(run=run, person=target, rule_code="W-MED-1").exists()
    assert ReviewPair.objects.count() == 1


def test_a_dismissed_pair_never_comes_back(world, actor_for):
    _upload(actor_for("county_admin_a"), _rows())
    pair = ReviewPair.objects.get()
    review_decide(actor=actor_for("county_admin_a"), pair=pair, verdict=ReviewStatus.DISMISSED)
    rows = HEADER + "户主A1b0,,男,1970-01-01,340102001002,已参保,40000,2026-11-02\n"
    run = _upload(actor_for("county_admin_a"), rows, period="2026-11", name="nov.csv")
    run.refresh_from_db()
    assert ReviewPair.objects.filter(status=ReviewStatus.OPEN).count() == 0
    assert not DepartmentWarning.objects.filter(run=run).exists()


def test_a_liaison_may_upload_but_a_village_cadre_may_not(world, actor_for):
    run = _upload(actor_for("liaison_a"), _rows())
    assert run.scope_code == world.areas["A"].prefix
    with pytest.raises(Forbidden):
        _upload(actor_for("village_a1a"), _rows(), name="v.csv")
    assert FeedRun.objects.count() == 1


@pytest.mark.parametrize("period", ["2026-13", "26-10", "", "2999-01"])
def test_a_bad_period_is_refused_in_chinese(world, actor_for, period):
    with pytest.raises(InvalidInput) as info:
        _upload(actor_for("county_admin_a"), _rows(), period=period)
    assert "期间" in info.value.message
    assert not FeedRun.objects.exists()


def test_a_file_missing_a_required_column_fails_the_run_with_the_column_named(world, actor_for):
    run = _upload(actor_for("county_admin_a"), "身份证号,金额\n1,2\n", encoding="utf-8")
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "姓名" in run.message
    assert not DepartmentWarning.objects.exists()


def test_a_rule_preview_counts_households_before_the_rule_is_switched_on(world, actor_for):
    run = _upload(actor_for("county_admin_a"), _rows())
    national = WarningRule.objects.get(code="GAP-MED")
    rule = rule_set_enabled(actor=actor_for("county_admin_a"), rule=national, enabled=False)
    assert rule.scope_code == world.areas["A"].prefix  # the county's own version; the national one stays
    rule.condition = "oop_ytd >= 20000"
    rule.save()
    preview = rule_preview(rule=rule, run=run)
    assert preview["households"] == 1  # the canary's household: the population is 脱贫/监测
    assert preview["sample"][0]["id_masked"].startswith("3401") and CANARY_ID not in str(preview)
    with pytest.raises(Forbidden):
        rule_set_enabled(actor=actor_for("county_staff_a"), rule=rule, enabled=True)
    rule_set_enabled(actor=actor_for("county_admin_a"), rule=rule, enabled=True)
    rule.refresh_from_db()
    assert rule.enabled and rule.version == 3


def test_each_warning_becomes_a_risk_clue_for_its_village_and_the_outcome_comes_back(world, actor_for):
    from fangpin.datafeeds.models import WarningStatus
    from fangpin.datafeeds.services import warning_sync_outcomes
    from fangpin.monitoring.models import RiskClue

    _upload(actor_for("county_admin_a"), _rows())
    warning = DepartmentWarning.objects.get(rule_code="W-MED-1")
    clue = RiskClue.objects.get(source="department_warning", source_ref=str(warning.pk))
    assert warning.clue_id == clue.pk and warning.status == WarningStatus.DISTRIBUTED
    assert clue.household_id == world.canary.household_id and clue.village_code == "340102001001"
    assert clue.risk_types == ["illness"]
    assert RiskClue.objects.filter(source="department_warning").count() == 3
    RiskClue.objects.filter(pk=clue.pk).update(status="closed", outcome="not_at_risk")
    assert warning_sync_outcomes(actor=actor_for("county_admin_a")) == 1
    warning.refresh_from_db()
    assert warning.status == WarningStatus.NO_RISK and warning.verification_result == "not_at_risk"
