"""Parquet: read by Arrow as it is (named columns, in file order).  No Django."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from fangpin.datafeeds.core.reading.columns import _register
from fangpin.datafeeds.core.reading.types import Opened, ReadResult
from fangpin.datafeeds.core.sources import Source


def open_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, table: str, today: date, shaped: bool
) -> Opened:
    arrow = pq.read_table(path)
    headers = arrow.column_names
    result = ReadResult(table=table, rows=0, kind="parquet", encoding="", reader="parquet")
    scan, result.facts = _register(
        con, "_parquet_arrow", arrow, source, headers, by_position=False, today=today, shaped=shaped
    )
    return Opened(result=result, scan=scan, headers=headers, registered=["_parquet_arrow"])
