"""BM-2 probabilistic linkage: R registry persons × F feed rows (default 1M × 200k).

Ours = fangpin.datafeeds.core.matching (exact pass, then the scorer on the rows without a usable ID).
Peer = Splink 5 on DuckDB with default comparison settings (JaroWinkler name, Levenshtein birth date,
exact village, Levenshtein ID), the same blocking rules, u by random sampling (max_pairs 1e7),
m by EM; best match per feed row at p ≥ 0.5 (and at our auto threshold).  Both are scored
against the generator's truth: precision, recall, F1 and the share of people who are not in the
registry that got linked.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from bench.feeds_common import ensure_feed, ensure_registry, peer_result, peer_start, run_peer

MODULE = "bench.feeds_fuzzy"


def _prepare(feed: Path, reg: Path):
    from fangpin.datafeeds.core import matching, pipeline
    from fangpin.datafeeds.core.sources.departments import get_source

    con = pipeline.connect()
    pipeline.load(con, feed, get_source("medical_security"), today=date(2026, 11, 23))
    pipeline.registry_load(con, con.sql(f"SELECT * FROM read_parquet('{reg}')"))
    matching.link_exact(con)
    return con


def _quality(con, truth: Path, links: str) -> dict:
    q = con.execute(
        f"""WITH t AS (SELECT * FROM read_parquet('{truth}')),
        j AS (SELECT t.true_person_id AS truth, k.person_id AS got, f.id18 IS NULL AS fuzzy
              FROM feed f JOIN t ON t.line = f.line LEFT JOIN {links} k ON k.rid = f.rid)
        SELECT sum((got IS NOT NULL AND got = truth)::INT), sum((got IS NOT NULL AND got <> truth)::INT),
               sum((truth > 0)::INT), sum((truth < 0)::INT), sum((truth < 0 AND got IS NOT NULL)::INT),
               sum((fuzzy AND truth > 0)::INT), sum((fuzzy AND got IS NOT NULL AND got = truth)::INT),
               sum((fuzzy AND got IS NOT NULL AND got <> truth)::INT)
        FROM j"""
    ).fetchall()[0]
    tp, fp, pos, new, new_linked, fpos, ftp, ffp = (int(x or 0) for x in q)
    precision = tp / max(tp + fp, 1)
    recall = tp / max(pos, 1)
    return {
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 5),
        "not_in_registry": new,
        "not_in_registry_linked": new_linked,
        "not_in_registry_linked_share": round(new_linked / max(new, 1), 5),
        "fuzzy_slice_precision": round(ftp / max(ftp + ffp, 1), 5),
        "fuzzy_slice_recall": round(ftp / max(fpos, 1), 5),
    }


def ours(feed: Path, reg: Path, truth: Path) -> dict:
    from fangpin.datafeeds.core import matching

    con = _prepare(feed, reg)
    started = time.perf_counter()
    report = matching.link_fuzzy(con)
    took = time.perf_counter() - started
    con.execute("CREATE TEMP TABLE auto_links AS SELECT * FROM links WHERE band = 'auto'")
    return {
        "seconds": took,
        "pairs": report.pairs,
        "pairs_per_s": report.pairs / took,
        "fuzzy_rows": report.fuzzy_rows,
        "auto": report.auto,
        "review": report.review,
        "quality_auto": _quality(con, truth, "auto_links"),
    }


def splink(feed: Path, reg: Path, truth: Path) -> dict:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = _prepare(feed, reg)
    con.execute(
        """CREATE TEMP TABLE l AS SELECT person_id AS unique_id, name, substr(name, 1, 1) AS surname,
           strftime(birth_date, '%Y-%m-%d') AS birth_date, village_code, id18 FROM reg"""
    )
    con.execute(
        """CREATE TEMP TABLE r AS SELECT rid AS unique_id, name, substr(name, 1, 1) AS surname,
           strftime(birth_date, '%Y-%m-%d') AS birth_date, village_code, id_clean AS id18
           FROM feed WHERE id18 IS NULL AND name <> '' AND rid NOT IN (SELECT rid FROM links)"""
    )
    api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name"),
            cl.LevenshteinAtThresholds("birth_date"),
            cl.ExactMatch("village_code"),
            cl.LevenshteinAtThresholds("id18"),
        ],
        blocking_rules_to_generate_predictions=[
            "l.birth_date = r.birth_date AND substr(l.village_code, 1, 6) = substr(r.village_code, 1, 6)",
            "r.village_code IS NULL AND l.birth_date = r.birth_date",
            block_on("village_code", "surname"),
            "l.name = r.name AND substr(l.birth_date, 1, 4) = substr(r.birth_date, 1, 4)",
        ],
    )
    linker = Linker([api.register("l"), api.register("r")], settings, log_level=40)
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match([block_on("birth_date")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("village_code", "surname"))
    trained = time.perf_counter() - started
    started = time.perf_counter()
    pred = linker.inference.predict()
    predict = time.perf_counter() - started
    table = pred.physical_name
    pairs = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    result = {"seconds": predict, "train_seconds": trained, "pairs": pairs, "pairs_per_s": pairs / predict}
    for label, p in (("p0.5", 0.5), ("p0.99", 0.99)):
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE sp_links AS SELECT * FROM links UNION ALL
            SELECT unique_id_r AS rid, unique_id_l AS person_id, match_probability, 'auto', 'splink' FROM {table}
            WHERE match_probability >= {p}
            QUALIFY row_number() OVER (PARTITION BY unique_id_r ORDER BY match_probability DESC) = 1"""
        )
        result[f"quality_{label}"] = _quality(con, truth, "sp_links")
    return result


PEERS = {"ours": ours, "splink": splink}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200_000, help="registry persons")
    parser.add_argument("--feed-rows", type=int, default=0)
    parser.add_argument("--peer")
    parser.add_argument("--feed")
    parser.add_argument("--reg")
    parser.add_argument("--truth")
    parser.add_argument("--peers", default="ours,splink")
    args = parser.parse_args()
    if args.peer:
        peer_start()
        peer_result(**PEERS[args.peer](Path(args.feed), Path(args.reg), Path(args.truth)))
        return
    from bench.common import write_result

    rows = args.feed_rows or args.n // 5
    reg = ensure_registry(args.n)
    feed, truth = ensure_feed(reg, "medical_security", rows, seed=9)
    common = ("--feed", str(feed), "--reg", str(reg), "--truth", str(truth))
    results = {name: run_peer(MODULE, name, *common) for name in args.peers.split(",")}
    figures = {"registry_persons": args.n, "feed_rows": rows, **results}
    ratio = results["ours"]["pairs_per_s"] / results["splink"]["pairs_per_s"] if "splink" in results else 0
    write_result(
        f"feeds_fuzzy_{args.n}x{rows}",
        ratio=ratio,
        ratio_means="our scored pairs per second ÷ Splink predict pairs per second, same blocking (higher is better)",
        target="≥ 1.0; precision ≥ 0.995 at recall ≥ 0.98; ≤ 0.1% of non-registry people linked",
        figures=figures,
        command=f"make bench BENCH_ARGS='feeds_fuzzy --rows {args.n}'",
    )


if __name__ == "__main__":
    main()
