"""The monthly feed pipeline core: read → type → repair IDs → link → rules.

Data frames in, data frames out: everything happens in one DuckDB connection
(tables `feed_raw`, `feed`, `feed_issues`, `reg`, `links`, `hits`).  No Django:
the service layer hands in the registry as an Arrow table and writes the
results to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from fangpin.datafeeds import idrepair, reading
from fangpin.datafeeds.sources import Source

DATE_FORMATS = "['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y.%m.%d', '%Y年%m月%d日', '%Y-%m-%d %H:%M:%S']"
SQL_TYPES = {"date": "DATE", "decimal": "DECIMAL(14,2)", "integer": "INTEGER"}

# Issue codes → the Chinese reason a department reads in its feedback file.
ISSUE_TEXT = {
    "unreadable": "该行无法读取",
    "required": "必填项为空",
    "bad_date": "日期格式无法识别（应为2026-03-01之类）",
    "bad_decimal": "金额不是数字",
    "bad_integer": "不是整数",
    "bad_choice": "取值不在规定范围内",
    "id_empty": "身份证号为空，已按姓名、出生日期、性别、村匹配",
    "id_excel_numeric": "身份证号被Excel存成了数字，末几位已丢失，请将该列设为文本后重填",
    "id_excel_scientific": "身份证号被Excel显示成科学计数法，末几位已丢失",
    "id_excel_truncated": "身份证号末三位为000，疑被Excel截断",
    "id_bad_chars": "身份证号含有非法字符",
    "id_bad_length": "身份证号位数不对（应为18位或旧15位）",
    "id_bad_birth_date": "身份证号中的出生日期不存在",
    "id_future_birth_date": "身份证号中的出生日期晚于今天",
    "id_bad_check_digit": "身份证号校验位错误（可能有数字录错）",
    "id_upgraded_15": "旧15位身份证号，已升位为18位",
    "unmatched": "在防返贫监测对象及农户信息库中未找到此人",
    "review": "疑似匹配，待人工核对",
    "birth_mismatch": "出生日期与身份证号不一致",
}


@dataclass
class LoadReport:
    rows: int
    kind: str
    encoding: str
    rejected: int
    issues: int
    id_counts: dict[str, int] = field(default_factory=dict)
    python_id_rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)


def connect(*, threads: int = 2, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


def load(con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, today: date) -> LoadReport:
    """Read, type and repair one department file into table `feed`; issues into `feed_issues`."""
    raw = reading.read_feed(con, path, source)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE feed_issues(line BIGINT, rid BIGINT, column_label VARCHAR, "
        "value VARCHAR, code VARCHAR)"
    )
    if raw.rejects:
        con.executemany(
            "INSERT INTO feed_issues VALUES (?, NULL, '', ?, 'unreadable')", [(r.line, r.text) for r in raw.rejects]
        )
    carry, fix = _typed_select(source)
    python_rows = idrepair.repair_table(
        con, src="feed_raw", raw_col="id_number", key_col="rid", out="feed", today=today, carry=carry, fallback_fix=fix
    )
    if raw.numeric_id_lines:
        con.execute(
            "UPDATE feed SET id18 = NULL, id_status = 'excel_numeric', simple = FALSE "
            "WHERE line IN (SELECT unnest(?::BIGINT[]))",
            [raw.numeric_id_lines],
        )
        con.execute(fix)
    _record_issues(con, source)
    counts = dict(con.execute("SELECT id_status, count(*) FROM feed GROUP BY 1").fetchall())
    issues = con.execute("SELECT count(*) FROM feed_issues").fetchall()[0][0]
    return LoadReport(
        rows=raw.rows,
        kind=raw.kind,
        encoding=raw.encoding,
        rejected=len(raw.rejects),
        issues=issues,
        id_counts=counts,
        python_id_rows=python_rows,
        columns=raw.columns,
    )


def _typed(col: Any) -> str:
    v = f"nullif(trim({col.name}), '')"
    if col.type == "date":
        # ISO dates (most rows) take the cheap cast; other spellings fall through to strptime.
        return f"coalesce(try_cast({v} AS DATE), try_strptime({v}, {DATE_FORMATS})::DATE)"
    if col.type == "decimal":
        return f"try_cast(replace(replace({v}, ',', ''), '元', '') AS DECIMAL(14,2))"
    if col.type == "integer":
        return f"try_cast(try_cast({v} AS DOUBLE) AS INTEGER)"
    if col.type == "enum" and col.name == "sex":
        return f"CASE WHEN {v} IN ('男', 'M', '1') THEN 'M' WHEN {v} IN ('女', 'F', '2') THEN 'F' END"
    if col.type == "enum":
        choices = ", ".join(f"'{c}'" for c in col.choices)
        return f"CASE WHEN {v} IN ({choices}) THEN {v} END"
    return v


ID_BIRTH = "try_strptime(substr(id18, 7, 8), '%Y%m%d')::DATE"
ID_SEX = "CASE WHEN id18 IS NOT NULL THEN CASE WHEN (ascii(substr(id18, 17, 1)) - 48) % 2 = 1 THEN 'M' ELSE 'F' END END"
FEED_KEY = (
    "CASE WHEN id18 IS NULL THEN md5(coalesce(nullif(trim(record_key), ''), concat_ws('|', name, "
    "id_number, birth_date, village_code))) END"
)


def _typed_select(source: Source) -> tuple[str, str]:
    """The typed columns of `feed`, computed in the same pass as the ID repair; and the SQL that
    recomputes the ID-derived ones for the rare rows the Python path decided."""
    extra = [c for c in source.columns if c.name not in ("name", "id_number", "sex", "birth_date", "village_code")]
    birth_col, sex_col = _typed(source.column("birth_date")), _typed(source.column("sex"))
    carry = ", ".join(
        [
            "line",
            "regexp_replace(coalesce(name, ''), '[\\s·•]', '', 'g') AS name",
            "id_number AS id_raw",
            f"coalesce({birth_col}, {ID_BIRTH}, CASE WHEN length(id_clean) = 18 THEN "
            "try_strptime(substr(id_clean, 7, 8), '%Y%m%d')::DATE END) AS birth_date",
            f"coalesce({sex_col}, {ID_SEX}) AS sex",
            "nullif(trim(village_code), '') AS village_code",
            *(f"{_typed(c)} AS {c.name}" for c in extra),
            # The department's record identity (for review decisions); hashed only where it is needed.
            f"{FEED_KEY} AS feed_key",
        ]
    )
    fix = (
        f"UPDATE feed SET birth_date = coalesce(f.b, {ID_BIRTH.replace('id18', 'feed.id18')}), "
        f"sex = coalesce(f.s, {ID_SEX.replace('id18', 'feed.id18')}), "
        f"feed_key = CASE WHEN feed.id18 IS NULL THEN coalesce(feed.feed_key, f.k) END "
        f"FROM (SELECT rid, {birth_col} AS b, {sex_col} AS s, "
        f"md5(coalesce(nullif(trim(record_key), ''), concat_ws('|', name, id_number, birth_date, village_code))) AS k "
        "FROM feed_raw) f WHERE feed.rid = f.rid AND NOT feed.simple"
    )
    return carry, fix


def _record_issues(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    for col in source.columns:
        if col.name in ("id_number", "record_key"):
            continue
        raw = f"nullif(trim(r.{col.name}), '')"
        if col.required:
            con.execute(
                f"INSERT INTO feed_issues SELECT r.line, r.rid, ?, '', 'required' FROM feed_raw r WHERE {raw} IS NULL",
                [col.label],
            )
        if col.type in ("date", "decimal", "integer", "enum"):
            code = {"date": "bad_date", "decimal": "bad_decimal", "integer": "bad_integer"}.get(col.type, "bad_choice")
            con.execute(
                f"INSERT INTO feed_issues SELECT r.line, r.rid, ?, left({raw}, 100), ? FROM feed_raw r "
                f"JOIN feed f USING (rid) WHERE {raw} IS NOT NULL AND f.{col.name} IS NULL",
                [col.label, code],
            )
    con.execute(
        "INSERT INTO feed_issues SELECT line, rid, '身份证号', '', 'id_' || id_status FROM feed "
        f"WHERE id_status NOT IN ('{idrepair.OK}')"
    )


def registry_load(
    con: duckdb.DuckDBPyConnection, frame: Any, *, table: str = "reg", labour_values: tuple[str, ...] = ()
) -> None:
    """Register the registry persons (Arrow/Polars frame with the `reg` columns) as a table.

    A frame with a `labour` column gets the household facts the gap checks need:
    `hh_no_labour` (no active member with labour capacity) and `hh_safety_net`
    (an active member receives 低保 or 特困)."""
    con.register("_reg_in", frame)
    names = {r[0] for r in con.execute("DESCRIBE _reg_in").fetchall()}
    derived = ""
    if "labour" in names and "hh_no_labour" not in names:
        has = ", ".join(f"'{v}'" for v in labour_values) or "''"
        derived = f""", NOT bool_or(labour IN ({has}) AND person_status = 'active') OVER w AS hh_no_labour,
            bool_or((is_dibao OR is_tekun) AND person_status = 'active') OVER w AS hh_safety_net"""
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT *{derived} FROM _reg_in "
            "WINDOW w AS (PARTITION BY household_id)"
        )
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _reg_in")
    con.unregister("_reg_in")


def evaluate_rules(
    con: duckdb.DuckDBPyConnection,
    rules: list[Any],
    *,
    source: Source | None,
    params: dict[str, Any],
    period: str,
    run_day: date,
) -> dict[str, int]:
    """Apply `rules` to the auto-linked feed rows (or to the registry) into table `hits`.

    A hit is keyed on the linked person_id: a row in the review band never raises a
    warning, so a warning never lands on a household the linkage is unsure of.  All rules are
    one DuckDB statement (`rules.compile_rules`): the registry is joined once per run.
    """
    from fangpin.datafeeds.rules import HITS_COLUMNS, compile_rules

    columns = {c.name for c in source.columns} if source else set()
    sql = compile_rules(rules, columns=columns, params=params, period=period, run_day=run_day)
    con.execute(f"CREATE OR REPLACE TEMP TABLE hits({HITS_COLUMNS})")
    con.execute(f"INSERT INTO hits {sql}")
    counts: dict[str, int] = {}
    counts.update({r.code: 0 for r in rules})
    counts.update(dict(con.execute("SELECT rule_code, count(*) FROM hits GROUP BY 1").fetchall()))
    return counts
