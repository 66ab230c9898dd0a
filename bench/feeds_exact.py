"""BM-1 exact-ID linkage: N feed rows × N registry persons.

Ours = the whole pipeline (read the CSV, type every column, repair/validate every ID column-wise,
record issues, join, write matched + unmatched Parquet).  Peers on the same files, each in its own
process: a bare DuckDB join (read CSV, join on the raw ID string, write Parquet), a pandas merge,
and a per-row Django ORM lookup (idnumber.parse + one query per row) on a 20k sample.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

from bench.feeds_common import ensure_feed, ensure_registry, peer_result, peer_start, run_peer

MODULE = "bench.feeds_exact"


def ours(feed: Path, reg: Path, out: Path) -> dict:
    from fangpin.datafeeds.core import matching, pipeline
    from fangpin.datafeeds.core.sources.departments import get_source

    started = time.perf_counter()
    con = pipeline.connect()
    load = pipeline.load(con, feed, get_source("medical_security"), today=date(2026, 11, 23))
    pipeline.registry_load(con, con.sql(f"SELECT person_id, id18 FROM read_parquet('{reg}')"))
    linked = matching.link_exact(con, carry="f.line, f.id_status")
    # Matched and unmatched rows from the one materialised join result.
    con.execute(f"COPY (SELECT rid, person_id, line FROM _exact WHERE person_id IS NOT NULL) TO '{out}/m.parquet'")
    con.execute(f"COPY (SELECT line, id_status FROM _exact WHERE person_id IS NULL) TO '{out}/u.parquet'")
    return {
        "seconds": time.perf_counter() - started,
        "linked": linked,
        "rows": load.rows,
        "python_id_rows": load.python_id_rows,
    }


def bare(feed: Path, reg: Path, out: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"CREATE TABLE f AS SELECT * FROM read_csv('{feed}', header=true, all_varchar=true)")
    con.execute(f"CREATE TABLE r AS SELECT person_id, id18 FROM read_parquet('{reg}')")
    con.execute(f"COPY (SELECT f.业务流水号, r.person_id FROM f JOIN r ON f.身份证号 = r.id18) TO '{out}/b.parquet'")
    linked = con.execute(f"SELECT count(*) FROM read_parquet('{out}/b.parquet')").fetchall()[0][0]
    return {"seconds": time.perf_counter() - started, "linked": linked}


def pandas_merge(feed: Path, reg: Path, out: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()
    f = pd.read_csv(feed, dtype=str)
    r = pd.read_parquet(reg, columns=["person_id", "id18"])
    m = f.merge(r, left_on="身份证号", right_on="id18", how="inner")
    m[["业务流水号", "person_id"]].to_parquet(out / "p.parquet")
    return {"seconds": time.perf_counter() - started, "linked": len(m)}


def orm(feed: Path, reg: Path, out: Path, sample: int = 20_000) -> dict:
    """Per-row lookups against a SQLite registry holding the persons the sample refers to (and more)."""
    import polars as pl

    db = out / "orm.sqlite3"
    db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["FANGPIN_VAR_DIR"] = str(out / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from fangpin.core import idnumber
    from fangpin.registry.models import Person

    call_command("migrate", verbosity=0)
    rows = pl.read_csv(feed, infer_schema=False, n_rows=sample)
    regf = pl.read_parquet(reg, columns=["person_id", "household_id", "id18", "name", "sex", "birth_date"])
    wanted = set(rows["身份证号"].drop_nulls().to_list())
    subset = pl.concat([regf.filter(pl.col("id18").is_in(list(wanted))), regf.head(50_000)]).unique("person_id")
    from fangpin.areas.models import Area
    from fangpin.registry.models import Household

    village = Area.objects.create(code="110000001001", name="村", level="village")
    Household.objects.bulk_create(
        [
            Household(
                id=h,
                national_household_code=f"H{h}",
                village=village,
                village_code=village.code,
                household_type="ordinary",
            )
            for h in subset["household_id"].unique().to_list()
        ],
        batch_size=5000,
    )
    Person.objects.bulk_create(
        [
            Person(
                id=p,
                household_id=h,
                id_number=i,
                name=n,
                gender=s,
                birth_date=b,
                relationship="other",
                labour_capacity="ordinary",
            )
            for p, h, i, n, s, b in subset.iter_rows()
        ],
        batch_size=5000,
    )
    ids = rows["身份证号"].to_list()
    started = time.perf_counter()
    linked = 0
    for raw in ids:
        try:
            number = idnumber.parse(raw).number
        except idnumber.IdNumberError:
            continue
        if Person.objects.filter(id_number=number).values_list("id", flat=True).first() is not None:
            linked += 1
    took = time.perf_counter() - started
    return {"seconds": took, "rows": len(ids), "rows_per_s": len(ids) / took, "linked": linked}


PEERS = {"ours": ours, "duckdb": bare, "pandas": pandas_merge, "orm": orm}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200_000)
    parser.add_argument("--peer")
    parser.add_argument("--feed")
    parser.add_argument("--reg")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", default=",".join(PEERS))
    args = parser.parse_args()
    if args.peer:
        peer_start()
        out = Path(args.feed).parent / f"out-{args.peer}"
        out.mkdir(exist_ok=True)
        peer_result(**PEERS[args.peer](Path(args.feed), Path(args.reg), out))
        return
    from bench.common import write_result

    reg = ensure_registry(args.n)
    feed, _ = ensure_feed(reg, "medical_security", args.n, seed=5)
    common = ("--feed", str(feed), "--reg", str(reg))
    chosen = args.peers.split(",")
    # Peers interleaved round by round, so machine load hits them alike.
    results: dict[str, list[dict]] = {name: [] for name in chosen}
    for round_ in range(args.repeat):
        for name in chosen:
            if name != "orm" or round_ == 0:
                results[name].append(run_peer(MODULE, name, *common))
    med = {name: statistics.median(r["seconds"] for r in runs) for name, runs in results.items()}
    rows = args.n
    ours_rps = rows / med["ours"]
    figures = {
        "feed_rows": rows,
        "registry_persons": args.n,
        "seconds_median": {k: round(v, 3) for k, v in med.items()},
        "runs": results,
        "ours_rows_per_s": round(ours_rps),
        "ratio_vs_pandas": round(med["ours"] / med["pandas"], 3) if "pandas" in med else None,
        "peak_rss_mib": {k: max(r["peak_rss_mib"] for r in v) for k, v in results.items()},
    }
    if "orm" in results:
        figures["orm_rows_per_s"] = round(results["orm"][0]["rows_per_s"])
        figures["ratio_rows_per_s_vs_orm"] = round(ours_rps / results["orm"][0]["rows_per_s"], 1)
    write_result(
        f"feeds_exact_{rows}",
        ratio=med["ours"] / med["duckdb"],
        ratio_means="whole pipeline seconds ÷ bare DuckDB join seconds on the same files (lower is better)",
        target="≤ 1.5",
        figures=figures,
        command=(
            f"make bench BENCH_ARGS='feeds_exact --rows {rows}'"
            if args.repeat == 3 and args.peers == ",".join(PEERS)
            else f".venv/bin/python -m bench.feeds_exact {rows} --repeat {args.repeat}"
            + ("" if args.peers == ",".join(PEERS) else f" --peers {args.peers}")
        ),
    )


if __name__ == "__main__":
    main()
