"""`fangpin import-registry FILE [--accept]`: the staged import on the command line."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fangpin.core.actor import Actor
from fangpin.core.errors import DomainError
from fangpin.core.jobs import job_run_here
from fangpin.core.models import Channel, JobStatus
from fangpin.registry.importing.report import issues_xlsx
from fangpin.registry.importing.services import earlier_import, import_create
from fangpin.registry.models import ImportBatch, ImportStatus

LABELS = {
    "households_created": "新增户",
    "households_updated": "更新户",
    "households_unchanged": "未变户",
    "persons_created": "新增人",
    "persons_updated": "更新人",
    "persons_unchanged": "未变人",
    "snapshots_created": "新增收支记录",
    "snapshots_updated": "更新收支记录",
    "heads_changed": "变更户主",
    "conflicts": "冲突跳过",
}


class Command(BaseCommand):
    help = "导入农户信息（XLSX 或 CSV）：先逐行校验并报告问题；加 --accept 才写入无误的户"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--accept", action="store_true", help="校验后写入所有无误的户")
        parser.add_argument("--user", help="记在此用户名下（按其管辖范围校验）")
        parser.add_argument("--report", help="问题清单 XLSX 的保存路径（默认：文件名.问题清单.xlsx）")

    def handle(self, *args, file: str, accept: bool, user: str | None, report: str | None, **opts):
        console = Console()
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        actor_user = self._user(user)
        actor = Actor(user=actor_user, channel=Channel.COMMAND)
        try:
            with open(path, "rb") as fh:
                batch = import_create(actor=actor, stream=fh, file_name=path.name, start=False)
            with self._bar(console) as bar:
                task = bar.add_task("校验", total=None)
                batch = self._run("registry.import.validate", batch, actor_user, bar, task)
            if batch.status == ImportStatus.FAILED:
                raise CommandError(batch.message)
            self._summary(console, batch)
            if batch.issues.exists():
                out = Path(report) if report else path.with_name(path.name + ".问题清单.xlsx")
                out.write_bytes(issues_xlsx(batch))
                console.print(f"问题清单：{out}")
                for issue in batch.issues.all()[:20]:
                    console.print(f"  第{issue.row}行 [{issue.column}] {issue.value} — {issue.message}")
            previous = earlier_import(batch)
            if previous:
                console.print(
                    f"提示：同一文件已于 {previous.applied_at:%Y-%m-%d %H:%M} 导入（批次 #{previous.pk}）；"
                    "再次导入不会改变数据。"
                )
            if not accept:
                console.print(f"批次 #{batch.pk} 已校验，未写入。确认无误后加 --accept 重新运行。")
                return
            if not batch.stats.get("households_ok"):
                raise CommandError("没有无误的户可以导入。")
            with self._bar(console) as bar:
                task = bar.add_task("写入", total=4)
                batch = self._run("registry.import.apply", batch, actor_user, bar, task)
            if batch.status != ImportStatus.APPLIED:
                raise CommandError(batch.message or "导入失败，未写入任何数据。")
            applied = batch.stats.get("applied", {})
            console.print("已导入：" + "，".join(f"{LABELS[k]} {v}" for k, v in applied.items() if k in LABELS))
        except DomainError as exc:
            raise CommandError("\n".join([exc.message, *exc.reasons[:30]])) from exc

    def _run(self, kind: str, batch: ImportBatch, user, bar: Progress, task) -> ImportBatch:
        # As a job run in this process: a killed command is found dead like a killed
        # worker, and its batch says so instead of staying 校验中/导入中.
        job = job_run_here(
            kind=kind,
            params={"batch": batch.pk, "channel": Channel.COMMAND},
            user=user,
            progress_cb=lambda d, t, p: bar.update(task, completed=d, total=t),
        )
        batch.refresh_from_db()
        if job.status == JobStatus.FAILED and batch.status != ImportStatus.FAILED:
            raise CommandError(job.message)
        return batch

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        return user

    def _bar(self, console: Console) -> Progress:
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )

    def _summary(self, console: Console, batch) -> None:
        stats = batch.stats
        table = Table(title=f"批次 #{batch.pk}：{batch.file_name}（{batch.encoding}）")
        table.add_column("项目")
        table.add_column("数量", justify="right")
        table.add_row("数据行", str(stats["rows"]))
        table.add_row("无误的户（可导入）", str(stats["households_ok"]))
        table.add_row("有问题的户（不导入）", str(stats["households_rejected"]))
        table.add_row("问题条数", str(stats["issues"]))
        for key, value in stats.get("preview", {}).items():
            if key in LABELS:
                table.add_row("预计" + LABELS[key], str(value))
        console.print(table)
        if stats.get("unknown_headers"):
            console.print("未识别的列（已忽略）：" + "、".join(stats["unknown_headers"]))
