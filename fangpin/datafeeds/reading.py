"""Reading department files into DuckDB: XLSX (calamine through fastexcel, straight to Arrow), CSV (UTF-8, or
GB18030/GBK transcoded to UTF-8 in streaming chunks before DuckDB sees it),
Parquet.

Every data row gets its line number as the department sees it (header = line 1).
A row that cannot be read (wrong number of fields, broken bytes) is reported
with its line in `rejects`, never dropped silently.  No Django.
"""

from __future__ import annotations

import codecs
import mmap
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fangpin.core import idnumber
from fangpin.core.archive import ArchiveRefused, check_zip
from fangpin.datafeeds import idrepair
from fangpin.datafeeds.sources import Source

CHUNK = 4 * 1024 * 1024
SNIFF = 256 * 1024


class FeedFileError(ValueError):
    """The whole file cannot be used; the message is Chinese and names the reason."""


@dataclass
class Reject:
    line: int
    reason: str  # Chinese
    text: str = ""


@dataclass
class ReadResult:
    table: str
    rows: int
    kind: str
    encoding: str
    rejects: list[Reject] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> header found
    facts: dict[str, Facts] = field(default_factory=dict)  # canonical name -> its Facts (ABSENT: not in the file)
    reader: str = ""  # what read the rows: arrow (CSV), duckdb (CSV), calamine (XLSX), parquet


@dataclass(frozen=True)
class Facts:
    """What a text column of the file holds, so the typing SQL can skip the repairs no value needs.
    Unknown (every fact True) unless the cells were read to Arrow as they are (CSV, Parquet)."""

    padded: bool = True  # a value starts or ends with a space
    empty: bool = True  # a value is '' (not NULL)
    spaced: bool = True  # a value holds whitespace, '·' or '•' anywhere (measured only where asked)
    absent: bool = False  # the file has no such column: every value is NULL


UNKNOWN = Facts()
CLEAN = Facts(padded=False, empty=False, spaced=False)
ABSENT = Facts(padded=False, empty=False, spaced=False, absent=True)


def sniff_kind(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FeedFileError("这是旧版Excel（.xls）文件，请另存为.xlsx或CSV后重新上传。")
    return "csv"


def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) or gb18030 (superset of GBK), from the first 256 KB."""
    with open(path, "rb") as fh:
        sample = fh.read(SNIFF)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def transcode_to_utf8(src: Path, dst: Path, encoding: str) -> None:
    """Stream `src` to UTF-8 in 4 MB chunks; a multi-byte character split across
    chunks is carried over by the incremental decoder (never corrupted)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines_done = 1
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while True:
            chunk = fin.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = lines_done + chunk.count(b"\n", 0, max(exc.start, 0))
                raise FeedFileError(
                    f"第{line}行含有无法识别的字符（既不是UTF-8也不是GB18030/GBK）；"
                    "请在Excel或WPS中另存为“CSV UTF-8”后重新上传。"
                ) from exc
            fout.write(text.encode("utf-8"))
            lines_done += chunk.count(b"\n")
            if not chunk:
                break


