"""What reading a department file yields, shared by every format: the row rejects, the result, the
column Facts, and the one error a file that cannot be used raises.  No Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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


@dataclass
class Opened:
    """A file opened by its format's reader: the scan `read_feed` writes the table from (with the
    canonical columns, and the ID verdict for a typed read), the headers, the Arrow tables to
    unregister and the transcoded copy to delete afterwards.  `text_table`: the scan is DuckDB's
    CSV reader, whose rows get their place from a text table written in file order."""

    result: ReadResult
    scan: str
    headers: list[str]
    registered: list[str] = field(default_factory=list)
    text_table: bool = False
    tmp: Path | None = None
