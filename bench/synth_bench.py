"""BM: `fangpin synth` throughput against a straightforward row-by-row generator.

The peer writes the same columns for the same number of households with
Python's `random` and `csv` modules, one row at a time: what a first version
of a generator usually looks like.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.common import median_of, write_result
from fangpin.core.idnumber import check_digit
from fangpin.registry.importing.schema import HEADERS
from fangpin.synth import names as nm
from fangpin.synth.county import write_county


def naive_county(path: Path, households: int, seed: int) -> None:
    rng = random.Random(seed)
    surnames, weights = zip(*nm.SURNAMES, strict=True)
    seqs: dict[tuple[str, date], int] = {}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for h in range(households):
            size = rng.choices([1, 2, 3, 4, 5, 6, 7], [13, 27, 21, 19, 12, 6, 2])[0]
            family = rng.choices(surnames, weights)[0]
            village = f"231299{rng.randint(1, 15):03d}{rng.randint(1, 7):03d}"
            for m in range(size):
                born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 30000))
                male = rng.random() < 0.5
                key = ("231299", born)
                seqs[key] = seqs.get(key, 0) + 1
                first17 = f"231299{born:%Y%m%d}{seqs[key] * 2 + (1 if male else 0):03d}"
                row = dict.fromkeys(HEADERS, "")
                row.update(
                    {
                        "户编号": f"{village}{h:08d}",
                        "行政区划代码": village,
                        "姓名": family + rng.choice(nm.MALE_CHARS if male else nm.FEMALE_CHARS),
                        "证件号码": first17 + check_digit(first17),
                        "与户主关系": "户主" if m == 0 else "之子",
                        "性别": "男" if male else "女",
                        "出生日期": born.isoformat(),
                        "劳动技能": "普通劳动力",
                        "健康状况": rng.choice(["健康", "长期慢性病", "残疾"]),
                        "是否参加城乡居民基本医疗保险": "是" if rng.random() < 0.97 else "否",
                    }
                )
                if m == 0:
                    row.update(
                        {
                            "户类型": rng.choice(["一般农户", "脱贫户"]),
                            "收入年度": "2025",
                            "工资性收入": f"{rng.lognormvariate(9.5, 0.4):.2f}",
                            "生产经营性收入": f"{rng.lognormvariate(8.5, 0.6):.2f}",
                        }
                    )
                writer.writerow([row[k] for k in HEADERS])


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    peer_households = min(households, 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ours, ours_runs = median_of(3, lambda: write_county(out / "ours", households=households, seed=1))
        peer, peer_runs = median_of(1, lambda: naive_county(out / "peer.csv", peer_households, 1))
    ours_rate = households / ours
    peer_rate = peer_households / peer
    write_result(
        "synth_throughput",
        ratio=ours_rate / peer_rate,
        ratio_means="households per second, fangpin synth ÷ row-by-row Python generator (higher is better)",
        target="≥ 100,000 households/s (issue 2)",
        figures={
            "households": households,
            "ours_seconds_median": round(ours, 3),
            "ours_runs": ours_runs,
            "ours_households_per_s": round(ours_rate),
            "peer_households": peer_households,
            "peer_seconds": round(peer, 3),
            "peer_runs": peer_runs,
            "peer_households_per_s": round(peer_rate),
            "note": "both write a CSV of the registry import format; ours includes areas.csv",
        },
        command=f"make bench BENCH_ARGS='synth --households {households}'",
    )


if __name__ == "__main__":
    main()
