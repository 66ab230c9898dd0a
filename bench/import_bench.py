"""BM: import of a 100k-household XLSX against openpyxl reading the same file.

Runs in its own process with its own database (DATABASE_URL, default a fresh
SQLite file under bench/data).  Ours = read + validate every row + stage
(the part the operator waits for before accepting); the apply into the
database is reported too.  Peer = openpyxl read_only iterating every cell.
"""

from __future__ import annotations

import os
import sys
import time

from bench.common import DATA, peak_rss_mib, write_result


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    DATA.mkdir(parents=True, exist_ok=True)
    work = DATA / f"import-{households}"
    db = work / "bench.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db}")
    os.environ["FANGPIN_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if db.exists():
        db.unlink()
    import django

    django.setup()
    from django.core.management import call_command

    from fangpin.core.actor import Actor
    from fangpin.registry.importing.services import import_apply, import_create, import_validate
    from fangpin.synth.county import write_county

    call_command("migrate", verbosity=0)
    xlsx = work / "registry.xlsx"
    if not xlsx.exists():
        started = time.perf_counter()
        paths = write_county(work, households=households, seed=11, fmt="xlsx")
        print(f"wrote {paths['registry']} in {time.perf_counter() - started:.1f}s")
    call_command("load_areas", str(work / "areas.csv"), verbosity=0)

    import openpyxl

    started = time.perf_counter()
    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    cells = sum(len(row) for row in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    peer = time.perf_counter() - started

    actor = Actor.command()
    started = time.perf_counter()
    with open(xlsx, "rb") as fh:
        batch = import_create(actor=actor, stream=fh, file_name=xlsx.name, start=False)
    batch = import_validate(batch=batch)
    ours = time.perf_counter() - started
    assert batch.status == "validated", batch.message
    started = time.perf_counter()
    batch = import_apply(batch=batch, actor=actor.with_batch(batch.ref))
    apply_seconds = time.perf_counter() - started
    rows = batch.stats["rows"]
    write_result(
        "import_xlsx_100k",
        ratio=ours / peer,
        ratio_means=(
            "seconds: fangpin read + validate + stage ÷ openpyxl read_only reading every cell (lower is better)"
        ),
        figures={
            "households": households,
            "rows": rows,
            "cells_read_by_openpyxl": cells,
            "openpyxl_read_seconds": round(peer, 2),
            "fangpin_validate_seconds": round(ours, 2),
            "fangpin_apply_seconds": round(apply_seconds, 2),
            "fangpin_total_seconds": round(ours + apply_seconds, 2),
            "fangpin_rows_per_s_validate": round(rows / ours),
            "issues": batch.stats["issues"],
            "applied": batch.stats.get("applied"),
            "database": os.environ["DATABASE_URL"].split(":")[0],
            "peak_rss_mib": round(peak_rss_mib()),
        },
        command=f"make bench BENCH_ARGS='import --households {households}'",
    )


if __name__ == "__main__":
    main()
