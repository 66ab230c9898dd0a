"""Background jobs: imports, exports and feed runs never run in a request.

A handler is registered per kind.  Progress goes to a small JSON file (not the
database) so that it can be read while the job's own transaction is open,
even on SQLite.  Modes (settings FANGPIN["JOB_MODE"]):

* ``spawn``  start ``python -m fangpin run-job ID`` after commit (demo default);
* ``worker`` leave it queued for ``fangpin worker``;
* ``inline`` run it at once in this process (tests).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.core.errors import DomainError
from fangpin.core.models import Job, JobStatus

log = logging.getLogger(__name__)
Handler = Callable[[Job, "Progress"], dict[str, Any]]
FailureHook = Callable[[Job], None]
_HANDLERS: dict[str, Handler] = {}
# Per kind: what the job's own object (an import batch, a feed run) must say once the
# job has failed, whether it raised or its process died; called from the one place
# that decides a job failed, so no object is left "running" for ever.
_ON_FAILURE: dict[str, FailureHook] = {}
# Jobs this process is running now: a RUNNING job that carries our pid but is not one
# of these belonged to an earlier process that had the same pid (a restarted container).
_RUNNING_HERE: set[int] = set()


def register(kind: str, *, on_failure: FailureHook | None = None) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        if on_failure is not None:
            _ON_FAILURE[kind] = on_failure
        return fn

    return deco


def _failed(job: Job) -> None:
    hook = _ON_FAILURE.get(job.kind)
    if hook is None:
        return
    try:
        hook(job)
    except Exception:
        # The job is already marked failed; a broken hook must not hide that.
        log.error("failure hook of job %s failed:\n%s", job.pk, traceback.format_exc())


def _progress_path(job_id: int) -> Path:
    root = Path(settings.FANGPIN["IMPORT_DIR"]).parent / "jobs"
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{job_id}.json"


class Progress:
    """Reports progress to the file the progress view reads (throttled)."""

    def __init__(self, job_id: int, on_update: Callable[[int, int, str], None] | None = None) -> None:
        self.job_id = job_id
        self.on_update = on_update
        self._last = 0.0
        self.done = 0
        self.total = 0
        self.phase = ""

    def update(self, done: int, total: int | None = None, phase: str | None = None, *, force: bool = False) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if phase is not None:
            self.phase = phase
        now = time.monotonic()
        if force or now - self._last > 0.3:
            self._last = now
            path = _progress_path(self.job_id)
            # Per process: parallel test workers (one database each) reuse job ids.
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"done": self.done, "total": self.total, "phase": self.phase}))
            tmp.replace(path)
        if self.on_update:
            self.on_update(self.done, self.total, self.phase)


def read_progress(job_id: int) -> dict[str, Any]:
    try:
        return json.loads(_progress_path(job_id).read_text())
    except (OSError, ValueError):
        return {"done": 0, "total": 0, "phase": ""}


def job_enqueue(*, kind: str, params: dict[str, Any], user: Any, identity_key: str | None = None) -> Job:
    """Create a job (one per identity key: a double click starts one job)."""
    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind}")
    if identity_key:
        existing = Job.objects.filter(identity_key=identity_key).first()
        if existing and existing.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            return existing
        if existing:
            # A finished job frees its key for a re-run.
            Job.objects.filter(pk=existing.pk).update(identity_key=None)
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=kind, params=params, requested_by=user, identity_key=identity_key)
    except IntegrityError:
        return Job.objects.get(identity_key=identity_key)
    mode = settings.FANGPIN["JOB_MODE"]
    if mode == "inline":
        job_run(job.pk)
        job.refresh_from_db()
    elif mode == "spawn":
        transaction.on_commit(lambda: _spawn(job.pk))
    return job


def job_run_here(
    *, kind: str, params: dict[str, Any], user: Any, progress_cb: Callable[[int, int, str], None] | None = None
) -> Job:
    """Run a job in this process (the command line): recorded like any job, so that a
    killed command is found dead and its object marked failed like a killed worker."""
    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind}")
    job_reap_dead()
    job = Job.objects.create(kind=kind, params=params, requested_by=user)
    return job_run(job.pk, progress_cb=progress_cb)


def _spawn(job_id: int) -> None:
    logdir = Path(settings.FANGPIN["IMPORT_DIR"]).parent / "jobs"
    logdir.mkdir(parents=True, exist_ok=True)
    with open(logdir / f"{job_id}.log", "ab") as out:
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "fangpin", "run-job", str(job_id)],
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")},
        )


def job_run(job_id: int, *, progress_cb: Callable[[int, int, str], None] | None = None) -> Job:
    """Run one job to its end, recording success or a Chinese failure message."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), pid=os.getpid()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    progress = Progress(job.pk, progress_cb)
    _RUNNING_HERE.add(job.pk)
    try:
        result = _HANDLERS[job.kind](job, progress)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, result=result or {}, finished_at=timezone.now(), message=""
        )
    except DomainError as exc:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=exc.message, finished_at=timezone.now())
    except Exception:
        log.error("job %s failed:\n%s", job.pk, traceback.format_exc())
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message="任务运行出错，已全部回滚，未写入任何数据；请联系系统管理员查看日志后重试。",
        )
    finally:
        _RUNNING_HERE.discard(job.pk)
    progress.update(progress.done, phase="finished", force=True)
    job.refresh_from_db()
    if job.status == JobStatus.FAILED:
        _failed(job)
    return job


def job_reap_dead() -> int:
    """Mark jobs whose process died (killed, power loss) as failed so they can be re-run."""
    count = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING).exclude(pid=None):
        if _alive(job.pid) and not (job.pid == os.getpid() and job.pk not in _RUNNING_HERE):
            continue
        if Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message="任务进程意外中断，未写入任何数据；可以重新运行。",
        ):
            job.refresh_from_db()
            _failed(job)
            count += 1
    return count


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is dead too.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return True


def worker_loop(*, once: bool = False, sleep: float = 1.0) -> None:
    while True:
        job_reap_dead()
        job = Job.objects.filter(status=JobStatus.QUEUED).order_by("id").first()
        if job is not None:
            job_run(job.pk)
        elif once:
            return
        else:
            time.sleep(sleep)
