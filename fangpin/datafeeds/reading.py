"""Reading department files into DuckDB: XLSX (calamine), CSV (UTF-8, or
GB18030/GBK transcoded to UTF-8 in streaming chunks before DuckDB sees it),
Parquet.

Every data row gets its line number as the department sees it (header = line 1).
A row that cannot be read (wrong number of fields, broken bytes) is reported
with its line in `rejects`, never dropped silently.  No Django.
"""

from __future__ import annotations

import codecs
import datetime as dt
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from python_calamine import CalamineWorkbook

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
    numeric_id_lines: list[int] = field(default_factory=list)
    numeric_cells: dict[str, list[int]] = field(default_factory=dict)
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


def read_feed(con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, table: str = "feed_raw") -> ReadResult:
    """Load `path` into table `table(rid, line, <canonical columns as VARCHAR>)`."""
    kind = sniff_kind(path)
    if kind == "xlsx":
        result = _read_xlsx(con, path, table)
    elif kind == "parquet":
        con.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM read_parquet('{_q(path)}')")
        result = ReadResult(table="_raw", rows=0, kind=kind, encoding="")
    else:
        result = _read_csv(con, path)
    headers = [r[0] for r in con.execute(f"DESCRIBE {result.table}").fetchall()]
    if kind == "parquet":
        headers = [h for h in headers if h != "_line"]
    found, missing = source.header_map(headers)
    if missing:
        raise FeedFileError(f"文件缺少必填列：{'、'.join(missing)}。请按{source.label}的表头模板填报。")
    selects = ["_rid AS rid", "_line AS line"]
    for col in source.columns:
        if col.name in found:
            selects.append(f'CAST("{headers[found[col.name]]}" AS VARCHAR) AS {col.name}')
        else:
            selects.append(f"CAST(NULL AS VARCHAR) AS {col.name}")
    if kind == "parquet":
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _raw2 AS SELECT row_number() OVER () AS _rid, "
            "row_number() OVER () + 1 AS _line, * FROM _raw"
        )
        result.table = "_raw2"
    if result.table == "_csv2" and not result.rejects:
        # A view over the file's table: no copy of the data.
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT {', '.join(selects)} FROM {result.table}")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(selects)} FROM {result.table}")
    result.table = table
    result.rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    result.columns = {name: headers[pos] for name, pos in found.items()}
    if "id_number" in found:
        result.numeric_id_lines = result.numeric_cells.get(headers[found["id_number"]], [])
    return result


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    encoding = detect_encoding(path)
    tmp: Path | None = None
    target = path
    if encoding == "gb18030":
        handle = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)  # noqa: SIM115 - removed below
        handle.close()
        tmp = Path(handle.name)
        transcode_to_utf8(path, tmp, encoding)
        target = tmp
    try:
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _csv AS SELECT * FROM read_csv('{_q(target)}', header=true, "
            "all_varchar=true, store_rejects=true, auto_detect=true, sample_size=20480, encoding='utf-8')"
        )
        rejected = con.execute(
            "SELECT line, min(error_type), min(csv_line) FROM reject_errors GROUP BY line ORDER BY line"
        ).fetchall()
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    rejects = [
        Reject(line=int(line), reason=_reject_reason(kind), text=(text or "")[:200]) for line, kind, text in rejected
    ]
    good = con.execute("SELECT count(*) FROM _csv").fetchall()[0][0]
    # Line numbers: row i is the i-th line after the header that was not rejected.  For each
    # rejected line, `before` = good rows above it; an ASOF join finds how many lie before row i.
    con.execute("CREATE OR REPLACE TEMP TABLE _rej(line BIGINT)")
    if rejects:
        con.execute("INSERT INTO _rej SELECT unnest(?::BIGINT[])", [[r.line for r in rejects]])
    if not rejects:
        # The table keeps the file's order: rowid is the data row's index.
        con.execute("CREATE OR REPLACE TEMP VIEW _csv2 AS SELECT rowid + 1 AS _rid, rowid + 2 AS _line, * FROM _csv")
        return ReadResult(table="_csv2", rows=good, kind="csv", encoding=encoding, rejects=rejects)
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW _csv2 AS
        WITH rj AS (SELECT line - 1 - row_number() OVER (ORDER BY line) AS before,
                           row_number() OVER (ORDER BY line) AS k FROM _rej),
             ids AS (SELECT range AS _rid FROM range(1, {good + 1})),
             lined AS (SELECT ids._rid, ids._rid + 1 + coalesce(rj.k, 0) AS _line
                       FROM ids ASOF LEFT JOIN rj ON ids._rid > rj.before)
        SELECT * FROM (SELECT * FROM lined ORDER BY _rid) POSITIONAL JOIN _csv"""
    )
    return ReadResult(table="_csv2", rows=good, kind="csv", encoding=encoding, rejects=rejects)


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


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> ReadResult:
    _check_zip(path)
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types
        raise FeedFileError("Excel文件无法读取（已损坏或加密）。") from exc
    if not rows:
        raise FeedFileError("Excel文件的第一个工作表是空的。")
    header = [str(h).strip() if h is not None else f"列{i + 1}" for i, h in enumerate(rows[0])]
    body = rows[1:]
    columns: dict[str, list[str | None]] = {}
    numeric: dict[str, list[int]] = {}
    for c, name in enumerate(header):
        values = [r[c] if c < len(r) else None for r in body]
        # A number where an ID belongs may have lost digits in Excel: remember its lines.
        kinds = set(map(type, values))
        numeric[name] = [i + 2 for i, v in enumerate(values) if isinstance(v, float)] if float in kinds else []
        # Text-only columns (most of them) go to Arrow as they are; only others are converted per cell.
        columns[name] = values if kinds <= {str, type(None)} else [_cell_text(v) for v in values]
    n = len(body)
    arrow = pa.table(
        {
            "_rid": np.arange(1, n + 1, dtype=np.int64),
            "_line": np.arange(2, n + 2, dtype=np.int64),
            **{k: pa.array(v, pa.string()) for k, v in columns.items()},
        }
    )
    con.register("_xlsx_arrow", arrow)
    con.execute("CREATE OR REPLACE TEMP TABLE _xlsx AS SELECT * FROM _xlsx_arrow")
    con.unregister("_xlsx_arrow")
    result = ReadResult(table="_xlsx", rows=n, kind="xlsx", encoding="")
    result.numeric_cells = numeric
    return result
