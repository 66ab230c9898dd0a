"""`fangpin describe-workflows`: regenerate the state diagrams in docs/monitoring.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fangpin.monitoring.docs_gen import DOC, workflows_markdown, write_docs


class Command(BaseCommand):
    help = "从 monitoring/workflow.py 的状态转移表生成 docs/monitoring.md 中的流程图（--print 只输出）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--print", action="store_true", help="只输出到屏幕，不改文件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print"]:
            self.stdout.write(workflows_markdown())
            return
        changed = write_docs()
        self.stdout.write(f"{DOC}: {'已更新' if changed else '无变化'}")
