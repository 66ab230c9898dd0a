"""Reading department files into DuckDB, one module per format (`csv_file`, `xlsx_file`; Parquet is
read by Arrow in `feed`), the shared Arrow registration in `columns` and the shared typing in
`types`.  `read_feed` is the entry point.  No Django."""

from fangpin.datafeeds.core.reading.columns import column_facts, positions
from fangpin.datafeeds.core.reading.feed import read_feed, sniff_kind
from fangpin.datafeeds.core.reading.types import ABSENT, CLEAN, UNKNOWN, Facts, FeedFileError, ReadResult, Reject

__all__ = [
    "ABSENT",
    "CLEAN",
    "UNKNOWN",
    "Facts",
    "FeedFileError",
    "ReadResult",
    "Reject",
    "column_facts",
    "positions",
    "read_feed",
    "sniff_kind",
]
