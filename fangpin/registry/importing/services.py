"""The life of an import batch: upload → validate (job) → accept → apply (job).

Nothing reaches the registry until the operator accepts, and then everything
valid is applied in one transaction: a killed apply leaves nothing behind and
can simply be run again.
"""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import DomainError, InvalidInput
from fangpin.core.jobs import job_enqueue, job_reap_dead
from fangpin.core.models import AuditAction, Channel, Job, JobStatus
from fangpin.core.spreadsheet import read_table
from fangpin.core.uploads import copy_limited
from fangpin.registry.importing.apply import plan_and_apply
from fangpin.registry.importing.validate import Issue, StagedHousehold, validate_table
from fangpin.registry.models import ImportBatch, ImportIssue, ImportStatus
from fangpin.registry.services.common import require

Progress = Callable[[int, int, str], None]


def _batch_dir(batch: ImportBatch) -> Path:
    path = Path(settings.FANGPIN["IMPORT_DIR"]) / str(batch.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_path(batch: ImportBatch) -> Path:
    return _batch_dir(batch) / "source"


def import_create(*, actor: Actor, stream: BinaryIO, file_name: str, start: bool = True) -> ImportBatch:
    """Store an uploaded file as a new batch and start its validation."""
    require(actor, "registry.import")
    user = actor.user
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=Path(file_name).name[:255],
            file_sha256="",
            scope_code=user.area.code if user else "",
            created_by=user,
        )
        try:
            # Past FANGPIN_UPLOAD_MAX_BYTES the partial file is deleted and the upload refused.
            digest, size = copy_limited(stream, source_path(batch))
            if size == 0:
                raise InvalidInput("上传的文件是空的。")
        except BaseException:
            shutil.rmtree(_batch_dir(batch), ignore_errors=True)  # the batch row rolls back too
            raise
        batch.file_sha256, batch.file_size = digest, size
        batch.save(update_fields=["file_sha256", "file_size"])
        audit_log(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="import_batch",
            object_id=batch.pk,
            object_label=batch.file_name,
            area_code=batch.scope_code,
            changes={"sha256": [None, batch.file_sha256], "size": [None, size]},
            reason="上传待校验",
        )
    if start:
        job_enqueue(
            kind="registry.import.validate",
            params={"batch": batch.pk},
            user=user,
            identity_key=f"import-validate-{batch.pk}",
        )
    return batch


def earlier_import(batch: ImportBatch) -> ImportBatch | None:
    """An earlier batch of the same file that was applied, if any."""
    return (
        ImportBatch.objects.filter(file_sha256=batch.file_sha256, status=ImportStatus.APPLIED)
        .exclude(pk=batch.pk)
        .order_by("-id")
        .first()
    )


