"""`fangpin link LEFT RIGHT --config CONFIG.toml --out DIR` → DIR/links.csv
(left_id,right_id,probability,band; at most one link per right-hand record)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangpin.datafeeds.core.linking import ConfigError, link_tables, load_config, summary, write_links


class Command(BaseCommand):
    help = "链接任意两张表（CSV或Parquet），输出 links.csv"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("left")
        parser.add_argument("right")
        parser.add_argument("--config", required=True)
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        left, right = Path(opts["left"]), Path(opts["right"])
        for path in (left, right):
            if not path.is_file():
                raise CommandError(f"找不到文件：{path}")
        try:
            left_cols, right_cols, thresholds = load_config(Path(opts["config"]))
        except ConfigError as exc:
            raise CommandError(str(exc)) from exc
        today = date.today()  # noqa: DTZ011 - the local calendar date
        con, report = link_tables(
            left, right, left_cols=left_cols, right_cols=right_cols, thresholds=thresholds, today=today
        )
        target = write_links(con, Path(opts["out"]))
        self.stdout.write(f"{target}: {summary(report)}")
