"""Shared by the formats read to Arrow (CSV, XLSX, Parquet): each row's place, the canonical
columns as text, the ID verdict beside each row, the columns' Facts, and the view that gives each
row its rid and line.  No Django."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from fangpin.core import idnumber
from fangpin.datafeeds.core import idrepair
from fangpin.datafeeds.core.reading.types import ABSENT, Facts, ReadResult
from fangpin.datafeeds.core.sources import Source


def positions(n: int) -> pa.Array:
    """0, 1, … n-1 as an Arrow int64 array, built on the NumPy buffer (pa.array on an ndarray would
    import pandas, seconds in a fresh process)."""
    return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(np.arange(n, dtype=np.int64))])


def _canonical(source: Source, found: dict[str, int], headers: list[str], *, by_position: bool) -> str:
    """The source's canonical columns as text, from the file's columns: x0, x1, … (`by_position`)
    or the header names; NULL for a column the file does not have."""
    canon = []
    for col in source.columns:
        if col.name in found:
            pos = found[col.name]
            ref = f"x{pos}" if by_position else '"' + headers[pos].replace('"', '""') + '"'
            canon.append(f"CAST({ref} AS VARCHAR) AS {col.name}")
        else:
            canon.append(f"CAST(NULL AS VARCHAR) AS {col.name}")
    return ", ".join(canon)


def _register(
    con: duckdb.DuckDBPyConnection,
    name: str,
    arrow: pa.Table,
    source: Source,
    headers: list[str],
    *,
    by_position: bool,
    numeric: str = "FALSE",
    cells: str = "",
    id_values: pa.ChunkedArray | None = None,
    today: date,
    shaped: bool = True,
) -> tuple[str, dict[str, Facts]]:
    """Register `arrow` (the file's cells, in file order) with each row's place (`_pos`) and, for
    a read that types the rows (`shaped`), the ID verdict of its ID column (`idrepair.verdict`);
    returns the scan of the verdict (with `numeric`, an SQL condition for an ID cell Excel stored
    as a number) and the canonical columns, and the Facts of the canonical columns read as they are
    (with `shaped`; a raw read gets the cells and their place only).
    `id_values`: the ID cells when the column the SQL reads is derived from them."""
    found, _ = source.header_map(headers)
    if id_values is None and "id_number" in found:
        pos = found["id_number"]
        id_values = arrow.column(f"x{pos}" if by_position else pos)
    if id_values is None:
        id_values = pa.chunked_array([pa.nulls(arrow.num_rows, pa.string())])
    columns = {"_pos": positions(arrow.num_rows)}
    if shaped:
        columns.update(idrepair.verdict(id_values, today=today))
    for column_name, values in columns.items():
        arrow = arrow.append_column(column_name, values)
    con.register(name, arrow)
    rows = f"(SELECT *, {cells} FROM {name})" if cells else name
    canon = _canonical(source, found, headers, by_position=by_position)
    # Facts of the columns read as they are (not of cells rewritten by `cells`).
    facts = {col.name: ABSENT for col in source.columns if col.name not in found}
    if shaped and not cells:
        # A cast needs no facts: only text, choices and required columns (checked for blanks) do.
        wanted = [
            c
            for c in source.columns
            if c.name in found and c.name != "id_number" and (c.type in ("text", "enum") or c.required)
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            measured = pool.map(
                lambda c: column_facts(
                    arrow.column(f"x{found[c.name]}" if by_position else found[c.name]), spaced=c.name == "name"
                ),
                wanted,
            )
            facts.update({c.name: f for c, f in zip(wanted, measured, strict=True)})
    verdict = f"{_numeric_override(numeric)}, " if shaped else ""
    return f"(SELECT _pos, {verdict}{canon} FROM {rows})", facts


_SPACE_BYTES = np.array([9, 10, 12, 13, 32], np.uint8)


def column_facts(values: pa.ChunkedArray, *, spaced: bool) -> Facts:
    """The Facts of one column, from the Arrow buffers (first and last byte of every value; with
    `spaced`, every byte).  A column that is not text (Parquet numbers, dates) is CLEAN: its
    text is what the cast writes."""
    padded = empty = found_space = False
    for chunk in values.chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            continue
        offsets, data = idrepair.string_buffers(chunk)
        lengths = offsets[1:] - offsets[:-1]
        valid = idrepair.validity(chunk) if chunk.null_count else np.ones(len(chunk), bool)
        empty = empty or bool((valid & (lengths == 0)).any())
        if not padded and len(data):
            filled = valid & (lengths > 0)
            first = np.take(data, offsets[:-1], mode="clip") == 32
            last = np.take(data, offsets[1:] - 1, mode="clip") == 32
            padded = bool(((first | last) & filled).any())
        if spaced and not found_space and len(data):
            # Every byte of the chunk's values (a NULL slot's bytes too: a False here is certain).
            seg = data[offsets[0] : offsets[-1]]
            found_space = bool(
                np.isin(seg, _SPACE_BYTES).any()
                or ((seg[:-1] == 0xC2) & (seg[1:] == 0xB7)).any()
                or ((seg[:-2] == 0xE2) & (seg[1:-1] == 0x80) & (seg[2:] == 0xA2)).any()
            )
    return Facts(padded=padded, empty=empty, spaced=found_space if spaced else True)


def _numeric_override(numeric: str) -> str:
    """The verdict columns, with an ID cell Excel stored as a number (SQL condition `numeric`)
    refused as such: its digits after the 15th are lost (its normalised value is the pipeline's,
    from the ID as written)."""
    if numeric == "FALSE":
        return ", ".join(idrepair.VERDICT_COLUMNS)
    numbers = {"_vsimple": "FALSE", "_vstatus": f"'{idnumber.EXCEL_NUMERIC}'"}
    return ", ".join(
        f"CASE WHEN {numeric} THEN {numbers.get(name, 'NULL')} ELSE {name} END AS {name}"
        for name in idrepair.VERDICT_COLUMNS
    )


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _line_view(con: duckdb.DuckDBPyConnection, table: str, result: ReadResult) -> None:
    """View `table`: rid (1, 2, … in file order) and the line the department sees (header = 1).

    Row i is the i-th line after the header that was not rejected.  With rejected lines, for each
    one `before` = good rows above it, and an ASOF join finds how many lie before row i."""
    if not result.rejects:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {table} AS "
            f"SELECT _pos + 1 AS rid, _pos + 2 AS line, * EXCLUDE (_pos) FROM {table}_data"
        )
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _rej(line BIGINT)")
    con.execute("INSERT INTO _rej SELECT unnest(?::BIGINT[])", [[r.line for r in result.rejects]])
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table}_lines AS
        WITH rj AS (SELECT line - 1 - row_number() OVER (ORDER BY line) AS before,
                           row_number() OVER (ORDER BY line) AS k FROM _rej),
             ids AS (SELECT range AS rid FROM range(1, {result.rows + 1}))
        SELECT ids.rid, ids.rid + 1 + coalesce(rj.k, 0) AS line FROM ids ASOF LEFT JOIN rj ON ids.rid > rj.before
        ORDER BY ids.rid"""
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS "
        f"SELECT l.rid, l.line, d.* EXCLUDE (_pos) FROM {table}_lines l JOIN {table}_data d ON d._pos + 1 = l.rid"
    )
