"""BM-4 rules only: the compiled rule language against hand-written DuckDB SQL, file by file.

The monthly run (bench.feeds_monthly) times the rules inside a ~200 s pipeline on a busy machine;
this bench isolates them.  The registry is read into `reg` once; for each of the monthly run's 11
feed files the loaded `feed` and its `links` (exact + probabilistic linkage, as the monthly run
makes them) come from a Parquet cache under bench/data/feeds-rules-cache/ (built on the first run:
the probabilistic linkage takes ~10 s per file at 10M; delete the folder after changing the load or
the linkage; time a second run, the first one times right after each file's linkage).  As in the
monthly run, the registry is compressed by a checkpoint before any rule runs (`--uncompressed`: not).
Then, per file, ours
(`pipeline.evaluate_rules`, which builds table `hits`) and the peer (bench.feeds_monthly.HAND
inserted into `_hand`, exactly as the monthly run times it) run alternately, `--rounds` times each,
the one that goes first alternating.  Per-file medians; total = the sum of the medians.  Ours must
give the same DISTINCT (person_id, rule_code) set as the hand SQL for every file.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from decimal import Decimal
from pathlib import Path

from bench.feeds_common import data_dir, ensure_feed, ensure_registry
from bench.feeds_monthly import HAND, PERIOD, RUN_DAY

MODULE = "bench.feeds_rules"
# What pipeline.load and the linkage leave for one file (the views `_feed` and `feed` read them).
TABLES = ("_feed_data", "_feed_lines", "_id_fix", "links")


def _cache(con, code: str, path: Path, folder: Path, u: dict | None) -> dict | None:
    """The tables and views `pipeline.load` leaves for one file (`feed` is a view over them) and the
    table `links`, from the cache or made as the monthly run makes them (then cached)."""
    from fangpin.datafeeds.core import matching, pipeline
    from fangpin.datafeeds.core.sources.departments import get_source

    stem = folder / path.name.split(".")[0]
    meta = Path(f"{stem}.views.json")
    if not meta.exists():
        started = time.perf_counter()
        for table in TABLES:  # none left over from the previous file
            con.execute(f"DROP TABLE IF EXISTS {table}")
        pipeline.load(con, path, get_source(code), today=RUN_DAY)
        matching.link_exact(con)
        u = matching.link_fuzzy(con, reuse_registry_features=True, u=u).u or u
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
        tables = [t for t in TABLES if t in present]
        for table in tables:
            con.execute(f"COPY {table} TO '{stem}.{table}.parquet' (FORMAT parquet)")
        views = dict(
            con.execute("SELECT view_name, sql FROM duckdb_views() WHERE view_name IN ('_feed', 'feed')").fetchall()
        )
        meta.write_text(json.dumps({"tables": tables, "views": [views["_feed"], views["feed"]]}))
        print(f"  cached {code} in {time.perf_counter() - started:.1f}s", flush=True)
    cached = json.loads(meta.read_text())
    con.execute("SET preserve_insertion_order = true")
    for table in cached["tables"]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_parquet('{stem}.{table}.parquet')")
    for sql in cached["views"]:
        con.execute(re.sub(r"^CREATE (TEMPORARY |TEMP )?VIEW", "CREATE OR REPLACE TEMP VIEW", sql.strip()))
    con.execute("SET preserve_insertion_order = false")  # as pipeline.load leaves it
    return u


def run(n: int, rows: int, rounds: int, only: set[str], *, compressed: bool = True) -> dict:
    from fangpin.datafeeds.core import pipeline
    from fangpin.datafeeds.core.sources.departments import SOURCES, get_source
    from fangpin.datafeeds.core.templates_rules import RULE_PARAMS, TEMPLATES

    params = {k: Decimal(v[0]) for k, v in RULE_PARAMS.items()}
    reg_path = ensure_registry(n)
    folder = data_dir("feeds-rules-cache") / f"reg-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    con = pipeline.connect()
    con.execute(f"CREATE TEMP TABLE reg AS SELECT * FROM read_parquet('{reg_path}')")
    # In the monthly run the first file's linkage writes enough for DuckDB's automatic checkpoint,
    # which compresses the in-memory `reg` (bit-packing, dictionary+FSST strings); every rule
    # evaluation there reads the compressed registry, and so does this one (unless told not to).
    if compressed:
        con.execute("CHECKPOINT temp")
    u = None
    per_file, mismatches = {}, {}
    for i, source in enumerate(SOURCES):
        path, _ = ensure_feed(reg_path, source.code, rows, seed=100 + i, fmt="gb18030" if i % 2 else "csv")
        if only and source.code not in only:
            continue
        u = _cache(con, source.code, path, folder, u)
        rules = [r for r in TEMPLATES if r.source == source.code]

        def ours(code=source.code, rules=rules) -> None:
            pipeline.evaluate_rules(con, rules, source=get_source(code), params=params, period=PERIOD, run_day=RUN_DAY)

        def hand(code=source.code) -> None:
            con.execute("CREATE OR REPLACE TEMP TABLE _hand(person_id BIGINT, rule_code VARCHAR)")
            for sql in HAND[code]:
                con.execute(f"INSERT INTO _hand SELECT DISTINCT * FROM ({sql})")

        times: dict[str, list[float]] = {"ours": [], "hand": []}
        for r in range(rounds):
            order = [("ours", ours), ("hand", hand)]
            for name, fn in order if r % 2 == 0 else order[::-1]:
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
        only_ours, only_hand, n_hits = con.execute(
            """SELECT (SELECT count(*) FROM (SELECT DISTINCT person_id, rule_code FROM hits
                                           EXCEPT SELECT person_id, rule_code FROM _hand)),
                      (SELECT count(*) FROM (SELECT DISTINCT person_id, rule_code FROM _hand
                                           EXCEPT SELECT person_id, rule_code FROM hits)),
                      (SELECT count(*) FROM hits)"""
        ).fetchall()[0]
        if only_ours or only_hand:
            mismatches[source.code] = {"only_ours": only_ours, "only_hand": only_hand}
        med = {k: statistics.median(v) for k, v in times.items()}
        per_file[source.code] = {
            "rules": len(rules),
            "hits": n_hits,
            "ours_s": round(med["ours"], 4),
            "hand_s": round(med["hand"], 4),
            "ratio": round(med["ours"] / med["hand"], 3),
            "ours_runs": [round(x, 4) for x in times["ours"]],
            "hand_runs": [round(x, 4) for x in times["hand"]],
        }
        print(
            f"  {source.code:28s} rules={len(rules)} hits={n_hits:6d} ours {med['ours']:.3f}s "
            f"hand {med['hand']:.3f}s ×{med['ours'] / med['hand']:.2f}",
            flush=True,
        )
    ours_total = sum(f["ours_s"] for f in per_file.values())
    hand_total = sum(f["hand_s"] for f in per_file.values())
    return {
        "ours_total_s": round(ours_total, 4),
        "hand_total_s": round(hand_total, 4),
        "files": per_file,
        "mismatches": mismatches,
        "rounds": rounds,
        "registry_compressed": compressed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=10_000_000, help="registry persons")
    parser.add_argument("--rows-per-feed", type=int, default=0, help="default: as feeds_monthly (n / 40)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated source codes (default: all 11)")
    parser.add_argument(
        "--uncompressed", action="store_true", help="leave `reg` as loaded (no checkpoint); not written as the result"
    )
    args = parser.parse_args()
    from bench.common import write_result

    rows = args.rows_per_feed or max(1000, args.n // 40)
    only = {c for c in args.only.split(",") if c}
    result = run(args.n, rows, args.rounds, only, compressed=not args.uncompressed)
    ratio = result["ours_total_s"] / max(result["hand_total_s"], 1e-9)
    print(f"total ours {result['ours_total_s']:.3f}s hand {result['hand_total_s']:.3f}s ×{ratio:.3f}", flush=True)
    if result["mismatches"]:
        raise SystemExit(f"ours and hand SQL disagree: {result['mismatches']}")
    if only or args.uncompressed:
        return  # a partial or uncompressed run is for looking, not the result
    write_result(
        f"feeds_rules_{args.n}",
        ratio=ratio,
        ratio_means="rule seconds (compiled rule language, pipeline.evaluate_rules) ÷ hand-written DuckDB SQL "
        "seconds, sum of per-file medians (lower is better)",
        target="≤ 1.3; same (person, rule) set as the hand SQL in every file",
        figures={"registry_persons": args.n, "feeds": len(result["files"]), "rows_per_feed": rows, **result},
        command=f"make bench BENCH_ARGS='feeds_rules --rows {args.n}'",
    )


if __name__ == "__main__":
    main()
