"""Dated migrant-work records: the service's rules, its audit record, and the household page."""

import itertools
import random
from datetime import date

import pytest
import time_machine

from fangpin.core.actor import Actor
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fangpin.core.models import AuditEvent
from fangpin.registry.migrant_work_data import MigrantWorkDataError, clean_month
from fangpin.registry.models import MigrantWork
from fangpin.registry.services import migrant_work_end, migrant_work_record
from fangpin.synth import migrant as synth_migrant
from fangpin.synth.migrant_work import migrant_work_demo

NOW = "2026-03-15 10:00:00+08:00"


def spouse(world, village="A1a", i=0):
    return world.households[village][i].members.get(relationship="spouse")


def data(**kw):
    return {"start_month": "2025-10", "location": "省外", "place": "浙江宁波", "source": "visit"} | kw


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("2026-03", date(2026, 3, 1)),
        ("2026/3", date(2026, 3, 1)),
        ("2026年3月", date(2026, 3, 1)),
        ("202603", date(2026, 3, 1)),
        ("2026-03-17", date(2026, 3, 1)),
        (date(2026, 3, 17), date(2026, 3, 1)),
    ],
)
def test_months_are_read_as_people_write_them(raw, month):
    assert clean_month(raw) == month


@time_machine.travel(NOW, tick=False)
def test_recording_a_spell_is_audited_under_the_household(world, actor_for):
    person = spouse(world)
    row = migrant_work_record(actor=actor_for("village_a1a"), person=person, data=data(monthly_income="4500"))
    assert (row.start_month, row.end_month, row.location) == (date(2025, 10, 1), None, "out_of_province")
    event = AuditEvent.objects.get(object_type="migrant_work", object_id=str(row.pk))
    assert event.household_id == person.household_id and event.action == "create"
    assert event.changes["start_month"] == [None, "2025-10-01"]


@time_machine.travel(NOW, tick=False)
def test_every_bad_field_is_named_at_once(world, actor_for):
    with pytest.raises(MigrantWorkDataError) as exc:
        migrant_work_record(
            actor=actor_for("village_a1a"),
            person=spouse(world),
            data=data(start_month="2026-05", end_month="2026-04", location="火星", monthly_income="-3"),
        )
    errors = exc.value.field_errors
    assert set(errors) == {"start_month", "end_month", "location", "monthly_income"}
    assert "不能晚于本月" in errors["start_month"] and "火星" in errors["location"]
    assert not MigrantWork.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_second_open_spell_or_an_overlap_is_refused(world, actor_for):
    actor, person = actor_for("village_a1a"), spouse(world)
    migrant_work_record(actor=actor, person=person, data=data(start_month="2025-01", end_month="2025-06"))
    migrant_work_record(actor=actor, person=person, data=data(start_month="2025-10"))
    with pytest.raises(MigrantWorkDataError, match="未结束的务工记录（2025-10起）"):
        migrant_work_record(actor=actor, person=person, data=data(start_month="2026-02"))
    with pytest.raises(MigrantWorkDataError, match="时间重叠"):
        migrant_work_record(actor=actor, person=person, data=data(start_month="2025-05", end_month="2025-08"))
    migrant_work_record(actor=actor, person=person, data=data(start_month="2025-07", end_month="2025-09"))
    assert MigrantWork.objects.filter(person=person).count() == 3


@time_machine.travel(NOW, tick=False)
def test_ending_a_spell_checks_its_months_and_its_version(world, actor_for):
    actor, person = actor_for("village_a1a"), spouse(world)
    row = migrant_work_record(actor=actor, person=person, data=data(start_month="2025-10"))
    with pytest.raises(MigrantWorkDataError, match="不能早于开始月份"):
        migrant_work_end(actor=actor, record=row, end_month="2025-09")
    with pytest.raises(Conflict):
        migrant_work_end(actor=actor, record=row, end_month="2026-02", expected_version=row.version + 1)
    ended = migrant_work_end(actor=actor, record=row, end_month="2026-02", expected_version=row.version)
    assert ended.end_month == date(2026, 2, 1) and ended.version == 2
    with pytest.raises(InvalidInput, match="已于2026-02结束"):
        migrant_work_end(actor=actor, record=ended, end_month="2026-03")
    assert AuditEvent.objects.filter(object_type="migrant_work", action="update").count() == 1


