"""Writing XLSX safely: every cell is text (IDs keep all 18 digits) and a value
that starts like a formula is never written as one (SECURITY T-60)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import xlsxwriter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_xlsx(
    out: BinaryIO, *, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()
) -> int:
    """Write one sheet; returns the number of data rows."""
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    for col, name in enumerate(header):
        ws.write_string(0, col, name, bold)
        ws.set_column(col, col, widths[col] if col < len(widths) else 16, text)
    count = 0
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            cell = safe_cell(value)
            if isinstance(cell, str):
                ws.write_string(r, c, cell)
            else:
                ws.write_number(r, c, cell)
        count += 1
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(count, 1), max(len(header) - 1, 0))
    book.close()
    return count
