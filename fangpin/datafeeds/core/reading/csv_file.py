"""CSV: UTF-8, or GB18030/GBK transcoded to UTF-8 in streaming chunks before DuckDB sees it; a
well-formed file read by Arrow in file order, any other through DuckDB's reader, which names each
rejected line.  No Django."""

from __future__ import annotations

import codecs
import mmap
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from fangpin.datafeeds.core.reading.columns import _q, _register
from fangpin.datafeeds.core.reading.types import FeedFileError, Opened, ReadResult, Reject
from fangpin.datafeeds.core.sources import Source

CHUNK = 4 * 1024 * 1024
SNIFF = 256 * 1024


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


def _csv_rejects(con: duckdb.DuckDBPyConnection) -> list[Reject]:
    rejected = con.execute(
        "SELECT line, min(error_type), min(csv_line) FROM reject_errors GROUP BY line ORDER BY line"
    ).fetchall()
    return [
        Reject(line=int(line), reason=_reject_reason(kind), text=(text or "")[:200]) for line, kind, text in rejected
    ]


def _reject_reason(kind: str) -> str:
    return {
        "TOO MANY COLUMNS": "该行的列数多于表头（可能多了逗号），无法读取",
        "MISSING COLUMNS": "该行的列数少于表头，无法读取",
        "INVALID UNICODE": "该行含有无法识别的字符（编码错误）",
        "UNQUOTED VALUE": "该行引号不配对，无法读取",
    }.get(str(kind).upper(), "该行格式错误，无法读取")


def open_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: Source,
    *,
    table: str,
    today: date,
    shaped: bool,
    csv_engine: str,
) -> Opened:
    """A CSV's scan: GB18030 transcoded to a temporary UTF-8 copy first; a well-formed file read to
    Arrow (`csv_engine="auto"`), any other scanned by DuckDB's reader into a text table."""
    encoding = detect_encoding(path)
    opened = Opened(result=ReadResult(table=table, rows=0, kind="csv", encoding=encoding), scan="", headers=[])
    target = path
    try:
        if encoding == "gb18030":
            handle = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)  # noqa: SIM115 - removed by read_feed
            handle.close()
            opened.tmp = target = Path(handle.name)
            transcode_to_utf8(path, target, encoding)
        _scan_csv(con, target, source, opened, today=today, shaped=shaped, csv_engine=csv_engine)
    except BaseException:
        if opened.tmp is not None:
            opened.tmp.unlink(missing_ok=True)
        raise
    return opened


def _scan_csv(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    source: Source,
    opened: Opened,
    *,
    today: date,
    shaped: bool,
    csv_engine: str,
) -> None:
    opened.headers, dialect = _sniff_csv(con, target)
    arrow = _csv_arrow(target, len(opened.headers), dialect) if csv_engine == "auto" else None
    if arrow is not None:
        opened.scan, opened.result.facts = _register(
            con, "_csv_arrow", arrow, source, opened.headers, by_position=True, today=today, shaped=shaped
        )
        opened.registered.append("_csv_arrow")
        opened.result.reader = "arrow"
    else:
        # The same options for the header as for the scan: the sniffer's verdict depends on them.
        opened.scan = f"read_csv('{_q(target)}', {CSV_OPTIONS}, store_rejects=true)"
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        opened.text_table = True
        opened.result.reader = "duckdb"
