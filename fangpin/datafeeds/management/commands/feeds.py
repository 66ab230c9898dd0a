"""`fangpin feeds run FILE --source SOURCE --period YYYY-MM`: compare one department file now.

Also `fangpin feeds sources` (the declared sources and their columns) and
`fangpin feeds sync` (copy clue verification outcomes onto the warnings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fangpin.core.actor import Actor
from fangpin.core.errors import DomainError
from fangpin.core.jobs import job_run
from fangpin.core.models import Job
from fangpin.datafeeds.core.sources.departments import SOURCES
from fangpin.datafeeds.services import JOB_KIND, feed_run_create, warning_sync_outcomes


class Command(BaseCommand):
    help = "部门数据比对：feeds run 文件 --source 来源 --period 年-月；feeds sources；feeds sync"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["run", "sources", "sync"])
        parser.add_argument("file", nargs="?")
        parser.add_argument("--source", choices=[s.code for s in SOURCES])
        parser.add_argument("--period", help="数据期间，如 2026-10")
        parser.add_argument("--user", help="以哪个用户的身份运行（县级管理员或部门联络员的用户名）")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "sources":
            for s in SOURCES:
                self.stdout.write(f"{s.code}\t{s.label}\t" + "、".join(c.label for c in s.columns))
            return
        user = self._user(opts.get("user"))
        if opts["action"] == "sync":
            self.stdout.write(f"已同步 {warning_sync_outcomes(actor=Actor.command(user))} 条预警的核实结果")
            return
        if not (opts.get("file") and opts.get("source") and opts.get("period")):
            raise CommandError("用法：fangpin feeds run 文件 --source 来源 --period 年-月")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        # This command runs the job itself, in this process, with a progress bar.
        settings.FANGPIN["JOB_MODE"] = "worker"
        try:
            with open(path, "rb") as fh, _bar() as bar:
                task = bar.add_task("排队", total=6)
                run = feed_run_create(
                    actor=Actor.command(user),
                    source=opts["source"],
                    period=opts["period"],
                    stream=fh,
                    file_name=path.name,
                )
                job = Job.objects.filter(kind=JOB_KIND, params__run=run.pk).order_by("-id").first()
                if job is not None and job.status == "queued":
                    job_run(
                        job.pk, progress_cb=lambda d, t, p: bar.update(task, completed=d, total=t or 6, description=p)
                    )
                run.refresh_from_db()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"批次 #{run.pk}：{run.get_status_display()} {run.message}")
        for key, value in sorted(run.stats.items()):
            if key != "feedback":
                self.stdout.write(f"  {key}: {value}")

    def _user(self, username: str | None) -> Any:
        model = get_user_model()
        if username:
            user = model.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"用户不存在：{username}")
            return user
        user = model.objects.filter(role="county_admin", is_active=True).order_by("id").first()
        if user is None:
            raise CommandError("需要一个县级管理员用户（--user 指定）。")
        return user


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn()
    )
