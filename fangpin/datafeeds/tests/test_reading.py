"""Reading department files: encodings, formats, line numbers of rejected rows (no database)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from fangpin.core import archive
from fangpin.datafeeds.core import pipeline, reading
from fangpin.datafeeds.core.sources.departments import get_source

MED = get_source("medical_security")
TODAY = date(2026, 11, 23)
HEADER = "姓名,身份证号码,性别,参保状态,年度累计个人自付,结算日期\n"


def _load(path):
    con = pipeline.connect()
    report = pipeline.load(con, path, MED, today=TODAY)
    return con, report


def test_rows_after_rejected_ones_keep_the_line_numbers_the_department_sees(tmp_path):
    path = tmp_path / "f.csv"
    body = (
        "甲,,男,已参保,1,2026-10-01\n坏,1\n乙,,女,已参保,2,2026-10-01\n坏,1,2,3,4,5,6,7\n丙,,男,已参保,3,2026-10-01\n"
    )
    path.write_text(HEADER + body, encoding="utf-8")
    con, report = _load(path)
    assert report.rows == 3 and report.rejected == 2
    assert con.execute("SELECT name, line FROM feed ORDER BY line").fetchall() == [("甲", 2), ("乙", 4), ("丙", 6)]
    assert sorted(r[0] for r in con.execute("SELECT line FROM feed_issues WHERE code = 'unreadable'").fetchall()) == [
        3,
        5,
    ]


def test_gb18030_with_characters_across_every_chunk_boundary_round_trips_unaltered(tmp_path, monkeypatch):
    monkeypatch.setattr(reading.csv_file, "CHUNK", 7)  # every multi-byte character straddles some boundary
    names = ["王伟", "𠈌一", "李娜", "䶮二", "欧阳堃"]
    text = HEADER + "".join(f"{n},,男,已参保,{i},2026-10-01\n" for i, n in enumerate(names))
    path = tmp_path / "gb.csv"
    path.write_bytes(text.encode("gb18030"))
    con, report = _load(path)
    assert report.encoding == "gb18030"
    assert [r[0] for r in con.execute("SELECT name FROM feed ORDER BY line").fetchall()] == names


def test_a_file_neither_utf8_nor_gb18030_is_refused_with_its_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode("gb18030") + "甲,,男,已参保,1,2026-10-01\n".encode("gb18030") + b"\x81\x20bad\n")
    with pytest.raises(reading.FeedFileError) as info:
        _load(path)
    assert "第3行" in str(info.value)


def test_xlsx_and_parquet_read_like_csv_and_numeric_ids_are_flagged(tmp_path):
    frame = pl.DataFrame(
        {"姓名": ["甲", "乙"], "身份证号": ["110101199001011237", None], "参保状态": ["已参保", "断保"]}
    )
    xlsx = tmp_path / "f.xlsx"
    frame.write_excel(xlsx)
    con, report = _load(xlsx)
    assert report.kind == "xlsx" and report.rows == 2
    assert con.execute("SELECT name, line, id_status FROM feed ORDER BY line").fetchall() == [
        ("甲", 2, "ok"),
        ("乙", 3, "empty"),
    ]
    numeric = pl.DataFrame({"姓名": ["丙"], "身份证号": [110101199001011237.0]})
    path = tmp_path / "n.xlsx"
    numeric.write_excel(path)
    con, _ = _load(path)
    assert con.execute("SELECT id18, id_status FROM feed").fetchall() == [(None, "excel_numeric")]
    parquet = tmp_path / "f.parquet"
    frame.write_parquet(parquet)
    con, report = _load(parquet)
    assert report.kind == "parquet" and report.rows == 2


def test_a_renamed_column_is_found_through_its_alias_and_a_missing_one_is_named(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("参保人姓名,公民身份号码,累计自付金额\n甲,,100\n", encoding="utf-8")
    con, _ = _load(path)
    assert con.execute("SELECT name, oop_ytd FROM feed").fetchall()[0][0] == "甲"
    path.write_text("身份证号\n1\n", encoding="utf-8")
    with pytest.raises(reading.FeedFileError) as info:
        _load(path)
    assert "姓名" in str(info.value)


def test_values_that_cannot_be_typed_are_reported_with_column_and_line_and_the_row_is_kept(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "甲,,男,不知道,abc,2026-13-40\n", encoding="utf-8")
    con, _ = _load(path)
    issues = set(con.execute("SELECT line, column_label, code FROM feed_issues").fetchall())
    assert {
        (2, "参保状态", "bad_choice"),
        (2, "年度累计个人自付", "bad_decimal"),
        (2, "结算日期", "bad_date"),
    } <= issues
    assert con.execute("SELECT count(*) FROM feed").fetchall()[0][0] == 1


def _excel(path, rows):
    """A workbook as Excel or LibreOffice saves it: cells keep their own types (text, number, date)."""
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _raw_text(path, columns):
    """The cells as the reader hands them on (text), before any typing."""
    con = pipeline.connect()
    reading.read_feed(con, path, MED)
    return con.execute(f"SELECT {columns} FROM feed_raw ORDER BY line").fetchall()  # noqa: S608 - test columns


def test_xlsx_ids_typed_as_numbers_among_text_ids_keep_their_digits_and_their_lines(tmp_path):
    from datetime import datetime, time

    path = _excel(
        tmp_path / "mixed.xlsx",
        [
            ["姓名", "身份证号码", "年度累计个人自付", "结算日期", "参保状态"],
            ["甲", "110101199001011237", 100, datetime(2026, 10, 1), "已参保"],
            ["乙", 110101199001011237, 12.5, datetime(2026, 10, 2, 9, 30), None],
            ["丙", 110101900101123, "1,000", "2026/10/3", "断保"],
            [None, None, None, None, None],
            ["丁", "", 0.5, time(12, 30), "已参保"],
        ],
    )
    con, _ = _load(path)
    raw = _raw_text(path, "line, name, id_number, oop_ytd, event_date")
    verdicts = con.execute("SELECT line, id_status, id18 FROM feed ORDER BY line").fetchall()
    rows = [(*r, *v[1:]) for r, v in zip(raw, verdicts, strict=True)]
    assert rows == [
        (2, "甲", "110101199001011237", "100", "2026-10-01", "ok", "110101199001011237"),
        # A number in Excel: no ".0", no 1.10101199001011e+17, and refused with its line.
        (3, "乙", "110101199001011200", "12.5", "2026-10-02", "excel_numeric", None),
        (4, "丙", "110101900101123", "1,000", "2026/10/3", "excel_numeric", None),
        (5, None, None, None, None, "empty", None),
        (6, "丁", None, "0.5", "12:30:00", "empty", None),
    ]
    issues = set(con.execute("SELECT line, code FROM feed_issues WHERE code LIKE 'id_excel%'").fetchall())
    assert issues == {(3, "id_excel_numeric"), (4, "id_excel_numeric")}
    typed = con.execute("SELECT event_date, oop_ytd FROM feed ORDER BY line").fetchall()
    assert typed[:3] == [(date(2026, 10, 1), 100), (date(2026, 10, 2), 12.5), (date(2026, 10, 3), 1000)]


def test_xlsx_whose_columns_each_hold_one_kind_of_cell_reads_numbers_and_dates_as_typed(tmp_path):
    from datetime import datetime

    path = _excel(
        tmp_path / "typed.xlsx",
        [
            ["姓名", "身份证号", "年度累计个人自付", "结算日期"],
            ["甲", 110101199001011237, 3000, datetime(2026, 10, 1)],
            ["乙", None, 1e16, datetime(2026, 10, 2, 23, 59)],
        ],
    )
    _, report = _load(path)
    assert _raw_text(path, "line, id_number, oop_ytd, event_date") == [
        (2, "110101199001011200", "3000", "2026-10-01"),
        (3, None, "10000000000000000", "2026-10-02"),
    ]
    assert report.id_counts == {"excel_numeric": 1, "empty": 1}


def test_xlsx_that_would_unpack_too_large_is_refused_before_reading(tmp_path, monkeypatch):
    path = _excel(tmp_path / "big.xlsx", [["姓名", "身份证号"], ["甲", "110101199001011237"]])
    monkeypatch.setattr(archive, "LIMITS", archive.ZipLimits(max_bytes=100))
    with pytest.raises(reading.FeedFileError) as info:
        _load(path)
    assert "过大" in str(info.value)


def test_a_damaged_xlsx_is_refused_with_a_chinese_message(tmp_path):
    path = tmp_path / "broken.xlsx"
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("note.txt", "not a workbook")
    with pytest.raises(reading.FeedFileError) as info:
        _load(path)
    assert "Excel" in str(info.value)


def test_ids_only_the_registry_module_can_decide_get_its_verdict_and_what_follows_from_it(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        HEADER.replace("性别,", "性别,出生日期,")
        # An ideographic space inside the ID (NFKC makes it a plain space): valid once the module decides.
        + "甲,110101\u3000199001011237,,不详,已参保,1,2026-10-01\n"
        + "乙,1.10101E+17,女,1990-01-01,已参保,2,2026-10-01\n"
        + "丙,110101199001011237,,,已参保,3,2026-10-01\n",
        encoding="utf-8",
    )
    con, report = _load(path)
    assert report.python_id_rows == 2
    rows = con.execute(
        "SELECT line, id18, id_status, birth_date, sex, feed_key IS NULL, id_key FROM feed ORDER BY line"
    ).fetchall()
    key = 11010119900101123 * 11 + 7
    assert rows == [
        (2, "110101199001011237", "ok", date(1990, 1, 1), "M", True, key),
        (3, None, "excel_scientific", date(1990, 1, 1), "F", False, None),
        (4, "110101199001011237", "ok", date(1990, 1, 1), "M", True, key),
    ]
    issues = set(con.execute("SELECT line, column_label, code FROM feed_issues").fetchall())
    # The birth date the ID supplies is no longer "unreadable" for line 2; the Excel-mangled ID is reported.
    assert issues == {(3, "身份证号", "id_excel_scientific")}


def _id(n: int) -> str:
    from fangpin.core import idnumber

    first17 = f"110101{19500101 + n % 28 + (n % 12) * 100:08d}{n % 1000:03d}"
    return first17 + idnumber.check_digit(first17)


@pytest.mark.parametrize("rejected", [False, True])
def test_every_row_of_a_file_larger_than_one_row_group_keeps_its_own_line(tmp_path, rejected):
    """DuckDB writes 122,880-row groups; a row's line and rid must point at that row whatever order
    the groups are written in (a single typed scan once swapped groups at random)."""
    n = 300_000
    lines = [f"人{i},{_id(i)},男,已参保,{i},2026-10-01\n" for i in range(n)]
    if rejected:
        lines.insert(150_000, "坏,1\n")  # file line 150,002 is unreadable
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    for _ in range(3):  # the swap was not deterministic: read the file three times
        con, report = _load(path)
        assert report.rows == n
        # Row i of the file (0-based, rejected line skipped) is named 人i; its rid is i + 1.
        assert con.execute("SELECT count(*) FROM feed WHERE name <> '人' || (rid - 1)").fetchall()[0][0] == 0
        skip = "SELECT count(*) FROM feed WHERE line <> rid + 1 + (? AND line > 150002)::INT"
        assert con.execute(skip, [rejected]).fetchall()[0][0] == 0
        # The amount column was typed from the same row: the ID and the row never part.
        assert con.execute("SELECT count(*) FROM feed WHERE id18 IS NULL").fetchall()[0][0] == 0


CLEAN_DIALECTS = {
    "spaces_and_quotes": HEADER + ' 甲 ,110101199001011237, 男 ,"已参保","",2026-10-01\n乙,,"",断保,"1,000元",\n',
    "crlf_bom": "\ufeff"
    + (HEADER + "甲,110101199001011237,男,已参保,1,2026-10-01\n乙,,女,断保,2,\n").replace("\n", "\r\n"),
    "quoted_newline": HEADER + '"甲\n乙",110101199001011237,男,已参保,1,2026-10-01\n丙,,女,断保,2,2026/10/1\n',
    "words_not_null": HEADER + "NULL,NA,N/A,nan,#N/A,-\n乙,,女,断保,2,\n",
    "semicolons": (HEADER + "甲,110101199001011237,男,已参保,1,2026-10-01\n乙,,女,断保,2,\n").replace(",", ";"),
    "tabs": (HEADER + "甲,110101199001011237,男,已参保,1,2026-10-01\n乙,,女,断保,2,\n").replace(",", "\t"),
    "blank_lines": HEADER + "甲,110101199001011237,男,已参保,1,2026-10-01\n\n乙,,女,断保,2,\n\n\n",
}


@pytest.mark.parametrize("name", sorted(CLEAN_DIALECTS))
def test_a_well_formed_csv_reads_the_same_through_arrow_as_through_duckdbs_reader(tmp_path, name):
    """The fast reader (Arrow) and DuckDB's reader give every row the same cells, rid and line."""
    path = tmp_path / f"{name}.csv"
    path.write_bytes(CLEAN_DIALECTS[name].encode("utf-8"))
    tables = []
    for engine in ("auto", "duckdb"):
        con = pipeline.connect()
        raw = reading.read_feed(con, path, MED, csv_engine=engine)
        assert raw.rejects == [] and raw.reader == ("arrow" if engine == "auto" else "duckdb")
        tables.append(con.execute("SELECT * FROM feed_raw ORDER BY rid").fetchall())
    assert tables[0] == tables[1] and len(tables[0]) >= 2


