"""The staged import, with files as counties produce them."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from python_calamine import CalamineWorkbook

from fangpin.core.actor import Actor
from fangpin.core.errors import InvalidInput
from fangpin.core.models import AuditEvent, Channel
from fangpin.registry.importing.report import issues_xlsx
from fangpin.registry.importing.services import import_apply, import_create, import_validate
from fangpin.registry.models import Household, ImportBatch, ImportStatus, IncomeSnapshot, Person

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"
ROOT = FIXTURES.parents[1]


def _validate(path: Path, actor: Actor) -> ImportBatch:
    with open(path, "rb") as fh:
        batch = import_create(actor=actor, stream=fh, file_name=path.name, start=False)
    return import_validate(batch=batch)


def _apply(batch: ImportBatch, actor: Actor) -> ImportBatch:
    return import_apply(batch=batch, actor=actor.with_batch(batch.ref))


def _digest() -> str:
    rows = Person.objects.order_by("id_number").values_list(
        "id_number", "name", "household__national_household_code", "relationship", "labour_capacity", "version"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


@pytest.mark.parametrize("name", ["registry_good.csv", "registry_gb18030.csv", "registry_libreoffice.xlsx"])
def test_the_same_households_from_utf8_gb18030_and_libreoffice(world, actor_for, name):
    batch = _validate(FIXTURES / name, actor_for("county_admin_a"))
    assert batch.status == ImportStatus.VALIDATED, batch.message
    assert batch.stats["issues"] == 0
    _apply(batch, actor_for("county_admin_a"))
    assert Person.objects.filter(household__national_household_code__startswith="T").count() == 18
    # A character outside GBK and a name with the middle dot survive every encoding.
    assert Person.objects.filter(name="孙𠈌").exists()
    assert Person.objects.filter(name="买买提·艾力").exists()
    assert IncomeSnapshot.objects.filter(household__national_household_code__startswith="T").count() == 6


def test_nothing_is_written_before_the_operator_accepts(world, actor_for):
    before = Person.objects.count()
    batch = _validate(FIXTURES / "registry_good.csv", actor_for("county_admin_a"))
    assert batch.stats["preview"]["persons_created"] == 18
    assert Person.objects.count() == before


def test_importing_the_same_file_again_changes_nothing(world, actor_for):
    actor = actor_for("county_admin_a")
    _apply(_validate(FIXTURES / "registry_good.csv", actor), actor)
    digest, audit_count = _digest(), AuditEvent.objects.exclude(action="import").count()
    again = _apply(_validate(FIXTURES / "registry_good.csv", actor), actor)
    applied = again.stats["applied"]
    assert applied["persons_created"] == applied["persons_updated"] == applied["households_updated"] == 0
    assert applied["persons_unchanged"] == 18
    assert _digest() == digest
    assert AuditEvent.objects.exclude(action="import").count() == audit_count


def test_a_changed_row_updates_that_person_with_an_audit_record(world, actor_for, tmp_path):
    actor = actor_for("county_admin_a")
    _apply(_validate(FIXTURES / "registry_good.csv", actor), actor)
    text = (FIXTURES / "registry_good.csv").read_text(encoding="utf-8").replace("钱二", "钱二妹")
    changed = tmp_path / "changed.csv"
    changed.write_text(text, encoding="utf-8")
    batch = _apply(_validate(changed, actor), actor)
    assert batch.stats["applied"]["persons_updated"] == 1
    person = Person.objects.get(name="钱二妹")
    event = AuditEvent.objects.filter(object_type="person", object_id=str(person.pk)).latest("seq")
    assert event.changes["name"] == ["钱二", "钱二妹"]
    assert event.channel == Channel.IMPORT and event.batch_ref == batch.ref


def test_every_mistake_is_reported_by_row_and_column_and_the_rest_imports(world, actor_for):
    actor = actor_for("county_admin_a")
    batch = _validate(FIXTURES / "registry_bad.csv", actor)
    issues = {(i.row, i.column): i.message for i in batch.issues.all()}
    assert "科学计数法" in issues[(2, "证件号码")]
    assert "校验位" in issues[(3, "证件号码")]
    assert "截断" in issues[(4, "证件号码")]
    assert "村级区划代码" in issues[(5, "行政区划代码")]
    assert "不是有效值" in issues[(6, "劳动技能")]
    assert "性别" in issues[(6, "性别")]
    assert "多名户主" in issues[(7, "与户主关系")]
    assert "重复" in issues[(10, "证件号码")]
    assert batch.stats["households_ok"] == 1
    _apply(batch, actor)
    assert Household.objects.filter(national_household_code="B8").exists()
    assert not Household.objects.filter(national_household_code__in=["B1", "B2", "B6", "B7"]).exists()


def test_the_error_report_downloads_as_xlsx_with_masked_ids(world, actor_for):
    batch = _validate(FIXTURES / "registry_bad.csv", actor_for("county_admin_a"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(issues_xlsx(batch))).get_sheet_by_index(0).to_python()
    assert rows[0] == ["行号", "户编号", "列", "填写内容", "问题"]
    assert any("科学计数法" in r[4] for r in rows[1:])
    assert all(len(str(r[3])) < 18 or "*" in str(r[3]) for r in rows[1:] if r[2] == "证件号码")


def test_ids_that_libreoffice_turned_into_numbers_are_refused(world, actor_for):
    batch = _validate(FIXTURES / "registry_numeric_ids.xlsx", actor_for("county_admin_a"))
    id_issues = batch.issues.filter(column="证件号码")
    text = (FIXTURES / "registry_good.csv").read_text(encoding="utf-8")
    # Calc keeps an ID ending in X as text; every other one became a number.
    numeric = sum(1 for line in text.splitlines()[1:] if not line.split(",")[14].endswith("X"))
    assert 0 < numeric < 18
    assert id_issues.count() == numeric
    assert all("Excel存成了数字" in i.message for i in id_issues)
    assert batch.stats["households_ok"] == 0


def test_township_staff_cannot_import_into_another_township(world, actor_for):
    batch = _validate(FIXTURES / "registry_good.csv", actor_for("township_a1"))
    outside = batch.issues.filter(message__contains="不在您的管辖范围")
    assert {i.household_code for i in outside} == {"T340102002001002", "T340102002001005"}


def test_village_cadres_cannot_import(world, actor_for):
    from fangpin.core.errors import Forbidden

    with pytest.raises(Forbidden), open(FIXTURES / "registry_good.csv", "rb") as fh:
        import_create(actor=actor_for("village_a1a"), stream=fh, file_name="x.csv", start=False)


def test_a_file_that_is_neither_utf8_nor_gb18030_is_refused_not_guessed(world, actor_for, tmp_path):
    bad = tmp_path / "big5.csv"
    bad.write_bytes(
        (FIXTURES / "registry_good.csv").read_text(encoding="utf-8").encode("utf-8")[:200] + b"\xff\xfe\xff"
    )
    batch = _validate(bad, actor_for("county_admin_a"))
    assert batch.status == ImportStatus.FAILED
    assert "编码无法识别" in batch.message


def test_old_excel_files_are_refused_with_advice(world, actor_for, tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    batch = _validate(xls, actor_for("county_admin_a"))
    assert batch.status == ImportStatus.FAILED and ".xlsx" in batch.message


def test_missing_required_columns_reject_the_whole_file(world, actor_for, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("户编号,姓名\nX1,张三\n", encoding="utf-8")
    batch = _validate(path, actor_for("county_admin_a"))
    assert batch.status == ImportStatus.FAILED
    assert "证件号码" in batch.message and "行政区划代码" in batch.message


def test_empty_upload_is_refused(world, actor_for):
    with pytest.raises(InvalidInput):
        import_create(actor=actor_for("county_admin_a"), stream=io.BytesIO(b""), file_name="e.csv", start=False)


def _db_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return (
        f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


def _cli(*args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _db_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The worker's own file directory (uploads, job progress), as the test process sees it.
        "FANGPIN_VAR_DIR": str(Path(settings.FANGPIN["IMPORT_DIR"]).parent),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "fangpin", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_leaves_nothing_and_a_rerun_completes(tmp_path):
    from fangpin.synth.county import write_county

    paths = write_county(tmp_path, households=4000, seed=7)
    loader = _cli("load-areas", str(paths["areas"]))
    assert loader.wait(timeout=120) == 0
    proc = _cli("import-registry", str(paths["registry"]), "--accept")
    deadline = time.monotonic() + 240
    while not ImportBatch.objects.filter(status=ImportStatus.APPLYING).exists():
        assert proc.poll() is None, proc.stdout.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0
    killed = ImportBatch.objects.get(status=ImportStatus.APPLYING)
    rerun = _cli("import-registry", str(paths["registry"]), "--accept")
    output = rerun.communicate(timeout=600)[0].decode()
    assert rerun.returncode == 0, output
    assert "Traceback" not in output and "Error" not in output
    # The command ran as a job: the rerun found the killed one dead, and its batch says so.
    killed.refresh_from_db()
    assert killed.status == ImportStatus.FAILED and "导入任务意外中断" in killed.message
    assert Household.objects.count() == 4000
    assert (
        Person.objects.filter(status="active").count() == paths["registry"].read_text(encoding="utf-8").count("\n") - 1
    )