def import_validate(*, batch: ImportBatch, progress: Progress = lambda d, t, p: None) -> ImportBatch:
    """Read and check every row; stage the clean households; store the issues."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATING, message="")
    scope_area = batch.created_by.scope_area if batch.created_by else None
    try:
        table = read_table(source_path(batch))
        result = validate_table(table, scope_area=scope_area, progress=lambda d, t: progress(d, t, "校验"))
    except DomainError as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, message=exc.message)
        batch.refresh_from_db()
        return batch
    with open(_batch_dir(batch) / "staged.pickle", "wb") as out:
        pickle.dump(result.households, out, protocol=pickle.HIGHEST_PROTOCOL)
    actor = Actor(user=batch.created_by, channel=Channel.IMPORT, batch_ref=batch.ref)
    preview = plan_and_apply(result.households, actor=actor, dry_run=True)
    stats = {
        "rows": result.row_count,
        "households_ok": len(result.households),
        "households_rejected": result.rejected_households,
        "issues": len(result.issues),
        "unknown_headers": result.unknown_headers,
        "preview": preview.as_dict(),
    }
    with transaction.atomic():
        ImportIssue.objects.filter(batch=batch).delete()
        _store_issues(batch, result.issues)
        scope_code = batch.scope_code or (result.households[0].village_code[:6] + "000000" if result.households else "")
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.VALIDATED,
            stats=stats,
            encoding=table.encoding,
            validated_at=timezone.now(),
            scope_code=scope_code,
        )
    batch.refresh_from_db()
    return batch


def _store_issues(batch: ImportBatch, issues: list[Issue], *, prefix: str = "") -> None:
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                batch=batch,
                row=i.row,
                column=i.column[:60],
                value=i.value[:200],
                message=(prefix + i.message)[:500],
                household_code=i.household_code[:32],
            )
            for i in issues
        ],
        batch_size=2000,
    )


def _apply_job(batch: ImportBatch) -> Job | None:
    return Job.objects.filter(kind="registry.import.apply", params__batch=batch.pk).order_by("-id").first()


def import_accept(*, actor: Actor, batch: ImportBatch) -> Job:
    """The operator accepts: apply the clean households in the background."""
    require(actor, "registry.import")
    job_reap_dead()
    batch.refresh_from_db()
    running = _apply_job(batch)
    if batch.status == ImportStatus.APPLYING and running and running.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return running
    if (
        batch.status not in (ImportStatus.VALIDATED, ImportStatus.APPLYING, ImportStatus.FAILED)
        or not batch.validated_at
    ):
        raise InvalidInput("该批次当前不能导入（请等待校验完成，或已经导入过）。")
    if not batch.stats.get("households_ok"):
        raise InvalidInput("没有可导入的数据：所有户都有错误，请修改后重新上传。")
    return job_enqueue(
        kind="registry.import.apply",
        params={"batch": batch.pk},
        user=actor.user,
        identity_key=f"import-apply-{batch.pk}",
    )


def import_apply(*, batch: ImportBatch, actor: Actor, progress: Progress = lambda d, t, p: None) -> ImportBatch:
    """Write every staged household in one transaction, with its audit records."""
    with open(_batch_dir(batch) / "staged.pickle", "rb") as fh:
        staged: list[StagedHousehold] = pickle.load(fh)  # noqa: S301 - our own file
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.APPLYING, message="")
    with transaction.atomic():
        stats = plan_and_apply(staged, actor=actor, dry_run=False, progress=lambda d, t: progress(d, t, "写入"))
        _store_issues(batch, stats.conflict_issues, prefix="确认导入时系统中的数据已有变化，本户未导入：")
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.APPLIED,
            applied_at=timezone.now(),
            accepted_by=actor.user,
            stats={
                **batch.stats,
                "issues": batch.stats.get("issues", 0) + len(stats.conflict_issues),
                "applied": stats.as_dict(),
            },
        )
        audit_log(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="import_batch",
            object_id=batch.pk,
            object_label=batch.file_name,
            area_code=batch.scope_code,
            changes={k: [None, v] for k, v in stats.as_dict().items()},
            reason="确认导入",
        )
    batch.refresh_from_db()
    return batch


def import_discard(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    require(actor, "registry.import")
    if batch.status in (ImportStatus.APPLIED, ImportStatus.APPLYING):
        raise InvalidInput("已导入或正在导入的批次不能放弃。")
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.DISCARDED)
        audit_log(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="import_batch",
            object_id=batch.pk,
            object_label=batch.file_name,
            area_code=batch.scope_code,
            reason="放弃导入",
        )
    shutil.rmtree(_batch_dir(batch), ignore_errors=True)
    batch.refresh_from_db()
    return batch


def job_actor(job: Job, batch: ImportBatch) -> Actor:
    channel = job.params.get("channel") or Channel.IMPORT
    return Actor(user=job.requested_by, channel=channel, batch_ref=batch.ref)


def run_validate_job(job: Job, progress: Any) -> dict[str, Any]:
    batch = ImportBatch.objects.get(pk=job.params["batch"])
    batch = import_validate(batch=batch, progress=lambda d, t, p: progress.update(d, t, p))
    return {"status": batch.status}


def run_apply_job(job: Job, progress: Any) -> dict[str, Any]:
    batch = ImportBatch.objects.get(pk=job.params["batch"])
    batch = import_apply(batch=batch, actor=job_actor(job, batch), progress=lambda d, t, p: progress.update(d, t, p))
    return {"status": batch.status, **batch.stats.get("applied", {})}


# What a batch says once its job failed: raised, or its process was killed (found by
# the job runner's dead-process check). The state a dead job left is the state it set
# before it died, so only those states are replaced.
JOB_DIED = {
    "registry.import.validate": (
        (ImportStatus.UPLOADED, ImportStatus.VALIDATING),
        "导入任务意外中断，请重新校验。",
    ),
    "registry.import.apply": ((ImportStatus.APPLYING,), "导入任务意外中断，未写入任何数据，请重新导入。"),
}


def import_job_failed(job: Job) -> None:
    """Failure hook of the import jobs: the batch leaves 校验中/导入中 for 失败 with a reason."""
    states, message = JOB_DIED[job.kind]
    ImportBatch.objects.filter(pk=job.params.get("batch"), status__in=states).update(
        status=ImportStatus.FAILED, message=message
    )


def import_revalidate(*, actor: Actor, batch: ImportBatch) -> Job:
    """Run the validation of a failed batch again (its file is kept until it is discarded)."""
    require(actor, "registry.import")
    job_reap_dead()
    batch.refresh_from_db()
    if batch.status != ImportStatus.FAILED or not source_path(batch).exists():
        raise InvalidInput("只有失败的批次可以重新校验。")
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.UPLOADED, message="")
        audit_log(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="import_batch",
            object_id=batch.pk,
            object_label=batch.file_name,
            area_code=batch.scope_code,
            reason="重新校验",
        )
    return job_enqueue(
        kind="registry.import.validate",
        params={"batch": batch.pk},
        user=actor.user,
        identity_key=f"import-validate-{batch.pk}",
    )


def import_refresh(*, batch: ImportBatch) -> ImportBatch:
    """A batch that is being worked on, re-read after the dead-job check, so a killed job shows."""
    if batch.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.APPLYING):
        job_reap_dead()
        batch.refresh_from_db()
    return batch