def read_feed(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    *,
    table: str = "feed_raw",
    select: str | Callable[[dict[str, Facts]], str] = "*",
    levels: Sequence[str] | Callable[[dict[str, Facts]], Sequence[str]] = (),
    csv_engine: str = "auto",
    today: date | None = None,
) -> ReadResult:
    """Read `path` in one scan into table `{table}_data` and view `table(rid, line, <its columns>)`.

    The scan sees the file's canonical columns as VARCHAR (`source.columns`, NULL when absent) and,
    unless the read is raw (no levels, everything kept), the ID verdict of its ID column
    (`idrepair.verdict` on `today`; an XLSX ID cell Excel stored as a number refused as such);
    `levels` are projections stacked on top (`idrepair.nest`), `select` is what is kept; either may
    be a function of the columns' Facts.  The defaults keep the raw text.

    Every row carries its place in the file (`_pos`), which gives its rid and line, so the typed
    table may be written in any order.  Where the place comes from: XLSX, Parquet and a well-formed
    CSV are read to Arrow (in file order) and numbered there, with the ID verdict beside each row;
    a CSV with rows that cannot be read (or an unusual dialect, or one too large to hold in memory,
    or `csv_engine="duckdb"`) goes through DuckDB's reader, which reports each rejected line, into
    a plain text table written in file order, whose rowid is the place.  (One CTAS with the levels
    stacked over DuckDB's CSV scan was measured to write 122,880-row groups out of file order in
    DuckDB 2.0 on a 2-thread run: lines and rids pointed at the wrong rows.)"""
    kind = sniff_kind(path)
    today = today or date.today()  # noqa: DTZ011 - the local calendar date
    # A typed read (levels or a selection) gets the ID verdict and the columns' Facts; a raw read
    # gets the cells and their place.
    shaped = bool(levels) or select != "*"
    tmp: Path | None = None
    registered: list[str] = []
    text_table = False
    try:
        if kind == "xlsx":
            result, scan, headers = _read_xlsx(con, path, source, today=today, shaped=shaped)
            registered.append("_xlsx_arrow")
            result.reader = "calamine"
        elif kind == "parquet":
            arrow = pq.read_table(path)
            headers = arrow.column_names
            result = ReadResult(table=table, rows=0, kind=kind, encoding="", reader="parquet")
            scan, result.facts = _register(
                con, "_parquet_arrow", arrow, source, headers, by_position=False, today=today, shaped=shaped
            )
            registered.append("_parquet_arrow")
        else:
            encoding = detect_encoding(path)
            target = path
            if encoding == "gb18030":
                handle = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)  # noqa: SIM115 - removed below
                handle.close()
                tmp = target = Path(handle.name)
                transcode_to_utf8(path, tmp, encoding)
            result = ReadResult(table=table, rows=0, kind="csv", encoding=encoding)
            headers, dialect = _sniff_csv(con, target)
            arrow = _csv_arrow(target, len(headers), dialect) if csv_engine == "auto" else None
            if arrow is not None:
                scan, result.facts = _register(
                    con, "_csv_arrow", arrow, source, headers, by_position=True, today=today, shaped=shaped
                )
                registered.append("_csv_arrow")
                result.reader = "arrow"
            else:
                # The same options for the header as for the scan: the sniffer's verdict depends on them.
                scan = f"read_csv('{_q(target)}', {CSV_OPTIONS}, store_rejects=true)"
                con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
                text_table = True
                result.reader = "duckdb"
        found, missing = source.header_map(headers)
        if missing:
            raise FeedFileError(f"文件缺少必填列：{'、'.join(missing)}。请按{source.label}的表头模板填报。")
        if text_table:
            canon = _canonical(source, found, headers, by_position=False)
            con.execute("SET preserve_insertion_order = true")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_text AS SELECT {canon} FROM {scan}")
            if shaped:
                ids = con.sql(f"SELECT rowid AS _pos, id_number FROM {table}_text").to_arrow_table()
                verdict = pa.table({"_pos": ids.column(0), **idrepair.verdict(ids.column(1), today=today)})
                con.register("_verdict", verdict)
                registered.append("_verdict")
                positioned = f"(SELECT f.*, t.* FROM {table}_text t JOIN _verdict f ON f._pos = t.rowid)"
            else:
                positioned = f"(SELECT rowid AS _pos, * FROM {table}_text)"
        else:
            positioned = scan
        # The place travels with each row: the typed table is written in whatever order is fastest.
        # Common-subexpression elimination would hoist the repairs that CASE branches apply to the
        # odd value (trim, the slow ID cleaning) out of the CASE, i.e. compute them for every row
        # (measured: a fifth of the statement's CPU time on a 1M-row file).
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET disabled_optimizers = 'common_subexpressions'")
        facts = {c.name: result.facts.get(c.name, UNKNOWN) if c.name in found else ABSENT for c in source.columns}
        result.facts = facts
        if callable(levels):
            levels = levels(facts)
        if callable(select):
            select = select(facts)
        body = idrepair.nest(positioned, list(levels))
        keep = "*" if select == "*" else f"_pos, {select}"  # (the scan has _pos)
        try:
            written = con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_data AS SELECT {keep} FROM {body}")
            result.rows = written.fetchall()[0][0]
        finally:
            con.execute("RESET disabled_optimizers")
        if text_table:
            con.execute(f"DROP TABLE {table}_text")
            result.rejects = _csv_rejects(con)
    finally:
        for name in registered:
            con.unregister(name)
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    _line_view(con, table, result)
    result.table = table
    result.columns = {name: headers[pos] for name, pos in found.items()}
    return result


