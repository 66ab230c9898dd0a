"""Reading spreadsheets as counties produce them: XLSX (Excel, WPS, LibreOffice)
through calamine, CSV in UTF-8 / GB18030 / GBK / UTF-16.

Yields `(row_number, values, numeric_columns)`: row numbers are those a user
sees in Excel (the header is row 1); `numeric_columns` lists the cells Excel
stored as numbers, which is how a mangled ID number is recognised.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from fangpin.core.archive import ArchiveRefused, check_zip
from fangpin.core.errors import InvalidInput
from fangpin.core.textio import detect_encoding


@dataclass
class Table:
    header: list[Any]
    rows: Iterator[tuple[int, list[Any], frozenset[int]]]
    encoding: str
    row_count_hint: int


def sniff_kind(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput("这是旧版Excel（.xls）文件，请在Excel或WPS中另存为.xlsx或CSV后上传。")
    if head[:5].lower().startswith((b"<html", b"<!doc", b"<?xml")):
        raise InvalidInput("文件内容不是表格（看起来是网页或XML），请上传.xlsx或.csv文件。")
    return "csv"


def _check_zip(path: Path) -> None:
    try:
        infos = check_zip(path)  # expanded size, ratio and entries (SECURITY T-46, FANGPIN_ZIP_MAX_*)
    except ArchiveRefused as exc:
        raise InvalidInput(str(exc)) from exc
    except zipfile.BadZipFile as exc:
        raise InvalidInput("Excel文件已损坏，无法打开。") from exc
    if "xl/vbaProject.bin" in {i.filename for i in infos}:
        raise InvalidInput("文件含有宏（VBA），为安全起见不予处理；请另存为不含宏的.xlsx。")


def read_table(path: Path) -> Table:
    kind = sniff_kind(path)
    return _read_xlsx(path) if kind == "xlsx" else _read_csv(path)


def _read_xlsx(path: Path) -> Table:
    _check_zip(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        rows_iter = sheet.iter_rows()  # streamed: the sheet is never held as Python objects at once
        height = sheet.height
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InvalidInput(f"Excel文件无法读取：{exc}") from exc
    number = 0
    header: list[Any] = []
    for values in rows_iter:
        number += 1
        if any(str(c).strip() for c in values):
            header = list(values)
            break
    if not header:
        raise InvalidInput("表格是空的。")
    first = number

    def rows() -> Iterator[tuple[int, list[Any], frozenset[int]]]:
        for offset, values in enumerate(rows_iter, start=first + 1):
            numeric = frozenset(
                i for i, v in enumerate(values) if isinstance(v, (int, float)) and not isinstance(v, bool)
            )
            yield offset, list(values), numeric

    return Table(header=header, rows=rows(), encoding="xlsx", row_count_hint=max(height - first, 0))


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    encoding = detect_encoding(raw)
    text = raw.decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise InvalidInput("表格是空的。") from exc
    hint = text.count("\n")

    def rows() -> Iterator[tuple[int, list[Any], frozenset[int]]]:
        for values in reader:
            yield reader.line_num, list(values), frozenset()

    return Table(header=header, rows=rows(), encoding=encoding, row_count_hint=hint)