TYPING_FILES = {
    **CLEAN_DIALECTS,
    "clean": HEADER + "甲,110101199001011237,男,已参保,1,2026-10-01\n乙,,女,断保,2.5,2026/10/1\n丙,x,,,,\n",
    "name_with_dot_and_tab": HEADER + "阿依·古丽,,女,已参保,1,2026-10-01\n买买\t提,,男,断保,2,\n",
    "padded_choice_only": HEADER + "甲,,男 ,已参保,1,2026-10-01\n乙,,女,断保 ,2,\n丙,,3,未知,3,\n",
    "empty_quoted": HEADER + '甲,,"",已参保,1,2026-10-01\n"",,女,"",2,\n',
    "bad_values": HEADER + "甲,,男,已参保,一千,2026-13-01\n乙,,女,断保,1,000,\n",
}


@pytest.mark.parametrize("name", sorted(TYPING_FILES))
def test_typing_skips_only_repairs_no_value_of_the_file_needs(tmp_path, name):
    """Over Arrow the typing SQL leaves out the trimming, emptying and name cleaning a column's values
    do not need; every typed value and every reported issue is what the full SQL (over DuckDB's
    reader, where nothing is known of the values) gives."""
    path = tmp_path / f"{name}.csv"
    path.write_bytes(TYPING_FILES[name].encode("utf-8"))
    seen = []
    for engine in ("auto", "duckdb"):
        con = pipeline.connect()
        report = pipeline.load(con, path, MED, today=TODAY, csv_engine=engine)
        seen.append(
            (
                report.issues,
                con.execute("SELECT * FROM feed ORDER BY rid").fetchall(),
                con.execute("SELECT * FROM feed_issues ORDER BY line, column_label, code").fetchall(),
            )
        )
    assert seen[0] == seen[1] and seen[0][1]


def test_a_csv_with_an_unreadable_row_is_read_by_duckdbs_reader_with_that_line_reported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + '甲,,男,已参保,1,2026-10-01\n坏"行,1,2,3,4,5,6,7,8\n乙,,女,断保,2,\n', encoding="utf-8")
    con = pipeline.connect()
    raw = reading.read_feed(con, path, MED)
    assert raw.reader == "duckdb" and [r.line for r in raw.rejects] == [3]
    assert con.execute("SELECT name, line FROM feed_raw ORDER BY rid").fetchall() == [("甲", 2), ("乙", 4)]
