"""XLSX: calamine through fastexcel, straight to Arrow, no Python object per cell; the archive is
checked before it is opened.  No Django."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import fastexcel
import pyarrow as pa

from fangpin.core.archive import ArchiveRefused, check_zip
from fangpin.datafeeds.core.reading.columns import _register
from fangpin.datafeeds.core.reading.types import FeedFileError, Opened, ReadResult
from fangpin.datafeeds.core.sources import Source


def _check_zip(path: Path) -> None:
    try:
        check_zip(path)  # expanded size, ratio and entries (SECURITY T-46, FANGPIN_ZIP_MAX_*)
    except ArchiveRefused as exc:
        raise FeedFileError(str(exc)) from exc
    except zipfile.BadZipFile as exc:
        raise FeedFileError("Excel文件已损坏，无法打开。") from exc


# fastexcel's dtype names for the columns it guessed (strict guessing: one type per column).
_FLOAT = ("float", "int")


def _text_sql(col: str, dtype: str) -> str:
    """A typed column's cells as the text a department typed: integral numbers without ".0" or an
    exponent (an ID Excel stored as a number keeps its 15 digits as digits), dates as 2026-03-01,
    Excel time-only cells (before 1900) as 12:30:00."""
    q = f'"{col}"'
    if dtype in _FLOAT:
        return (
            f"CASE WHEN {q} = trunc({q}) AND abs({q}) < 1e38 THEN CAST(CAST({q} AS HUGEINT) AS VARCHAR) "
            f"ELSE CAST({q} AS VARCHAR) END"
        )
    if dtype in ("datetime", "date"):
        return (
            f"CASE WHEN CAST({q} AS TIMESTAMP) < TIMESTAMP '1900-01-01' "
            f"THEN strftime(CAST({q} AS TIMESTAMP), '%H:%M:%S') ELSE strftime(CAST({q} AS DATE), '%Y-%m-%d') END"
        )
    if dtype == "duration":
        return f"strftime(TIMESTAMP '2000-01-01' + {q}, '%H:%M:%S')"
    return f"CAST({q} AS VARCHAR)"


XLSX_SLICE = 32_768  # rows per Arrow batch of a sheet
_STRICT: dict[str, Any] = {"schema_sample_rows": None, "dtype_coercion": "strict"}


@dataclass(frozen=True)
class _SheetColumn:
    name: str
    generated: bool  # the header cell was empty: fastexcel named it __UNNAMED__<index>
    index: int
    dtype: str  # fastexcel's name of the type it gave the column


def _dtype(arrow_type: pa.DataType) -> str:
    checks = (
        (pa.types.is_floating, "float"),
        (pa.types.is_integer, "int"),
        (pa.types.is_timestamp, "datetime"),
        (pa.types.is_date, "date"),
        (pa.types.is_duration, "duration"),
        (pa.types.is_boolean, "boolean"),
    )
    return next((name for check, name in checks if check(arrow_type)), "string")


def _load_sheet(reader: fastexcel.ExcelReader, **kwargs: Any) -> tuple[pa.Table, list[_SheetColumn]]:
    # header_row=0 with skip_rows=0: the header is the sheet's first row and data row i is line i + 2,
    # even when the first rows are empty (fastexcel would otherwise skip them).  Eager: straight to
    # one Arrow batch, no Python object per cell.
    batch = reader.load_sheet(0, header_row=0, skip_rows=0, eager=True, **kwargs)
    columns = [
        _SheetColumn(name=f.name, generated=f.name == f"__UNNAMED__{i}", index=i, dtype=_dtype(f.type))
        for i, f in enumerate(batch.schema)
    ]
    # In slices (no copy): DuckDB scans an Arrow table a batch per thread, so both cores scan it.
    slices = [batch.slice(start, XLSX_SLICE) for start in range(0, batch.num_rows, XLSX_SLICE)] or [batch]
    return pa.Table.from_batches(slices, schema=batch.schema), columns


@dataclass
class _Cells:
    data: pa.Table  # typed cells, or every cell as text where a column mixes kinds
    infos: list[_SheetColumn]
    markers: pa.Table | None  # where a column mixes kinds: per cell, was it a number (ID) or a date
    header: list[str]
    id_pos: int | None


def _sheet_cells(path: Path, source: Source) -> _Cells:
    reader = fastexcel.read_excel(str(path))
    try:
        data, infos = _load_sheet(reader, **_STRICT)
        mixed = False
    except fastexcel.UnsupportedColumnTypeCombinationError:
        data, infos = _load_sheet(reader, dtypes="string")
        mixed = True
    if not infos:
        raise FeedFileError("Excel文件的第一个工作表是空的。")
    header = [f"列{c.index + 1}" if c.generated else str(c.name).strip() for c in infos]
    found, _ = source.header_map(header)
    id_pos = found.get("id_number")
    markers = None
    if mixed:
        # Per cell: was an ID cell a number (boolean dtype: numbers and booleans only), was any other
        # cell a date or time (duration dtype: dates and times only)?
        kinds = {i: "boolean" if i == id_pos else "duration" for i in range(len(infos))}
        markers = _load_sheet(reader, dtypes=kinds)[0]
    return _Cells(data, infos, markers, header, id_pos)


def _read_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, today: date, shaped: bool
) -> tuple[ReadResult, str, list[str]]:
    """calamine → Arrow through fastexcel, no Python object per cell.

    One pass when every column holds one kind of cell (all text, all numbers or all dates: the usual
    export).  A column that mixes kinds (an ID column where a few IDs were typed as numbers) costs
    a second pass that tells, per cell, which ID cells were numbers and which other cells dates.
    Returns the scan (`_register`: the canonical columns and
    _numeric_id over the registered Arrow table) and the headers."""
    _check_zip(path)
    try:
        cells = _sheet_cells(path, source)
    except fastexcel.FastExcelError as exc:
        raise FeedFileError("Excel文件无法读取（已损坏或加密）。") from exc
    data, infos, markers, header, id_pos = cells.data, cells.infos, cells.markers, cells.header, cells.id_pos
    n = data.num_rows
    columns = {f"c{i}": data.column(i) for i in range(len(infos))}
    if markers is not None:
        columns.update({f"m{i}": markers.column(i) for i in range(len(infos))})
    arrow = pa.table(columns)
    selects = []
    for i, info in enumerate(infos):
        if markers is None:
            expr = _text_sql(f"c{i}", info.dtype)
        elif i == id_pos:
            expr = f"c{i}"
        else:
            # Mixed kinds: a date cell becomes 2026-03-01, a time-only cell 12:30:00, as in a typed column.
            expr = (
                f"CASE WHEN m{i} IS NULL THEN c{i} WHEN m{i} < INTERVAL 1 DAY THEN right(c{i}, 8) "
                f"ELSE left(c{i}, 10) END"
            )
        selects.append(f"{expr} AS x{i}")
    numeric = "FALSE"
    if id_pos is not None and markers is None and infos[id_pos].dtype in _FLOAT:
        numeric = f"c{id_pos} IS NOT NULL"  # a whole column of numbers
    elif id_pos is not None and markers is not None:
        numeric = f"m{id_pos} IS NOT NULL AND c{id_pos} NOT IN ('true', 'false')"
    # The fast ID verdict reads the ID cells where they are text (numbers are flagged by `numeric`).
    id_values = arrow.column(f"c{id_pos}") if id_pos is not None else None
    scan, facts = _register(
        con,
        "_xlsx_arrow",
        arrow,
        source,
        header,
        by_position=True,
        numeric=numeric,
        cells=", ".join(selects),
        id_values=id_values,
        today=today,
        shaped=shaped,
    )  # unregistered by read_feed once the table is written
    return ReadResult(table="", rows=n, kind="xlsx", encoding="", facts=facts), scan, header


def open_xlsx(con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, today: date, shaped: bool) -> Opened:
    result, scan, headers = _read_xlsx(con, path, source, today=today, shaped=shaped)
    result.reader = "calamine"
    return Opened(result=result, scan=scan, headers=headers, registered=["_xlsx_arrow"])
