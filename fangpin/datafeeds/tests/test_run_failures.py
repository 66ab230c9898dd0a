"""A feed run whose job died says so on its page, and the same file runs again (issue 12 §2)."""

from __future__ import annotations

import subprocess

from django.urls import reverse

from fangpin.core.models import Job, JobStatus
from fangpin.datafeeds.models import FeedRun, RunStatus
from fangpin.datafeeds.services import JOB_KIND
from fangpin.datafeeds.tests.test_services import _rows, _upload


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])  # noqa: S607 - a process that is gone once waited for
    proc.wait()
    return proc.pid


def test_a_killed_feed_run_shows_failed_in_chinese_and_the_same_file_runs_again(world, actor_for, client_as):
    actor = actor_for("county_admin_a")
    run = _upload(actor, _rows())
    # What a run killed in its process leaves: its run 比对中 and its job row running.
    FeedRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, stats={})
    job = Job.objects.get(kind=JOB_KIND, params__run=run.pk)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, pid=_dead_pid())
    response = client_as("county_admin_a").get(reverse("datafeeds:run", args=[run.pk]))
    page = response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "比对任务意外中断" in run.message and run.message in page
    assert "Traceback" not in page and "Error" not in page
    again = _upload(actor, _rows())
    again.refresh_from_db()
    assert again.pk == run.pk and again.status == RunStatus.DONE and again.message == ""


def test_a_feed_run_whose_job_raises_outside_the_run_is_failed_too(world, actor_for, monkeypatch):
    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the job crashed before the run started")

    monkeypatch.setattr("fangpin.datafeeds.services.runs.feed_run_execute", crash)
    run = _upload(actor_for("county_admin_a"), _rows())
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "比对任务意外中断" in run.message
