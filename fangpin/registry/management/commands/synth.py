import time
from pathlib import Path

from django.core.management.base import BaseCommand

from fangpin.synth.county import write_county


class Command(BaseCommand):
    help = "生成一个合成县（行政区划 areas.csv + 农户信息 registry.csv/.xlsx，导入格式）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--households", type=int, default=30000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--encoding", default="utf-8", help="CSV 编码：utf-8 或 gb18030")

    def handle(self, *args, households: int, seed: int, out: str, format: str, encoding: str, **opts):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        paths = write_county(Path(out), households=households, seed=seed, fmt=format, encoding=encoding)
        took = time.perf_counter() - started
        for kind, path in paths.items():
            self.stdout.write(f"{kind}: {path}")
        self.stdout.write(f"{households} 户，用时 {took:.2f} 秒（{households / took:,.0f} 户/秒）")
