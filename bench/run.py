"""`make bench [BENCH_ARGS='NAME --households N']`: run benchmarks, each in its own process.

Names: synth, import, search, monitoring (PostgreSQL at BENCH_PG, default
postgres://postgres@127.0.0.1:5432), all (default).  Results: bench/results/*.json.
"""

from __future__ import annotations

import argparse

from bench.common import run_module

DEFAULTS = {"synth": 1_000_000, "import": 100_000, "search": 320_000, "monitoring": 30_000}
MODULES = {
    "synth": "bench.synth_bench",
    "import": "bench.import_bench",
    "search": "bench.search_bench",
    "monitoring": "bench.monitoring_bench",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", nargs="?", default="all", choices=[*MODULES, "all"])
    parser.add_argument("--households", type=int, default=None)
    args = parser.parse_args()
    names = list(MODULES) if args.name == "all" else [args.name]
    for name in names:
        households = args.households or DEFAULTS[name]
        print(f"== {name} ({households} households) ==", flush=True)
        run_module(MODULES[name], str(households))


if __name__ == "__main__":
    main()
