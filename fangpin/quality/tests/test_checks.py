"""One test per data-quality check: a household that trips it and one that doesn't."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fangpin.assistance.tests.factories import episode_for, measure_for, plan_for
from fangpin.quality import selectors as quality
from fangpin.registry.models import IncomeSnapshot, MigrantWork

TODAY = date(2026, 3, 1)


def ids(world, code, username="county_admin_a"):
    ctx = quality.context_for(world.users[username], TODAY)
    return {row["household_id"] for row in quality.check_rows(quality.BY_CODE[code], ctx)}


def hh(world, i, village="A1a"):
    return world.households[village][i]


def implemented(plan, code, day=date(2026, 1, 20), **kw):
    return measure_for(plan, code, status="implemented", implemented_on=day, **kw)


def snapshot(household, kind, **kw):
    values = {
        "household": household,
        "kind": kind,
        "year": 2026,
        "window_start": date(2025, 2, 1),
        "window_end": date(2026, 1, 31),
        "household_size": 3,
    } | kw
    return IncomeSnapshot.objects.create(**values)


def eliminated(household, identified, on, income=Decimal("9000"), mode="assisted"):
    return episode_for(
        household,
        identified_on=identified,
        status="eliminated",
        eliminated_on=on,
        elimination_mode=mode,
        income_at_elimination=income,
    )


def test_dq01_flags_a_household_without_an_implemented_measure_after_a_month(world):
    trip, clean = hh(world, 0), hh(world, 1)
    episode_for(trip, identified_on=date(2026, 1, 1))
    implemented(plan_for(episode_for(clean, identified_on=date(2026, 1, 1))), "HEA-02")
    episode_for(hh(world, 2), identified_on=date(2026, 2, 20))  # within the month
    assert ids(world, "DQ-01") == {trip.pk}


def test_dq02_flags_an_assisted_elimination_before_six_months(world):
    trip, clean = hh(world, 0), hh(world, 1)
    eliminated(trip, date(2025, 1, 15), date(2025, 7, 14))
    eliminated(clean, date(2025, 1, 15), date(2025, 7, 15))
    eliminated(hh(world, 2), date(2025, 1, 15), date(2025, 2, 1), mode="natural")
    assert ids(world, "DQ-02") == {trip.pk}


def elimination_income(household, per_capita, size=3, window_end=date(2025, 8, 31)):
    """A 风险消除时 snapshot whose per-capita net income is `per_capita` (all wages)."""
    return snapshot(
        household,
        "elimination",
        year=window_end.year,
        window_start=date(window_end.year - 1, window_end.month, 1),
        window_end=window_end,
        household_size=size,
        wage_income=Decimal(per_capita) * size,
    )


def set_param(world, key, value, area="A", on=date(2026, 1, 1)):
    from fangpin.core.actor import Actor
    from fangpin.policy.services import policy_set

    policy_set(actor=Actor.command(), key=key, value=value, area=world.areas[area], effective_from=on)


def test_dq03_flags_an_assisted_elimination_below_the_income_line(world):
    trip, clean, missing = hh(world, 0), hh(world, 1), hh(world, 2)
    for h in (trip, clean, missing):
        eliminated(h, date(2025, 1, 1), date(2025, 9, 1))
    elimination_income(trip, "5000")
    elimination_income(clean, "7000")
    assert ids(world, "DQ-03") == {trip.pk, missing.pk}  # no 风险消除时 income: not shown above the line


def test_dq03_reads_the_elimination_snapshot_not_a_later_or_annual_one(world):
    trip, clean = hh(world, 0), hh(world, 1)
    for h in (trip, clean):
        # The episode's own copy says 9,000 and a later annual survey says 9,000 as well:
        # the income at elimination is the 风险消除时 snapshot's.
        eliminated(h, date(2025, 1, 1), date(2025, 9, 1), income=Decimal("9000"))
        snapshot(h, "annual_update", wage_income=Decimal("27000"))
    elimination_income(trip, "5500")
    elimination_income(clean, "6000")  # exactly on the line: not below
    assert ids(world, "DQ-03") == {trip.pk}


def test_dq03_compares_with_the_current_years_line_of_the_households_own_area(world):
    county, village = hh(world, 0), hh(world, 0, "A1b")
    for h in (county, village):
        eliminated(h, date(2025, 1, 1), date(2025, 9, 1))
        elimination_income(h, "7000")
    # This year the county line is 7,500; village A1b's own line is 6,800.
    set_param(world, "monitoring_income_threshold", {"mode": "fixed_amount", "amount": "7500"})
    set_param(world, "monitoring_income_threshold", {"mode": "fixed_amount", "amount": "6800"}, area="A1b")
    assert ids(world, "DQ-03") == {county.pk}


def test_dq03_divides_by_the_countys_household_size_rule(world):
    trip = hh(world, 0)  # three active members
    eliminated(trip, date(2025, 1, 1), date(2025, 9, 1))
    elimination_income(trip, "8000", size=4)  # 32,000 over 4 co-resident: 8,000 each
    assert ids(world, "DQ-03") == set()
    set_param(world, "household_size_rule", "active_members")  # 32,000 over 3 members: above too
    assert ids(world, "DQ-03") == set()
    elimination_income(trip, "4000", size=2, window_end=date(2025, 8, 30))  # an earlier record
    assert ids(world, "DQ-03") == set()  # the latest 风险消除时 record counts
    elimination_income(trip, "3000", size=6, window_end=date(2025, 9, 1))  # 18,000 over 3 = 6,000
    assert ids(world, "DQ-03") == set()
    set_param(world, "household_size_rule", "snapshot_size", on=date(2026, 2, 1))  # 18,000 over 6
    assert ids(world, "DQ-03") == {trip.pk}


def test_dq02_start_date_is_a_policy_parameter(world):
    early, late = hh(world, 0), hh(world, 1)
    eliminated(early, date(2024, 1, 15), date(2024, 3, 1))
    eliminated(late, date(2025, 1, 15), date(2025, 3, 1))
    assert ids(world, "DQ-02") == {early.pk, late.pk}
    set_param(world, "dq02_eliminations_from", "2025-01-01")
    assert ids(world, "DQ-02") == {late.pk}


def test_dq04_flags_an_assisted_elimination_without_a_developmental_measure(world):
    trip, clean = hh(world, 0), hh(world, 1)
    implemented(plan_for(eliminated(trip, date(2025, 1, 1), date(2025, 9, 1))), "HEA-02")
    implemented(plan_for(eliminated(clean, date(2025, 1, 1), date(2025, 9, 1))), "EMP-01")
    assert ids(world, "DQ-04") == {trip.pk}


def test_dq05_flags_an_eliminated_household_without_the_post_elimination_record(world):
    trip, clean = hh(world, 0), hh(world, 1)
    eliminated(trip, date(2025, 1, 1), date(2025, 9, 1))
    eliminated(clean, date(2025, 1, 1), date(2025, 9, 1))
    snapshot(trip, "elimination", house_unsafe=False, water_unsafe=False)  # incomplete
    snapshot(
        clean,
        "elimination",
        house_unsafe=False,
        child_out_of_school=False,
        water_unsafe=False,
        member_without_medical_insurance=False,
    )
    assert ids(world, "DQ-05") == {trip.pk}


def test_dq06_flags_an_illness_risk_without_a_health_or_safety_net_measure(world):
    trip, clean = hh(world, 0), hh(world, 1)
    implemented(plan_for(episode_for(trip, risk_types=["illness"])), "HOU-01")
    implemented(plan_for(episode_for(clean, risk_types=["illness", "unsafe_water"])), "CMP-01")
    implemented(clean.assistance_plans.get(), "WAT-01")
    assert ids(world, "DQ-06") == {trip.pk}


def test_dq07_flags_members_with_labour_but_no_developmental_measure(world):
    trip, clean = hh(world, 0), hh(world, 1)
    episode_for(trip)
    implemented(plan_for(episode_for(clean)), "EMP-01")  # household-level measure
    ctx = quality.context_for(world.users["county_admin_a"], TODAY)
    rows = list(quality.check_rows(quality.BY_CODE["DQ-07"], ctx))
    assert {r["household_id"] for r in rows} == {trip.pk}
    assert len(rows) == 2  # head and spouse; the child has no labour


def _no_labour(household, **kw):
    household.members.update(labour_capacity="none", **kw)


def test_dq08_flags_a_no_labour_safety_net_household_not_marked(world):
    trip, clean = hh(world, 0), hh(world, 1)
    for h in (trip, clean):
        _no_labour(h, is_dibao=True)
        episode_for(h)
    clean.no_labour_safety_net = True
    clean.save()
    assert ids(world, "DQ-08") == {trip.pk}


def test_dq09_flags_lack_of_labour_when_a_quarter_of_members_can_work(world):
    trip, clean = hh(world, 0), hh(world, 1)
    episode_for(trip, risk_types=["lack_of_labour"])
    _no_labour(clean)
    clean.members.filter(relationship="head").update(labour_capacity="weak")
    episode_for(clean, risk_types=["lack_of_labour"])
    assert ids(world, "DQ-09") == {trip.pk}


def test_dq09_share_is_a_policy_parameter(world):
    half = hh(world, 0)  # head and spouse ordinary labour, one child: 2 of 3 able
    half.members.filter(relationship="spouse").update(labour_capacity="none")  # now 1 of 3 able
    episode_for(half, risk_types=["lack_of_labour"])
    assert ids(world, "DQ-09") == {half.pk}  # 1/3 > 1/4
    set_param(world, "dq09_able_labour_share", "1/2")
    assert ids(world, "DQ-09") == set()  # 1/3 is not above 1/2


def test_dq10_flags_unstable_employment_in_a_household_without_labour(world):
    trip, clean = hh(world, 0), hh(world, 1)
    _no_labour(trip)
    episode_for(trip, risk_types=["unstable_employment"])
    episode_for(clean, risk_types=["unstable_employment"])
    assert ids(world, "DQ-10") == {trip.pk}


def test_dq11_flags_an_illness_risk_with_no_out_of_pocket_spending(world):
    trip, clean = hh(world, 0), hh(world, 1)
    for h, oop in ((trip, 0), (clean, 3000)):
        episode_for(h, risk_types=["illness"])
        snapshot(h, "identification", eligible_out_of_pocket=Decimal(oop))
    assert ids(world, "DQ-11") == {trip.pk}


def test_dq12_flags_a_high_income_at_identification_since_2023(world):
    trip, clean = hh(world, 0), hh(world, 1)
    episode_for(trip, identified_on=date(2024, 5, 1), income_at_identification=Decimal("25000"))
    episode_for(clean, identified_on=date(2024, 5, 1), income_at_identification=Decimal("15000"))
    assert ids(world, "DQ-12") == {trip.pk}


def test_dq12_start_date_is_a_policy_parameter(world):
    trip, before = hh(world, 0), hh(world, 1)
    episode_for(trip, identified_on=date(2025, 5, 1), income_at_identification=Decimal("25000"))
    episode_for(before, identified_on=date(2024, 5, 1), income_at_identification=Decimal("25000"))
    set_param(world, "dq12_identified_from", "2025-01")
    assert ids(world, "DQ-12") == {trip.pk}


def test_dq13_flags_unsafe_water_without_the_water_risk(world):
    trip, clean = hh(world, 0), hh(world, 1)
    episode_for(trip, risk_types=["illness"])
    episode_for(clean, risk_types=["unsafe_water"])
    for h in (trip, clean):
        snapshot(h, "identification", water_unsafe=True)
    assert ids(world, "DQ-13") == {trip.pk}


def test_dq14_flags_a_natural_disaster_without_its_subtype(world):
    trip, clean = hh(world, 0), hh(world, 1)
    episode_for(trip, risk_types=["natural_disaster"])
    episode_for(clean, risk_types=["natural_disaster"], disaster_subtype="0201")
    assert ids(world, "DQ-14") == {trip.pk}


def test_dq15_flags_the_premium_subsidy_missing_before_the_cutoff_or_present_after(world):
    early_without, early_with, late_with = hh(world, 0), hh(world, 1), hh(world, 2)
    episode_for(early_without, identified_on=date(2026, 2, 10))
    measure_for(plan_for(episode_for(early_with, identified_on=date(2026, 2, 10))), "HEA-01")
    measure_for(plan_for(episode_for(late_with, identified_on=date(2025, 5, 10))), "HEA-01")
    assert ids(world, "DQ-15") == {early_without.pk, late_with.pk}


def test_dq16_flags_a_healthy_working_age_member_recorded_without_labour(world):
    trip, clean = hh(world, 0), hh(world, 0, "A1b")
    trip.members.filter(relationship="spouse").update(labour_capacity="weak")
    clean.members.filter(relationship="spouse").update(labour_capacity="weak", is_chronic_ill=True)
    assert ids(world, "DQ-16") == {trip.pk}


def test_dq17_flags_a_person_without_labour_recorded_as_working(world):
    trip = hh(world, 0)
    trip.members.filter(relationship="head").update(labour_capacity="lost", work_location="in_county")
    assert ids(world, "DQ-17") == {trip.pk}  # the children (no labour, not working) are not flagged


def test_dq17_flags_a_person_without_labour_recorded_as_planning_to_work(world):
    planning, stays = hh(world, 0), hh(world, 0, "A1b")
    planning.members.filter(relationship="head").update(labour_capacity="none", plans_to_work=True)
    stays.members.filter(relationship="head").update(labour_capacity="none")
    assert ids(world, "DQ-17") == {planning.pk}


def test_dq18_flags_escaped_members_without_serious_illness_insurance(world):
    insured = hh(world, 0, "A1b")
    insured.members.update(in_serious_illness=True)
    assert ids(world, "DQ-18") == {hh(world, 0).pk, hh(world, 0, "A2a").pk}  # escaped households only


def county_a(world, n):
    """`n` households of county A across its villages (three per village)."""
    return [h for v in ("A1a", "A1b", "A2a") for h in world.households[v]][:n]


def work(person, start, end=None, location="out_of_province"):
    return MigrantWork.objects.create(
        person=person, start_month=start, end_month=end, location=location, source="visit"
    )


def member(household, relationship="spouse"):
    return household.members.get(relationship=relationship)


def test_dq19_flags_a_monitored_member_marked_not_working_whose_last_spell_is_still_open(world):
    open_spell, future_end, ended, working, older_open = county_a(world, 5)
    for h in (open_spell, future_end, ended, working, older_open):
        episode_for(h)
    work(member(open_spell), date(2025, 10, 1))  # no end month: still away
    work(member(future_end), date(2025, 10, 1), date(2026, 6, 1))  # contract ends after this month
    work(member(ended), date(2025, 3, 1), date(2025, 12, 1))  # came back: consistent
    work(member(ended, "head"), date(2026, 2, 1), date(2026, 3, 1))  # ends this month: not "in the future"
    working.members.filter(relationship="spouse").update(work_location="in_province")
    work(member(working), date(2025, 10, 1))  # marked working: consistent
    # Only the LAST spell counts: an old spell left open is superseded by a later, ended one.
    MigrantWork.objects.bulk_create(
        [
            MigrantWork(
                person=member(older_open),
                start_month=date(2024, 1, 1),
                end_month=date(2024, 8, 1),
                location="in_county",
                source="visit",
            ),
            MigrantWork(
                person=member(older_open),
                start_month=date(2025, 2, 1),
                end_month=date(2025, 9, 1),
                location="in_county",
                source="visit",
            ),
        ]
    )
    rows = quality.check_rows(quality.BY_CODE["DQ-19"], quality.context_for(world.users["county_admin_a"], TODAY))
    flagged = {(r["household_id"], r["person_name"]) for r in rows}
    assert flagged == {
        (open_spell.pk, member(open_spell).name),
        (future_end.pk, member(future_end).name),
    }


def test_dq19_ignores_members_of_households_not_under_monitoring(world):
    not_monitored, eliminated_hh = hh(world, 0), hh(world, 1)
    eliminated(eliminated_hh, date(2025, 1, 10), date(2025, 9, 1))
    work(member(not_monitored), date(2025, 10, 1))
    work(member(eliminated_hh), date(2025, 10, 1))
    assert ids(world, "DQ-19") == set()


def test_dq20_flags_labour_export_when_no_member_started_work_after_identification(world):
    trip, clean, started_before, same_month, no_measure = county_a(world, 5)
    for h in (trip, clean, started_before, same_month):
        implemented(plan_for(episode_for(h, identified_on=date(2026, 1, 10))), "EMP-01")
    episode_for(no_measure, identified_on=date(2026, 1, 10))
    work(member(clean), date(2026, 2, 1))  # left for work after identification
    work(member(started_before), date(2025, 6, 1))  # already away before: the measure did not send anyone
    work(member(same_month), date(2026, 1, 1))  # the month of identification counts
    # Marking the 务工所在地 field is not enough any more: a dated spell is required.
    trip.members.filter(relationship="spouse").update(work_location="out_of_province")
    assert ids(world, "DQ-20") == {trip.pk, started_before.pk}


def test_dq20_counts_any_spell_while_a_green_channel_episode_has_no_identification_date(world):
    green, green_clean = hh(world, 0), hh(world, 1)
    implemented(plan_for(episode_for(green, identified_on=None, status="green_channel")), "EMP-01")
    implemented(plan_for(episode_for(green_clean, identified_on=None, status="green_channel")), "EMP-01")
    work(member(green_clean), date(2025, 6, 1))
    assert ids(world, "DQ-20") == {green.pk}


def test_checks_only_see_the_users_area(world):
    episode_for(hh(world, 0), identified_on=date(2026, 1, 1))
    assert ids(world, "DQ-01", "county_admin_b") == set()
    assert ids(world, "DQ-01", "village_a1b") == set()
    assert ids(world, "DQ-01", "township_a1") == {hh(world, 0).pk}


def test_severity_comes_from_the_policy_parameter(world):
    rows = {r["code"]: r for r in quality.summary(world.users["county_admin_a"], TODAY)}
    assert rows["DQ-02"]["severity"] == "blocking" and rows["DQ-07"]["severity"] == "warning"
    assert rows["DQ-18"]["count"] == 9  # three escaped households of three members, none insured
    assert rows["DQ-19"]["count"] == 0 and not rows["DQ-19"]["note"]
    assert [r["severity"] for r in rows.values()] == sorted(r["severity"] for r in rows.values())  # blocking first


@pytest.mark.parametrize("code", [c.code for c in quality.CHECKS if c.query is not None])
def test_every_check_runs_for_a_user_without_an_area_and_finds_nothing(world, code):
    episode_for(hh(world, 0), identified_on=date(2026, 1, 1), risk_types=["natural_disaster"])
    assert ids(world, code, "orphan") == set()


def test_the_approval_guard_narrows_the_same_queries_to_one_household(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangpin.core.actor import Actor
    from fangpin.policy.services import policy_set

    policy_set(
        actor=Actor.command(),
        key="dq_blocking_checks",
        value=",".join(c.code for c in quality.CHECKS),  # every check blocking
        area=world.areas["A"],
        effective_from=date(2026, 1, 1),
    )
    target, others = hh(world, 1), county_a(world, 9)
    episode = episode_for(target, identified_on=date(2026, 1, 1))

    def run():
        with CaptureQueriesContext(connection) as queries:
            problems = quality.household_blocking_problems(
                household=target, user=world.users["county_staff_a"], today=TODAY, episode_id=episode.pk
            )
        return problems, len(queries)

    problems, before = run()
    # Identified in January, nothing implemented: no measure after a month, illness uncovered,
    # able members without a developmental measure, no premium subsidy before the cut-off.
    assert [p.split(" ")[0] for p in problems] == ["DQ-01", "DQ-06", "DQ-07", "DQ-15"]
    for h in others:  # every other household of the county trips checks too: none of it leaks in
        if h.pk != target.pk:
            implemented(plan_for(episode_for(h, identified_on=date(2025, 6, 1))), "EMP-01")
            eliminated(h, date(2024, 1, 1), date(2024, 3, 1))
    problems_after, after = run()
    assert problems_after == problems and after == before  # set-based: no per-household work
