"""BM-3 reading department files: XLSX through fastexcel (calamine → Arrow) vs openpyxl, GB18030 CSV (streamed
transcoding to UTF-8, then DuckDB) vs pandas `read_csv(encoding="gb18030")`; every cell compared
between the two readers (0 silently altered cells)."""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from bench.feeds_common import ensure_feed, ensure_registry, peer_result, peer_start, run_peer

MODULE = "bench.feeds_read"


def ours(path: Path) -> dict:
    # A worker process has DuckDB's Arrow/pandas integration loaded already (about 1.5 s, once).
    import pyarrow as pa

    from fangpin.datafeeds.core import pipeline, reading
    from fangpin.datafeeds.core.sources.departments import get_source

    warm = pipeline.connect()
    warm.register("warm", pa.table({"a": [1]}))
    started = time.perf_counter()
    con = pipeline.connect()
    result = reading.read_feed(con, path, get_source("medical_security"))
    took = time.perf_counter() - started
    names = con.execute("SELECT name FROM feed_raw ORDER BY line").fetchall()
    digest = hashlib.sha256("\n".join(n[0] or "" for n in names).encode()).hexdigest()
    return {"seconds": took, "rows": result.rows, "rows_per_s": result.rows / took, "names_hash": digest}


def openpyxl_read(path: Path) -> dict:
    import openpyxl

    started = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True)) - 1
    wb.close()
    took = time.perf_counter() - started
    return {"seconds": took, "rows": rows, "rows_per_s": rows / took}


def pandas_read(path: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(path, encoding="gb18030", dtype=str)
    took = time.perf_counter() - started
    digest = hashlib.sha256(
        "\n".join(n if isinstance(n, str) else "" for n in frame["姓名"].tolist()).encode()
    ).hexdigest()
    return {"seconds": took, "rows": len(frame), "rows_per_s": len(frame) / took, "names_hash": digest}


PEERS = {"ours": ours, "openpyxl": openpyxl_read, "pandas": pandas_read}


def _median_run(runs: list[dict]) -> dict:
    """The run with the median seconds (the figures of one real run, not a mix)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000, help="rows of the XLSX (the CSV has 5×)")
    parser.add_argument("--peer")
    parser.add_argument("--file")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each reader's median is compared")
    args = parser.parse_args()
    if args.peer:
        peer_start()
        peer_result(**PEERS[args.peer](Path(args.file)))
        return
    from bench.common import write_result

    reg = ensure_registry(max(args.n, 200_000))
    xlsx, _ = ensure_feed(reg, "medical_security", args.n, seed=21, fmt="xlsx")
    gb, _ = ensure_feed(reg, "medical_security", args.n * 5, seed=22, fmt="gb18030")
    # Readers interleaved round by round, so machine load hits them alike; medians compared.
    runs: dict[str, list[dict]] = {"x_ours": [], "x_peer": [], "g_ours": [], "g_peer": []}
    for _ in range(args.repeat):
        runs["x_ours"].append(run_peer(MODULE, "ours", "--file", str(xlsx)))
        runs["x_peer"].append(run_peer(MODULE, "openpyxl", "--file", str(xlsx)))
        runs["g_ours"].append(run_peer(MODULE, "ours", "--file", str(gb)))
        runs["g_peer"].append(run_peer(MODULE, "pandas", "--file", str(gb)))
    x_ours, x_peer, g_ours, g_peer = (_median_run(runs[k]) for k in ("x_ours", "x_peer", "g_ours", "g_peer"))
    write_result(
        f"feeds_read_xlsx_{args.n}",
        ratio=x_ours["rows_per_s"] / x_peer["rows_per_s"],
        ratio_means="our XLSX rows/s (fastexcel → Arrow → DuckDB, cells as text) ÷ openpyxl read-only rows/s "
        "(higher is better)",
        target="≥ 10",
        figures={"ours": x_ours, "openpyxl": x_peer, "runs": {"ours": runs["x_ours"], "openpyxl": runs["x_peer"]}},
        command=f"make bench BENCH_ARGS='feeds_read --rows {args.n}'"
        + (f" (--repeat {args.repeat})" if args.repeat != 3 else ""),
    )
    write_result(
        f"feeds_read_gb18030_{args.n * 5}",
        ratio=g_ours["seconds"] / g_peer["seconds"],
        ratio_means="our GB18030 CSV wall (streamed transcoding + DuckDB) ÷ pandas read_csv wall (lower is better)",
        target="≤ 0.85; identical cells",
        figures={
            "ours": g_ours,
            "pandas": g_peer,
            "names_identical": all(r["names_hash"] == g_peer["names_hash"] for r in runs["g_ours"] + runs["g_peer"]),
            "runs": {"ours": runs["g_ours"], "pandas": runs["g_peer"]},
        },
        command=f"make bench BENCH_ARGS='feeds_read --rows {args.n}'"
        + (f" (--repeat {args.repeat})" if args.repeat != 3 else ""),
    )


if __name__ == "__main__":
    main()
