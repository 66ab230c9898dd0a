from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.areas.services import areas_load_csv
from fangpin.core.actor import Actor
from fangpin.core.errors import DomainError


class Command(BaseCommand):
    help = "从CSV导入行政区划（列：区划代码,名称,层级,上级代码）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **opts):
        try:
            result = areas_load_csv(actor=Actor.command(), path=Path(file))
        except DomainError as exc:
            raise CommandError("\n".join([exc.message, *exc.reasons[:50]])) from exc
        self.stdout.write(f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
