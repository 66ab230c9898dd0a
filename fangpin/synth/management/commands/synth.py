import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fangpin.synth.county import write_county
from fangpin.synth.feeds import registry_from_import_csv, write_feeds


class Command(BaseCommand):
    help = "生成一个合成县（行政区划 areas.csv + 农户信息 registry.csv/.xlsx，导入格式）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=30000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--encoding", default="utf-8", help="CSV 编码：utf-8 或 gb18030")
        parser.add_argument("--feeds", action="store_true", help="同时生成11个部门的比对数据（含噪声和真值标签）")
        parser.add_argument("--feed-rows", type=int, default=0, help="每个部门的行数（默认：人数的10%%）")
        parser.add_argument("--period", default="2026-10", help="部门数据期间 YYYY-MM")

    def handle(self, *args: Any, households: int, seed: int, out: str, format: str, encoding: str, **opts: Any) -> None:
        started = time.perf_counter()
        paths = write_county(Path(out), households=households, seed=seed, fmt=format, encoding=encoding)
        took = time.perf_counter() - started
        for kind, path in paths.items():
            self.stdout.write(f"{kind}: {path}")
        self.stdout.write(f"{households} 户，用时 {took:.2f} 秒（{households / took:,.0f} 户/秒）")
        if opts.get("feeds"):
            registry_csv = Path(out) / "registry.csv"
            if not registry_csv.exists():
                self.stderr.write("生成部门数据需要CSV格式的农户信息（--format csv）。")
                return
            reg = registry_from_import_csv(registry_csv)
            rows = opts.get("feed_rows") or max(100, reg.height // 10)
            feeds = write_feeds(reg, Path(out) / "feeds", rows=rows, seed=seed + 100, period=opts["period"])
            for code, path in feeds.items():
                self.stdout.write(f"{code}: {path}")