CSV_OPTIONS = "header=true, all_varchar=true, auto_detect=true, sample_size=20480, encoding='utf-8'"
# A CSV up to this size is read to Arrow in memory (about its own size again); larger ones stream
# through DuckDB's reader.
ARROW_MAX_BYTES = 2 * 1024**3
# Arrow's parse block: 4 MB blocks read a 100 MB file faster than the 1 MB default (1M rows), and
# the NumPy steps (ID verdict, column facts) work a block at a time: 16 MB blocks (about 150k rows)
# keep both threads in NumPy rather than waiting on the GIL between short calls (figures in
# docs/benchmarks.md).
CSV_BLOCK = 16 * 1024**2


@dataclass
class CsvDialect:
    delimiter: str
    quote: str
    plain: bool  # a dialect the Arrow reader reads exactly as DuckDB does


def _sniff_csv(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[str], CsvDialect]:
    """The header (as DuckDB names the columns) and the dialect DuckDB's sniffer found (with errors
    ignored, as the rejects-storing scan sniffs)."""
    row = con.execute(
        f"SELECT Delimiter, Quote, Escape, Comment, SkipRows, HasHeader, Columns FROM sniff_csv('{_q(path)}', {CSV_OPTIONS}, ignore_errors=true)"  # noqa: E501
    ).fetchall()[0]
    delimiter, quote, escape, comment, skip, has_header, columns = row
    headers = [c["name"] for c in columns]
    quote = "" if quote == "(empty)" else quote
    plain = (
        len(delimiter) == 1
        and quote in ("", '"')
        and escape in ("(empty)", quote or '"')
        and comment == "(empty)"
        and skip == 0
        and bool(has_header)
    )
    return headers, CsvDialect(delimiter=delimiter, quote=quote or '"', plain=plain)


def _csv_arrow(path: Path, ncols: int, dialect: CsvDialect) -> pa.Table | None:
    """A well-formed CSV as Arrow, in file order: columns x0, x1, … as text (empty → NULL, as DuckDB
    reads them); None when the Arrow reader would not read it exactly as DuckDB does (any row it
    cannot parse, invalid UTF-8, an unusual dialect, a file too big to hold in memory): DuckDB's
    reader then reads it and reports each bad line with its number."""
    if not dialect.plain or path.stat().st_size > ARROW_MAX_BYTES:
        return None
    names = [f"x{i}" for i in range(ncols)]
    try:
        data = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf8", block_size=CSV_BLOCK),
            parse_options=pacsv.ParseOptions(
                delimiter=dialect.delimiter,
                quote_char=dialect.quote,
                # A newline inside a value needs quotes round it; a file without the quote character
                # has none, and Arrow then splits it into blocks in parallel.
                newlines_in_values=_holds(path, dialect.quote.encode()),
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Arrow stops at the first bad row and cannot say which line it was: the caller falls back
        # to DuckDB's reader, which keeps every good row and names each rejected line.
        return None
    return data


def _holds(path: Path, needle: bytes) -> bool:
    """Whether the file holds `needle` anywhere (memchr over the mapped file)."""
    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return mapped.find(needle) >= 0


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


# Bytes a value "holds whitespace, '·' or '•'" by: \t \n \f \r and space (RE2's \s), and the
# UTF-8 of U+00B7 and U+2022.
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


def _csv_rejects(con: duckdb.DuckDBPyConnection) -> list[Reject]:
    rejected = con.execute(
        "SELECT line, min(error_type), min(csv_line) FROM reject_errors GROUP BY line ORDER BY line"
    ).fetchall()
    return [
        Reject(line=int(line), reason=_reject_reason(kind), text=(text or "")[:200]) for line, kind, text in rejected
    ]


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


def _reject_reason(kind: str) -> str:
    return {
        "TOO MANY COLUMNS": "该行的列数多于表头（可能多了逗号），无法读取",
        "MISSING COLUMNS": "该行的列数少于表头，无法读取",
        "INVALID UNICODE": "该行含有无法识别的字符（编码错误）",
        "UNQUOTED VALUE": "该行引号不配对，无法读取",
    }.get(str(kind).upper(), "该行格式错误，无法读取")


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
