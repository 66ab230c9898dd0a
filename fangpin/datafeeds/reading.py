"""Reading department files into DuckDB: XLSX (calamine through fastexcel, straight to Arrow), CSV (UTF-8, or
GB18030/GBK transcoded to UTF-8 in streaming chunks before DuckDB sees it),
Parquet.

Every data row gets its line number as the department sees it (header = line 1).
A row that cannot be read (wrong number of fields, broken bytes) is reported
with its line in `rejects`, never dropped silently.  No Django.
"""

from __future__ import annotations

import codecs
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import fastexcel
import pyarrow as pa

from fangpin.datafeeds import idrepair
from fangpin.datafeeds.sources import Source

CHUNK = 4 * 1024 * 1024
SNIFF = 256 * 1024
MAX_UNCOMPRESSED = 4 * 1024**3


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
    select: str = "*",
    levels: Sequence[str] = (),
) -> ReadResult:
    """Read `path` in one scan into table `{table}_data` and view `table(rid, line, <its columns>)`.

    The scan sees the file's canonical columns as VARCHAR (`source.columns`, NULL when absent) and
    `_numeric_id` (an XLSX ID cell Excel stored as a number); `levels` are projections stacked on
    top (`idrepair.nest`), `select` is what is kept.  The defaults keep the raw text.  Each row
    carries its place in the file (`_pos`, the rowid of the plain text table written in file
    order), which gives its rid and line; with rejected CSV rows the lines come from a small side
    table."""
    kind = sniff_kind(path)
    tmp: Path | None = None
    try:
        if kind == "xlsx":
            result, scan, headers = _read_xlsx(con, path, source)
        elif kind == "parquet":
            scan = f"read_parquet('{_q(path)}')"
            result = ReadResult(table=table, rows=0, kind=kind, encoding="")
            headers = _headers(con, scan)
        else:
            encoding = detect_encoding(path)
            target = path
            if encoding == "gb18030":
                handle = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)  # noqa: SIM115 - removed below
                handle.close()
                tmp = target = Path(handle.name)
                transcode_to_utf8(path, tmp, encoding)
            options = "header=true, all_varchar=true, auto_detect=true, sample_size=20480, encoding='utf-8'"
            # The same options for the header as for the scan: the sniffer's verdict depends on them.
            scan = f"read_csv('{_q(target)}', {options}, store_rejects=true)"
            headers = _headers(con, scan)
            con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
            result = ReadResult(table=table, rows=0, kind="csv", encoding=encoding)
        found, missing = source.header_map(headers)
        if missing:
            raise FeedFileError(f"文件缺少必填列：{'、'.join(missing)}。请按{source.label}的表头模板填报。")
        canon = []
        for col in source.columns:
            if col.name in found:
                pos = found[col.name]
                ref = f"x{pos}" if kind == "xlsx" else '"' + headers[pos].replace('"', '""') + '"'
                canon.append(f"CAST({ref} AS VARCHAR) AS {col.name}")
            else:
                canon.append(f"CAST(NULL AS VARCHAR) AS {col.name}")
        canon.append("_numeric_id" if kind == "xlsx" else "FALSE AS _numeric_id")
        # Two steps.  First the file's cells as text, in file order: a plain scan written with
        # insertion order preserved, so a row's rowid is its place in the file.  Then the typing and
        # ID levels over that table, each row carrying its rowid as `_pos`.  (One CTAS with the levels
        # stacked over the scan was measured to write 122,880-row groups out of file order in DuckDB
        # 2.0 on a 2-thread run: lines and rids pointed at the wrong rows.)
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_text AS SELECT {', '.join(canon)} FROM {scan}")
        body = idrepair.nest(f"(SELECT rowid AS _pos, * FROM {table}_text)", list(levels))
        keep = "_pos, *" if select == "*" else f"_pos, {select}"
        result.rows = con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_data AS SELECT {keep} FROM {body}"
        ).fetchall()[0][0]
        con.execute(f"DROP TABLE {table}_text")
        if kind == "csv":
            result.rejects = _csv_rejects(con)
    finally:
        if kind == "xlsx" and "_xlsx_arrow" in {r[0] for r in con.execute("SHOW TABLES").fetchall()}:
            con.unregister("_xlsx_arrow")
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    _line_view(con, table, result)
    result.table = table
    result.columns = {name: headers[pos] for name, pos in found.items()}
    return result


def _headers(con: duckdb.DuckDBPyConnection, scan: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall() if r[0] != "_line"]


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
        with zipfile.ZipFile(path) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED:
                raise FeedFileError("Excel文件解压后过大，疑似损坏或恶意文件，已拒绝。")
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


def _load_sheet(reader: fastexcel.ExcelReader, **kwargs: Any) -> tuple[pa.Table, list[Any]]:
    # header_row=0 with skip_rows=0: the header is the sheet's first row and data row i is line i + 2,
    # even when the first rows are empty (fastexcel would otherwise skip them).
    sheet = reader.load_sheet(0, header_row=0, skip_rows=0, **kwargs)
    return pa.Table.from_batches([sheet.to_arrow()]), sheet.available_columns()


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, source: Source) -> tuple[ReadResult, str, list[str]]:
    """calamine → Arrow through fastexcel, no Python object per cell.

    One pass when every column holds one kind of cell (all text, all numbers or all dates: the usual
    export).  A column that mixes kinds (an ID column where a few IDs were typed as numbers) costs
    a second pass that tells, per cell, which ID cells were numbers and which other cells dates.
    Returns the scan (columns x0, x1, … and _numeric_id over the registered Arrow table) and the
    headers."""
    _check_zip(path)
    try:
        reader = fastexcel.read_excel(str(path))
        try:
            data, infos = _load_sheet(reader, schema_sample_rows=None, dtype_coercion="strict")
            markers = None
        except fastexcel.UnsupportedColumnTypeCombinationError:
            data, infos = _load_sheet(reader, dtypes="string")
            markers = pa.table({})
    except fastexcel.FastExcelError as exc:
        raise FeedFileError("Excel文件无法读取（已损坏或加密）。") from exc
    if not infos:
        raise FeedFileError("Excel文件的第一个工作表是空的。")
    header = [f"列{c.absolute_index + 1}" if c.column_name_from == "generated" else str(c.name).strip() for c in infos]
    found, _ = source.header_map(header)
    id_pos = found.get("id_number")
    if markers is not None:
        # Per cell: was an ID cell a number (boolean dtype: numbers and booleans only), was any other
        # cell a date or time (duration dtype: dates and times only)?
        kinds = {i: "boolean" if i == id_pos else "duration" for i in range(len(infos))}
        try:
            markers = _load_sheet(reader, dtypes=kinds)[0]
        except fastexcel.FastExcelError as exc:
            raise FeedFileError("Excel文件无法读取（已损坏或加密）。") from exc
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
    selects.append(f"{numeric} AS _numeric_id")
    con.register("_xlsx_arrow", arrow)  # unregistered by read_feed once the table is written
    scan = f"(SELECT {', '.join(selects)} FROM _xlsx_arrow)"
    return ReadResult(table="", rows=n, kind="xlsx", encoding=""), scan, header