def test_other_villages_and_read_only_roles_cannot_write(world, actor_for):
    person = spouse(world)
    with pytest.raises(NotFound):
        migrant_work_record(actor=actor_for("village_a1b"), person=person, data=data())
    with pytest.raises(Forbidden):
        migrant_work_record(actor=actor_for("auditor_a"), person=person, data=data())
    assert not MigrantWork.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_household_page_lists_records_and_its_forms_record_and_end_them(client_as, world):
    household = world.households["A1a"][0]
    person = spouse(world)
    client = client_as("village_a1a")
    page = client.get(f"/registry/households/{household.pk}/")
    assert "暂无务工记录" in page.content.decode() and 'data-testid="migrant-work-new"' in page.content.decode()
    response = client.post(
        f"/registry/households/{household.pk}/migrant-work/new/",
        {
            "person": person.pk,
            "start_month": "2025-11",
            "location": "in_province",
            "place": "合肥",
            "industry": "建筑业",
            "source": "visit",
        },
    )
    assert response.status_code == 302
    row = MigrantWork.objects.get(person=person)
    body = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert "2025-11" in body and "仍在务工" in body and "建筑业" in body
    client.post(f"/registry/migrant-work/{row.pk}/end/", {"end_month": "2026-02", "version": row.version})
    row.refresh_from_db()
    assert row.end_month == date(2026, 2, 1)
    body = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert "仍在务工" not in body and "2026-02" in body


@time_machine.travel(NOW, tick=False)
def test_a_bad_month_is_shown_on_the_form_in_chinese(client_as, world):
    household = world.households["A1a"][0]
    response = client_as("village_a1a").post(
        f"/registry/households/{household.pk}/migrant-work/new/",
        {"person": spouse(world).pk, "start_month": "2027-01", "location": "in_county", "source": "visit"},
    )
    assert response.status_code == 200 and "不能晚于本月（2026-03）" in response.content.decode()
    assert not MigrantWork.objects.exists()


def test_another_village_cannot_open_or_end_records(client_as, world, actor_for):
    household = world.households["A1a"][0]
    row = migrant_work_record(actor=actor_for("village_a1a"), person=spouse(world), data=data())
    other = client_as("village_a1b")
    assert other.get(f"/registry/households/{household.pk}/migrant-work/new/").status_code == 404
    assert other.post(f"/registry/migrant-work/{row.pk}/end/", {"end_month": "2026-01"}).status_code == 404
    row.refresh_from_db()
    assert row.end_month is None


def _members(n=3000):
    rng = random.Random(7)
    out = []
    for pk in range(1, n + 1):
        working = rng.random() < 0.3
        out.append(
            synth_migrant.Member(
                person_id=pk,
                work_location=rng.choice(["in_county", "in_province", "out_of_province"]) if working else "",
                work_months=rng.randint(1, 12) if working else None,
                can_work=working or rng.random() < 0.6,
            )
        )
    return out


def test_synthetic_spells_are_reproducible_and_agree_with_the_work_fields():
    members, this_month = _members(), date(2026, 6, 1)
    spells = synth_migrant.spells(members, this_month=this_month, seed=11)
    assert spells == synth_migrant.spells(members, this_month=this_month, seed=11)
    by_person: dict[int, list] = {}
    for s in spells:
        by_person.setdefault(s.person_id, []).append(s)
    for m in members:
        own = sorted(by_person.get(m.person_id, []), key=lambda s: s.start_month)
        if not m.can_work and not m.work_location:
            assert own == []
        for earlier, later in itertools.pairwise(own):
            assert earlier.end_month is not None and earlier.end_month < later.start_month  # no overlap
        for s in own:
            assert s.start_month <= this_month and (s.end_month is None or s.start_month <= s.end_month)
        if m.work_location:
            last = own[-1]
            assert last.location == m.work_location
            months = (this_month.year - last.start_month.year) * 12 + this_month.month - last.start_month.month
            if last.end_month is None:
                assert months + 1 >= m.work_months  # away at least as long as the months recorded
    working = [m for m in members if m.work_location]
    still_away = {s.person_id for s in spells if s.end_month is None}
    assert 0.7 < len(still_away & {m.person_id for m in working}) / len(working) < 0.9
    stale = still_away - {m.person_id for m in working}
    assert 0 < len(stale) < 0.03 * len(members)  # a few never closed, for DQ-19 to find


def test_demo_records_fill_one_county_once_with_one_audit_record(world):
    county = world.areas["A"]
    world.households["A1a"][0].members.filter(relationship="spouse").update(
        work_location="out_of_province", work_months=8
    )
    made = migrant_work_demo(actor=Actor.command(), county=county, today=date(2026, 3, 15), seed=3)
    rows = MigrantWork.objects.all()
    assert made == rows.count() > 0
    assert all(r.person.household.village_code.startswith(county.prefix) for r in rows)
    assert rows.filter(person=spouse(world)).exists() and set(rows.values_list("source", flat=True)) == {"demo"}
    assert migrant_work_demo(actor=Actor.command(), county=county, today=date(2026, 3, 15), seed=3) == 0
    assert AuditEvent.objects.filter(object_type="migrant_work", action="import").count() == 1
