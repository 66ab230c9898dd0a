"""Re-imports that meet the registry: what validation says of each row is what the write
does, and no row validation passed can make the write fail (issue 12 §4)."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import make_id
from fangpin.core.models import AuditEvent
from fangpin.registry.choices import ChangeKind, PersonStatus, Relationship
from fangpin.registry.importing.services import import_apply, import_create, import_validate
from fangpin.registry.models import Household, HouseholdChange, ImportBatch, ImportStatus, Person
from fangpin.registry.services import household_change_head, person_add

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"
GOOD = FIXTURES / "registry_good.csv"
ZHAO = "T340102001001000"  # 赵大 (head), 钱二 (spouse), 赵小 (son)
SUN = "T340102001002001"  # 孙三 (head), 李四, 孙𠈌
MAIMAITI = "T340102001001003"  # same village as ZHAO


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(GOOD.read_text(encoding="utf-8"))))


def _row(rows: list[dict[str, str]], name: str) -> dict[str, str]:
    return next(r for r in rows if r["姓名"] == name)


def _file(tmp_path: Path, rows: list[dict[str, str]], name: str = "again.csv") -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _validate(path: Path, actor) -> ImportBatch:  # type: ignore[no-untyped-def]
    with open(path, "rb") as fh:
        batch = import_create(actor=actor, stream=fh, file_name=path.name, start=False)
    return import_validate(batch=batch)


def _apply(batch: ImportBatch, actor) -> ImportBatch:  # type: ignore[no-untyped-def]
    return import_apply(batch=batch, actor=actor.with_batch(batch.ref))


def _issues(batch: ImportBatch) -> dict[tuple[int, str], str]:
    return {(i.row, i.column): i.message for i in batch.issues.all()}


def _line(rows: list[dict[str, str]], name: str) -> int:
    """The file line of a person's row (line 1 is the header)."""
    return next(n for n, r in enumerate(rows, start=2) if r["姓名"] == name)


def _registered(actor) -> None:  # type: ignore[no-untyped-def]
    batch = _apply(_validate(GOOD, actor), actor)
    assert batch.status == ImportStatus.APPLIED


def _head(code: str) -> str:
    return Person.objects.get(household__national_household_code=code, relationship="head", status="active").name


