"""Job kinds of the data-feed app."""

from fangpin.core.jobs import job_reap_dead, register
from fangpin.core.models import Job
from fangpin.datafeeds.models import FeedRun, RunStatus
from fangpin.datafeeds.services import JOB_KIND, run_feed_job

RUN_DIED = "比对任务意外中断，未写入任何预警；请重新上传同一文件再次比对。"


def feed_job_failed(job: Job) -> None:
    """Failure hook: a run whose job raised or was killed leaves 排队中/比对中 for 失败.
    A failure the run recorded itself (a file it cannot read) keeps its own reason."""
    FeedRun.objects.filter(pk=job.params.get("run"), status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).update(
        status=RunStatus.FAILED, message=RUN_DIED
    )


def feed_run_refresh(run: FeedRun) -> FeedRun:
    """A run in progress, re-read after the dead-job check, so a killed run shows as failed."""
    if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        job_reap_dead()
        run.refresh_from_db()
    return run


register(JOB_KIND, on_failure=feed_job_failed)(run_feed_job)
