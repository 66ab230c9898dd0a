"""A large sheet parsed in two parts on two cores (`xlsxparts`) reads exactly as when parsed whole:
the same rows on the same lines, the same typed values, ID verdicts and issues, wherever the cut falls."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from fangpin.core.idnumber import check_digit
from fangpin.datafeeds import pipeline, reading, xlsxparts
from fangpin.datafeeds.sources.departments import get_source

MED = get_source("medical_security")
TODAY = date(2026, 11, 23)
HEADER = ["姓名", "身份证号码", "性别", "参保状态", "年度累计个人自付", "结算日期", "当月门诊特殊病自付"]
ROWS = 240
GAP = range(90, 101)  # rows left empty in the middle of the sheet


def _id(i: int) -> str:
    first17 = f"110101{1950 + i % 60}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    return first17 + check_digit(first17)


def _rows(*, mixed: bool) -> list[list]:
    rows = []
    for i in range(ROWS):
        if i in GAP:
            rows.append([None] * len(HEADER))
            continue
        half = i >= ROWS // 2
        ident: str | int = _id(i)
        if mixed and i % 29 == 5:
            ident = int(ident[:17] + "0")  # typed as a number in Excel: the last digits are lost
        spent = i * 3 + 0.5 if half else i * 3  # whole numbers in the first half, fractions in the second
        when = f"2026/10/{1 + i % 28}" if mixed and i % 31 == 7 else datetime(2026, 10, 1 + i % 28)
        special = i * 1.5 if half and i % 17 == 0 else None  # a column of numbers empty in the first half
        rows.append([f"张{i}", ident, "男" if i % 2 else "女", "已参保", spent, when, special])
    return rows


def _openpyxl_book(path: Path, rows: list[list]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _xlsxwriter_book(path: Path, rows: list[list]) -> Path:
    """As polars (xlsxwriter) writes a frame: one type per column (text where the values mix kinds), no
    empty rows."""
    kept = [r for r in rows if any(v is not None for v in r)]
    columns = {h: [r[i] for r in kept] for i, h in enumerate(HEADER)}
    for name, values in columns.items():
        if len({float if type(v) is int else type(v) for v in values if v is not None}) > 1:
            columns[name] = [None if v is None else str(v) for v in values]
    frame = pl.DataFrame(columns, strict=False)
    frame.write_excel(path)
    return path


def _read(path: Path) -> dict[str, list]:
    con = pipeline.connect()
    report = pipeline.load(con, path, MED, today=TODAY)
    return {
        "rows": report.rows,
        "feed": con.execute("SELECT * FROM feed ORDER BY line").fetchall(),
        "issues": sorted(con.execute("SELECT line, column_label, code FROM feed_issues").fetchall()),
    }


def _parts(path: Path) -> list[xlsxparts.Part]:
    with xlsxparts.cut(path) as parts:
        return list(parts)


@pytest.fixture
def cut_everything(monkeypatch):
    monkeypatch.setattr(xlsxparts, "CUT_MIN_BYTES", 0)
    return monkeypatch


@pytest.fixture
def passes(monkeypatch) -> list[str]:
    """How each read went: "cut" or "whole" per parse, "again" per second pass over the parsed sheet
    (a column mixing kinds of cells)."""
    seen: list[str] = []
    parse, load = reading._sheet_cells, reading._Sheet.load

    def parse_spy(path, source, *, whole):
        seen.append("whole" if whole else "cut")
        return parse(path, source, whole=whole)

    def load_spy(self, pool, **kwargs):
        seen.append("again")
        return load(self, pool, **kwargs)

    monkeypatch.setattr(reading, "_sheet_cells", parse_spy)
    monkeypatch.setattr(reading._Sheet, "load", load_spy)
    return seen


def _whole(path: Path, monkeypatch) -> dict[str, list]:
    with monkeypatch.context() as m:
        m.setattr(xlsxparts, "CUT_MIN_BYTES", 10**12)
        assert _parts(path) == []
        return _read(path)


@pytest.mark.parametrize("writer", [_openpyxl_book, _xlsxwriter_book])
@pytest.mark.parametrize("mixed", [False, True], ids=["one-kind-columns", "mixed-columns"])
@pytest.mark.parametrize("share", [0.1, 0.3, 0.4, 0.45, 0.5, 0.55, 0.7, 0.9])
def test_a_sheet_cut_anywhere_reads_as_it_does_whole(tmp_path, cut_everything, passes, writer, mixed, share):
    path = writer(tmp_path / "feed.xlsx", _rows(mixed=mixed))
    whole = _whole(path, cut_everything)
    cut_everything.setattr(xlsxparts, "FIRST_SHARE", share)
    parts = _parts(path)
    assert len(parts) == 2 and parts[0].first_row == 0 and 0 < parts[1].first_row < ROWS
    passes.clear()
    assert _read(path) == whole
    # The parts lined up (no second, whole parse); a column of numbers empty in one part is still
    # one column of numbers, read in one pass.
    assert passes == (["cut", "again", "again"] if mixed and writer is _openpyxl_book else ["cut"])
    assert whole["rows"] == (ROWS if writer is _openpyxl_book else ROWS - len(GAP))
    if mixed and writer is _openpyxl_book:  # the IDs typed as numbers are refused on their own lines
        numeric = [line for line, _, code in whole["issues"] if code == "id_excel_numeric"]
        assert numeric == [i + 2 for i in range(ROWS) if i % 29 == 5 and i not in GAP]


def _rewrite_sheet(path: Path, change, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    out = path.with_name("changed.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename.startswith("xl/worksheets/") else data)
    return out


def test_rows_out_of_order_in_the_file_make_the_parts_misfit_and_the_sheet_is_read_whole(
    tmp_path, cut_everything, passes
):
    path = _openpyxl_book(tmp_path / "feed.xlsx", _rows(mixed=False))

    def third_row_last(xml: bytes) -> bytes:
        row = re.search(rb'<row r="3".*?</row>', xml).group(0)
        return xml.replace(row, b"").replace(b"</sheetData>", row + b"</sheetData>")

    moved = _rewrite_sheet(path, third_row_last)
    whole = _whole(moved, cut_everything)
    assert len(_parts(moved)) == 2  # cut, then found not to line up: row 3 comes after the cut
    passes.clear()
    assert _read(moved) == whole == _whole(path, cut_everything)
    assert passes[:2] == ["cut", "whole"]


def test_a_workbook_saved_without_compression_is_cut_and_reads_as_whole(tmp_path, cut_everything, passes):
    path = _openpyxl_book(tmp_path / "feed.xlsx", _rows(mixed=True))
    stored = _rewrite_sheet(path, lambda xml: xml, zipfile.ZIP_STORED)
    whole = _whole(stored, cut_everything)
    assert len(_parts(stored)) == 2
    passes.clear()
    assert _read(stored) == whole == _whole(path, cut_everything)
    assert passes[0] == "cut" and "whole" not in passes


def test_rows_without_their_numbers_are_not_cut_and_read_in_order(tmp_path, cut_everything):
    path = _openpyxl_book(tmp_path / "feed.xlsx", [r for i, r in enumerate(_rows(mixed=False)) if i not in GAP])
    bare = _rewrite_sheet(path, lambda xml: re.sub(rb'(<row|<c) r="[A-Z]*\d+"', rb"\1", xml))
    assert _parts(bare) == []
    assert _read(bare)["feed"] == _whole(path, cut_everything)["feed"]


def test_a_workbook_with_two_sheets_is_not_cut(tmp_path, cut_everything):
    import openpyxl

    path = _openpyxl_book(tmp_path / "feed.xlsx", _rows(mixed=False))
    book = openpyxl.load_workbook(path)
    book.create_sheet("说明").append(["本表由医保局导出"])
    book.save(path)
    assert _parts(path) == []
    assert _read(path)["rows"] == ROWS


def test_a_part_calamine_cannot_open_makes_the_sheet_read_whole(tmp_path, cut_everything, passes):
    path = _openpyxl_book(tmp_path / "feed.xlsx", _rows(mixed=True))
    whole = _whole(path, cut_everything)
    write = xlsxparts._write_part
    # As where /proc is not what it seems: the part is written but its name leads nowhere.
    cut_everything.setattr(xlsxparts, "_write_part", lambda *a: write(*a) + "-gone")
    passes.clear()
    assert _read(path) == whole
    assert passes[:2] == ["cut", "whole"]


def test_a_damaged_sheet_is_refused_with_a_chinese_message_when_it_would_be_cut(tmp_path, cut_everything, passes):
    path = _openpyxl_book(tmp_path / "feed.xlsx", _rows(mixed=False))
    with zipfile.ZipFile(path) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size * 3 // 4
    data[middle : middle + 64] = bytes(64)  # the last part of the sheet's compressed stream spoiled
    path.write_bytes(bytes(data))
    with pytest.raises(reading.FeedFileError) as info_:
        _read(path)
    assert "Excel文件" in str(info_.value)
    assert passes == ["cut", "whole"]  # the cut found the damage, the whole parse named it