def test_a_file_that_changes_the_head_and_lists_the_old_one_changes_the_head(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    rows = _rows()
    _row(rows, "赵大")["与户主关系"] = "配偶"
    _row(rows, "钱二")["与户主关系"] = "户主"
    batch = _validate(_file(tmp_path, rows), actor)
    assert batch.status == ImportStatus.VALIDATED
    assert _issues(batch) == {}
    assert batch.stats["households_ok"] == 6
    assert batch.stats["preview"]["heads_changed"] == 1
    batch = _apply(batch, actor)
    assert batch.status == ImportStatus.APPLIED
    assert batch.stats["applied"]["heads_changed"] == 1
    assert _head(ZHAO) == "钱二"
    assert Person.objects.get(name="赵大").relationship == Relationship.SPOUSE
    change = HouseholdChange.objects.get(household__national_household_code=ZHAO, kind=ChangeKind.HEAD_CHANGED)
    assert change.person.name == "钱二"
    assert change.details == {"old_head": "赵大", "new_head": "钱二"}
    event = AuditEvent.objects.filter(object_type="person", object_id=str(change.person_id)).latest("seq")
    assert event.changes["relationship"] == ["spouse", "head"]


def test_a_new_head_with_the_old_one_listed_as_parent_is_added_and_made_head(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    rows = _rows()
    _row(rows, "赵大")["与户主关系"] = "之父母"
    newcomer = {**_row(rows, "赵小"), "姓名": "赵新", "证件号码": make_id("340102", date(1992, 6, 1), 17)}
    newcomer.update({"与户主关系": "户主", "性别": "男", "出生日期": ""})
    rows.append(newcomer)
    batch = _validate(_file(tmp_path, rows), actor)
    assert _issues(batch) == {}
    _apply(batch, actor)
    assert _head(ZHAO) == "赵新"
    assert Person.objects.get(name="赵大").relationship == Relationship.PARENT


def test_a_new_head_without_the_old_one_is_refused_on_its_row_and_the_write_goes_through(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    rows = _rows()
    # The old head's row replaced by another person as 户主 (an overlapping export from elsewhere).
    _row(rows, "赵大").update({"姓名": "赵新", "证件号码": make_id("340102", date(1968, 3, 1), 77)})
    _row(rows, "孙三")["家庭住址"] = "二组9号"  # another household's change goes through
    path = _file(tmp_path, rows)
    batch = _validate(path, actor)
    issues = _issues(batch)
    assert list(issues) == [(_line(rows, "赵新"), "与户主关系")]
    assert "文件中没有列出" in issues[(_line(rows, "赵新"), "与户主关系")]
    assert batch.stats["households_ok"] == 5 and batch.stats["households_rejected"] == 1
    batch = _apply(batch, actor)
    assert batch.status == ImportStatus.APPLIED
    assert _head(ZHAO) == "赵大"
    assert not Person.objects.filter(name="赵新").exists()
    assert Household.objects.get(national_household_code=SUN).address == "二组9号"


def test_a_file_that_moves_a_person_to_another_household_is_refused_on_that_row(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    rows = _rows()
    _row(rows, "钱二").update({"户编号": MAIMAITI, "与户主关系": "之兄弟姐妹"})
    batch = _validate(_file(tmp_path, rows), actor)
    issues = _issues(batch)
    assert list(issues) == [(_line(rows, "钱二"), "证件号码")]
    assert "已登记在其他户" in issues[(_line(rows, "钱二"), "证件号码")]
    assert "*" in batch.issues.get().value  # the ID is masked in the report
    _apply(batch, actor)
    person = Person.objects.get(name="钱二")
    assert person.household.national_household_code == ZHAO and person.relationship == Relationship.SPOUSE


def test_ids_that_move_between_two_members_are_refused_on_both_rows(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    rows = _rows()
    qian, zhao_xiao = _row(rows, "钱二"), _row(rows, "赵小")
    qian["证件号码"], zhao_xiao["证件号码"] = zhao_xiao["证件号码"], qian["证件号码"]
    for row in (qian, zhao_xiao):
        row["性别"] = row["出生日期"] = ""  # derived from the (swapped) ID
    batch = _validate(_file(tmp_path, rows), actor)
    issues = _issues(batch)
    assert set(issues) == {(_line(rows, "钱二"), "证件号码"), (_line(rows, "赵小"), "证件号码")}
    assert all("另一名成员" in m for m in issues.values())
    _apply(batch, actor)
    assert Person.objects.get(id_number=qian["证件号码"]).name == "赵小"
    assert Person.objects.get(id_number=zhao_xiao["证件号码"]).name == "钱二"


def test_a_name_corrected_on_its_own_id_is_still_an_update(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    rows = _rows()
    _row(rows, "钱二")["姓名"] = "钱二妹"
    batch = _apply(_validate(_file(tmp_path, rows), actor), actor)
    assert batch.stats["issues"] == 0 and batch.stats["applied"]["persons_updated"] == 1


def test_a_member_who_comes_with_another_id_is_not_registered_twice(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    rows = _rows()
    zhao_xiao = _row(rows, "赵小")
    zhao_xiao["证件号码"] = make_id("340102", date(2012, 5, 1), 503)  # same birth date, another ID
    batch = _validate(_file(tmp_path, rows), actor)
    issues = _issues(batch)
    assert list(issues) == [(_line(rows, "赵小"), "证件号码")]
    assert "登记两次" in issues[(_line(rows, "赵小"), "证件号码")]
    _apply(batch, actor)
    assert Person.objects.filter(name="赵小").count() == 1


def test_a_removed_member_named_head_again_is_refused(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    # In the registry 赵大 has died and 钱二 became the head; an old file says otherwise.
    Person.objects.filter(name="赵大").update(status=PersonStatus.DECEASED)
    Person.objects.filter(name="钱二").update(relationship=Relationship.HEAD)
    rows = _rows()
    batch = _validate(_file(tmp_path, rows), actor)
    issues = _issues(batch)
    assert list(issues) == [(_line(rows, "赵大"), "与户主关系")]
    assert "已减员（死亡）" in issues[(_line(rows, "赵大"), "与户主关系")]
    _apply(batch, actor)
    assert _head(ZHAO) == "钱二"


def test_a_dissolved_household_is_not_updated_by_an_import(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    Household.objects.filter(national_household_code=ZHAO).update(status="dissolved")
    batch = _validate(GOOD, actor)
    issues = batch.issues.all()
    assert [(i.household_code, i.column) for i in issues] == [(ZHAO, "户编号")]
    assert "已注销" in issues[0].message


def test_a_registry_changed_between_validation_and_accept_skips_that_household(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _registered(actor)
    batch = _validate(GOOD, actor)  # the same file again: valid, nothing to change
    assert batch.stats["issues"] == 0
    # Meanwhile a cadre adds a member and makes them head; 赵大 becomes the parent.
    household = Household.objects.get(national_household_code=ZHAO)
    newcomer = person_add(
        actor=actor,
        household=household,
        data={
            "name": "赵新",
            "id_number": make_id("340102", date(1992, 6, 1), 17),
            "relationship": "son",
            "labour_capacity": "普通劳动力",
        },
        reason="birth",
        occurred_on=date(2026, 12, 1),
    )
    household = Household.objects.get(pk=household.pk)
    household_change_head(
        actor=actor,
        household=household,
        new_head=newcomer,
        old_head_relationship="parent",
        occurred_on=date(2026, 12, 2),
    )
    batch = _apply(batch, actor)  # the file still names 赵大 as head, and not 赵新
    assert batch.status == ImportStatus.APPLIED
    assert batch.stats["applied"]["conflicts"] == 1
    issue = batch.issues.get()
    assert issue.household_code == ZHAO and "已有变化" in issue.message and "文件中没有列出" in issue.message
    assert _head(ZHAO) == "赵新"


def test_an_overlapping_synthetic_county_writes_exactly_what_validation_reported(world, tmp_path):
    """The case of issue 12 §4 at a small scale: a second synthetic file of the same county
    shares household codes and people with the registered one, under other heads."""
    from django.core.management import call_command

    from fangpin.core.actor import Actor
    from fangpin.core.models import Channel
    from fangpin.synth.county import write_county

    first = write_county(tmp_path / "first", households=300, seed=7)
    second = write_county(tmp_path / "second", households=1000, seed=7)
    call_command("load_areas", str(first["areas"]), stdout=io.StringIO())
    actor = Actor(user=None, channel=Channel.COMMAND)
    assert _apply(_validate(first["registry"], actor), actor).status == ImportStatus.APPLIED
    before = Household.objects.count(), Person.objects.count()
    batch = _validate(second["registry"], actor)
    messages = [i.message for i in batch.issues.all()]
    assert any("文件中没有列出此人" in m for m in messages)  # another head for a registered household
    assert any("已登记在其他户" in m for m in messages)  # a registered person in another household
    preview = batch.stats["preview"]
    batch = _apply(batch, actor)
    assert batch.status == ImportStatus.APPLIED
    assert batch.stats["applied"] == preview
    assert Household.objects.count() == before[0] + preview["households_created"]
    assert Person.objects.count() == before[1] + preview["persons_created"]


@pytest.mark.django_db(transaction=True)
def test_a_second_import_of_the_same_households_during_the_first_waits_and_then_updates(world, actor_for, monkeypatch):
    """A re-run started while an earlier write of the same households is still in its
    transaction (a killed run being rolled back, or one still going) must not die on the
    unique keys: it waits for the first and then sees what the first committed."""
    from django.db import connection

    from fangpin.registry.importing import apply as apply_module

    actor = actor_for("county_admin_a")
    first, second = _validate(GOOD, actor), _validate(GOOD, actor)  # both see nothing registered
    written, go = threading.Event(), threading.Event()
    real_audit = apply_module.audit_log_many

    def audit_then_hold(**kwargs):  # type: ignore[no-untyped-def]
        events = real_audit(**kwargs)
        if threading.current_thread().name == "first":
            written.set()
            go.wait(timeout=30)  # the first write holds its transaction open here
        return events

    monkeypatch.setattr(apply_module, "audit_log_many", audit_then_hold)
    outcome: dict[str, object] = {}

    def run(name: str, batch: ImportBatch) -> None:
        try:
            outcome[name] = _apply(batch, actor)
        except Exception as exc:  # the test reports it
            outcome[name] = exc
        finally:
            connection.close()

    threads = {
        "first": threading.Thread(target=run, args=("first", first), name="first"),
        "second": threading.Thread(target=run, args=("second", second), name="second"),
    }
    threads["first"].start()
    assert written.wait(timeout=60)
    threads["second"].start()
    time.sleep(1.0)  # the second is now waiting for the first
    go.set()
    for thread in threads.values():
        thread.join(timeout=120)
    assert isinstance(outcome["first"], ImportBatch), outcome["first"]
    assert isinstance(outcome["second"], ImportBatch), outcome["second"]
    applied = outcome["second"].stats["applied"]
    assert applied["persons_created"] == 0 and applied["persons_unchanged"] == 18
    assert Person.objects.filter(household__national_household_code__startswith="T").count() == 18
