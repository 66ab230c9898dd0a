"""An import job that raises or dies leaves its batch failed, with a Chinese reason on the
page, and the batch can be run again (issue 12 §2, "Batches stuck")."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from fangpin.core.models import Job, JobStatus
from fangpin.registry.models import ImportBatch, ImportStatus, Person

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"
GOOD = FIXTURES / "registry_good.csv"


def _upload(client) -> ImportBatch:  # type: ignore[no-untyped-def]
    with open(GOOD, "rb") as fh:
        response = client.post(reverse("registry:import-list"), {"file": fh})
    assert response.status_code == 302
    return ImportBatch.objects.latest("id")


def _page(client, batch: ImportBatch) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("registry:import-detail", args=[batch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _imported() -> int:
    return Person.objects.filter(household__national_household_code__startswith="T").count()


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])  # noqa: S607 - a process that is gone once waited for
    proc.wait()
    return proc.pid


def _killed_job(batch: ImportBatch, kind: str, status: str, *, pid: int) -> Job:
    """What a job killed in its process leaves: its row still running, its batch half way."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    key = "import-apply-" if kind.endswith("apply") else "import-validate-"
    Job.objects.filter(identity_key=f"{key}{batch.pk}").update(identity_key=None)
    return Job.objects.create(
        kind=kind, params={"batch": batch.pk}, status=JobStatus.RUNNING, pid=pid, identity_key=f"{key}{batch.pk}"
    )


def _assert_failed_in_chinese(page: str, batch: ImportBatch) -> None:
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "导入任务意外中断" in batch.message
    assert batch.message in page and "失败" in page
    assert "Traceback" not in page and "Error" not in page


def test_a_validation_that_crashes_shows_failed_and_can_be_validated_again(world, client_as, monkeypatch):
    client = client_as("county_admin_a")

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("validator crashed")

    with monkeypatch.context() as patch:
        patch.setattr("fangpin.registry.importing.services.validate_table", crash)
        batch = _upload(client)
    page = _page(client, batch)
    _assert_failed_in_chinese(page, batch)
    assert "请重新校验" in batch.message and 'data-testid="revalidate"' in page
    response = client.post(reverse("registry:import-revalidate", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.message == ""
    client.post(reverse("registry:import-accept", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and _imported() == 18


def test_an_apply_that_crashes_half_way_writes_nothing_and_can_be_run_again(world, client_as, monkeypatch):
    client = client_as("county_admin_a")
    batch = _upload(client)
    assert batch.status == ImportStatus.VALIDATED

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("crashed after households and persons were written")

    with monkeypatch.context() as patch:
        patch.setattr("fangpin.registry.importing.apply._snapshots", crash)
        client.post(reverse("registry:import-accept", args=[batch.pk]))
    page = _page(client, batch)
    _assert_failed_in_chinese(page, batch)
    assert "未写入任何数据" in batch.message and 'data-testid="reapply"' in page
    assert _imported() == 0
    client.post(reverse("registry:import-accept", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and _imported() == 18


def test_a_killed_apply_job_shows_failed_and_a_rerun_completes(world, client_as):
    client = client_as("county_admin_a")
    batch = _upload(client)
    job = _killed_job(batch, "registry.import.apply", ImportStatus.APPLYING, pid=_dead_pid())
    page = _page(client, batch)
    _assert_failed_in_chinese(page, batch)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    # The job row of the killed run keeps its identity key until the re-run frees it.
    response = client.post(reverse("registry:import-accept", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED and _imported() == 18


def test_a_killed_validation_job_shows_failed_and_can_be_validated_again(world, client_as):
    client = client_as("county_admin_a")
    batch = _upload(client)
    ImportBatch.objects.filter(pk=batch.pk).update(validated_at=None)
    _killed_job(batch, "registry.import.validate", ImportStatus.VALIDATING, pid=_dead_pid())
    page = _page(client, batch)
    _assert_failed_in_chinese(page, batch)
    assert 'data-testid="reapply"' not in page  # never validated: nothing to apply yet
    client.post(reverse("registry:import-revalidate", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED


def test_a_job_left_with_a_pid_this_process_now_has_is_found_dead(world, client_as):
    # A restarted container gives the new process the pid the killed one had.
    client = client_as("county_admin_a")
    batch = _upload(client)
    _killed_job(batch, "registry.import.apply", ImportStatus.APPLYING, pid=os.getpid())
    _assert_failed_in_chinese(_page(client, batch), batch)


def test_a_batch_that_is_not_failed_cannot_be_validated_again(world, client_as):
    client = client_as("county_admin_a")
    batch = _upload(client)
    response = client.post(reverse("registry:import-revalidate", args=[batch.pk]))
    assert response.status_code == 400
    assert "只有失败的批次可以重新校验" in response.content.decode()


@pytest.mark.parametrize("username", ["village_a1a", "county_admin_b"])
def test_others_cannot_validate_a_batch_again(world, client_as, username):
    batch = _upload(client_as("county_admin_a"))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED)
    response = client_as(username).post(reverse("registry:import-revalidate", args=[batch.pk]))
    assert response.status_code in (403, 404)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED


def test_the_batch_list_shows_a_killed_batch_as_failed(world, client_as):
    client = client_as("county_admin_a")
    batch = _upload(client)
    _killed_job(batch, "registry.import.apply", ImportStatus.APPLYING, pid=_dead_pid())
    page = client.get(reverse("registry:import-list")).content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "导入中" not in page
