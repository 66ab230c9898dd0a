"""`make bench [BENCH_ARGS='NAME --households N']`: run benchmarks, each in its own process.

Names: synth, import, search, monitoring (PostgreSQL at BENCH_PG, default
postgres://postgres@127.0.0.1:5432), feeds_exact, feeds_fuzzy, feeds_monthly, feeds_rules,
feeds_read, all (default).  `--rows` is an alias of `--households` (the data-feed benchmarks count
persons/rows).  Results: bench/results/*.json.
"""

from __future__ import annotations

import argparse

from bench.common import run_module

DEFAULTS = {
    "synth": 1_000_000,
    "import": 100_000,
    "search": 320_000,
    "monitoring": 30_000,
    # Data feeds (sizes = registry persons; feeds_read = XLSX rows).  Full sizes of issue 4:
    # feeds_exact --rows 10000000, feeds_fuzzy --rows 1000000, feeds_monthly --rows 10000000,
    # feeds_rules --rows 10000000.
    "feeds_exact": 200_000,
    "feeds_fuzzy": 200_000,
    "feeds_monthly": 200_000,
    "feeds_rules": 200_000,
    "feeds_read": 100_000,
}
MODULES = {
    "synth": "bench.synth_bench",
    "import": "bench.import_bench",
    "search": "bench.search_bench",
    "monitoring": "bench.monitoring_bench",
    "feeds_exact": "bench.feeds_exact",
    "feeds_fuzzy": "bench.feeds_fuzzy",
    "feeds_monthly": "bench.feeds_monthly",
    "feeds_rules": "bench.feeds_rules",
    "feeds_read": "bench.feeds_read",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", nargs="?", default="all", choices=[*MODULES, "all"])
    parser.add_argument("--households", "--rows", dest="households", type=int, default=None)
    args = parser.parse_args()
    names = list(MODULES) if args.name == "all" else [args.name]
    for name in names:
        households = args.households or DEFAULTS[name]
        print(f"== {name} ({households} households) ==", flush=True)
        run_module(MODULES[name], str(households))


if __name__ == "__main__":
    main()
