"""The monthly feed pipeline core: read → type → repair IDs → link → rules.

Data frames in, data frames out: everything happens in one DuckDB connection
(`feed` and `feed_issues`, views over the one table the file is read into; tables `reg`,
`links`, `hits`).  No Django:
the service layer hands in the registry as an Arrow table and writes the
results to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from fangpin.core.memory import no_huge_pages
from fangpin.datafeeds.core import idrepair, reading
from fangpin.datafeeds.core.rules import compile_rules
from fangpin.datafeeds.core.sources import Source

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
    """An in-memory DuckDB for one run.  Automatic checkpoints are off: in an in-memory database a
    checkpoint only compresses the tables, and one fired inside the typing statement of every file
    past a few million rows (a 10M-row file: 16.7 → 12.0 s for the load) and left the registry
    compressed, which made reading a few thousand scattered persons decode most of its segments.
    The tables stay as written; past `memory_limit` DuckDB still evicts blocks to temporary files.
    Transparent huge pages are turned off for the process (`no_huge_pages`)."""
    no_huge_pages()
    con = duckdb.connect()
    con.execute("SET checkpoint_threshold = '1TB'")
    con.execute(f"SET threads = {threads}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


def load(
    con: duckdb.DuckDBPyConnection, path: Path, source: Source, *, today: date, csv_engine: str = "auto"
) -> LoadReport:
    """Read, type and repair one department file into view `feed`; its issues into view `feed_issues`.

    One scan of the file: every column typed (the SQL written from what the columns hold), every
    plain ID decided in NumPy with its int64 join key (`idrepair.verdict`), each row's column
    issues recorded beside it.  Only the rare IDs the verdict leaves to the registry's ID module
    (see idrepair) take a second look, and only those rows."""
    raw = reading.read_feed(
        con,
        path,
        source,
        table="_feed",
        levels=lambda facts: [*idrepair.id_level("id_number"), _typed_level(source, facts)],
        select=lambda facts: _final_select(source, facts),
        today=today,
        csv_engine=csv_engine,
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _feed_rejects(line BIGINT, value VARCHAR)")
    if raw.rejects:
        con.executemany("INSERT INTO _feed_rejects VALUES (?, ?)", [(r.line, r.text) for r in raw.rejects])
    rare = con.execute(
        "SELECT rid, id_raw FROM _feed WHERE id_status IS NULL"  # the values the verdict left undecided
    ).fetchall()
    if rare:
        idrepair.python_fixes(con, rare, key_col="rid", today=today)
        con.execute(f"CREATE OR REPLACE TEMP VIEW feed AS {_fixed_view(source, raw.facts)}")
    else:
        shown = f"* EXCLUDE (_feed_src), {_feed_key()} AS feed_key, {_id_clean()} AS id_clean"
        shown += _absent_columns(source, raw.facts)
        con.execute(f"CREATE OR REPLACE TEMP VIEW feed AS SELECT {shown} FROM _feed")
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW feed_issues AS
        SELECT line, CAST(NULL AS BIGINT) AS rid, '' AS column_label, value, 'unreadable' AS code FROM _feed_rejects
        UNION ALL
        SELECT line, rid, i.label, i.value, i.code
        FROM (SELECT line, rid, unnest(issues) AS i FROM feed WHERE issues IS NOT NULL)
        UNION ALL
        SELECT line, rid, '身份证号', '', 'id_' || id_status FROM feed WHERE id_status <> '{idrepair.OK}'"""
    )
    stats = con.execute("SELECT id_status, count(*), sum(coalesce(len(issues), 0)) FROM feed GROUP BY 1").fetchall()
    counts = {status: n for status, n, _ in stats}
    issues = len(raw.rejects) + sum(int(k) for _, _, k in stats) + sum(n for s, n, _ in stats if s != idrepair.OK)
    # From here on rows carry their rid and line: joins and writes need not keep any order.
    con.execute("SET preserve_insertion_order = false")
    return LoadReport(
        rows=raw.rows,
        kind=raw.kind,
        encoding=raw.encoding,
        rejected=len(raw.rejects),
        issues=issues,
        id_counts=counts,
        python_id_rows=len(rare),
        columns=raw.columns,
    )


def _typed(col: Any, facts: reading.Facts = reading.UNKNOWN) -> str:
    """The typed value of a raw column: the value trimmed of spaces (NULL when empty) and cast.

    A cast ignores surrounding whitespace, so the common case (a clean value) is one cast; the
    trimming and the other spellings (2026/3/1, 1,000元) are tried only for the values it refuses.
    Text and choices are trimmed only when the column has a value with a space at either end
    (`facts`), and emptied only when it has an empty value."""
    raw = col.name
    v = f"nullif(trim({raw}), '')"
    if col.type == "date":
        return f"coalesce(try_cast({raw} AS DATE), try_strptime({v}, {DATE_FORMATS})::DATE)"
    if col.type == "decimal":
        return (
            f"coalesce(try_cast({raw} AS DECIMAL(14,2)), "
            f"try_cast(replace(replace({v}, ',', ''), '元', '') AS DECIMAL(14,2)))"
        )
    if col.type == "integer":
        return f"try_cast(try_cast({v} AS DOUBLE) AS INTEGER)"
    if col.type == "enum":
        # (value set, what it becomes): sex has spellings, other choices are themselves.
        if col.name == "sex":
            sets: list[tuple[str, str | None]] = [("'男', 'M', '1'", "'M'"), ("'女', 'F', '2'", "'F'")]
        else:
            choices = ", ".join(f"'{c}'" for c in col.choices)
            sets = [(choices, None)]
        exact = " ".join(f"WHEN {raw} IN ({vals}) THEN {out or raw}" for vals, out in sets)
        if not facts.padded:
            return f"CASE {exact} END"  # '' is no choice: it becomes NULL as well
        trimmed = " ".join(f"WHEN {v} IN ({vals}) THEN {out or v}" for vals, out in sets)
        return f"CASE {exact} WHEN {raw} IS NULL THEN NULL {trimmed} END"
    if facts.padded:
        return f"CASE WHEN prefix({raw}, ' ') OR suffix({raw}, ' ') THEN {v} ELSE nullif({raw}, '') END"
    return f"nullif({raw}, '')" if facts.empty else raw


def _blank(raw: str, facts: reading.Facts = reading.UNKNOWN) -> str:
    """`raw` is NULL or only spaces (trimming only the values that start or end with one)."""
    if not facts.padded:
        return f"({raw} IS NULL OR {raw} = '')" if facts.empty else f"({raw} IS NULL)"
    return (
        f"CASE WHEN {raw} IS NULL OR {raw} = '' THEN TRUE "
        f"WHEN prefix({raw}, ' ') OR suffix({raw}, ' ') THEN trim({raw}) = '' ELSE FALSE END"
    )


def id_birth(id18: str) -> str:
    return f"try_strptime(substr({id18}, 7, 8), '%Y%m%d')::DATE"


def id_sex(id18: str) -> str:
    return (
        f"CASE WHEN {id18} IS NOT NULL THEN CASE WHEN (ascii(substr({id18}, 17, 1)) - 48) % 2 = 1 "
        "THEN 'M' ELSE 'F' END END"
    )


PERSON = ("name", "id_number", "sex", "birth_date", "village_code")


def _feed_key(row: str = "") -> str:
    """A row's review key (see `_typed_level`), hashed when it is read."""
    return f"md5({row}_feed_src)"


def _id_clean(row: str = "") -> str:
    """The normalised value of a refused ID, from the ID as written (every value the verdict decided
    is digits and X/x; an Excel number is its digits): computed when read, not stored."""
    return f"CASE WHEN {row}id18 IS NULL THEN upper(replace(coalesce({row}id_raw, ''), ' ', '')) END"


CHECKED = ("date", "decimal", "integer", "enum")


def _typed_level(source: Source, facts: dict[str, reading.Facts]) -> str:
    """Over the raw columns and the ID verdict: typed values (_ty_*), the birth date and sex (from
    the file, else from the ID), the cleaned name and the record key."""
    parts = [f"{_typed(c, facts[c.name])} AS _ty_{c.name}" for c in _extra(source, facts)]
    birth_in = _typed(source.column("birth_date"), facts["birth_date"])
    sex_in = _typed(source.column("sex"), facts["sex"])
    name = (
        "CASE WHEN name IS NULL THEN '' WHEN regexp_matches(name, '[\\s·•]') "
        "THEN regexp_replace(name, '[\\s·•]', '', 'g') ELSE name END"
        if facts["name"].spaced
        else "coalesce(name, '')"
    )
    record_key = _typed(source.column("record_key"), facts["record_key"])
    # A row the verdict did not decide gets the ID-derived values once its ID is decided (_fixed_view).
    # For a decided ID, _idborn is the birth date it implies and the parity of _n17 (NULL unless the
    # ID is valid) its sex.
    parts += [
        f"CASE WHEN simple THEN coalesce({birth_in}, _idborn) ELSE {birth_in} END AS _birth",
        f"CASE WHEN simple THEN coalesce({sex_in}, CASE WHEN _n17 % 2 = 1 THEN 'M' "
        f"WHEN _n17 IS NOT NULL THEN 'F' END) ELSE {sex_in} END AS _sex",
        f"{_typed(source.column('village_code'), facts['village_code'])} AS _village",
        f"{name} AS _name",
        # The department's record identity (for review decisions), as text: `feed` hashes it
        # (`_feed_key`) only for the rows a query reads it for, i.e. the rows left to the fuzzy linkage.
        f"CASE WHEN id18 IS NULL OR NOT simple THEN coalesce({record_key}, "
        "concat_ws('|', name, id_number, birth_date, village_code)) END AS _feed_src",
    ]
    return ", ".join(parts)


def _final_select(source: Source, facts: dict[str, reading.Facts]) -> str:
    """The columns of `feed`, and `issues`: this row's column problems (label, value, code)."""
    typed = {c.name: f"_ty_{c.name}" for c in source.columns}
    typed.update(birth_date="_birth", sex="_sex", village_code="_village", name="_name")
    checks = []
    for col in source.columns:
        if col.name in ("id_number", "record_key") or (facts[col.name].absent and col.name not in PERSON):
            continue  # (a column the file lacks is NULL: nothing to check)
        label = col.label.replace("'", "''")
        blank = _blank(col.name, facts[col.name])
        if col.required:
            checks.append((blank, f"{{'label': '{label}', 'value': '', 'code': 'required'}}"))
        if col.type in CHECKED:
            code = {"date": "bad_date", "decimal": "bad_decimal", "integer": "bad_integer"}.get(col.type, "bad_choice")
            # A value was given (not blank) and could not be typed.
            bad = f"CASE WHEN {typed[col.name]} IS NOT NULL THEN FALSE ELSE NOT ({blank}) END"
            value = f"left(nullif(trim({col.name}), ''), 100)"
            checks.append((bad, f"{{'label': '{label}', 'value': {value}, 'code': '{code}'}}"))
    items = ", ".join(f"CASE WHEN {cond} THEN {item} END" for cond, item in checks)
    any_issue = " OR ".join(f"({cond})" for cond, _ in checks) or "FALSE"
    # Not stored: `simple` (id_status is NULL where the verdict left the ID undecided), id_clean
    # (`_id_clean`) and the columns the file lacks (`_absent_columns`): fewer columns, a cheaper write.
    return ", ".join(
        [
            "_name AS name",
            "_raw AS id_raw",
            "id18",
            "id_status",
            "id_key",
            "_birth AS birth_date",
            "_sex AS sex",
            "_village AS village_code",
            *(f"_ty_{c.name} AS {c.name}" for c in _extra(source, facts)),
            "_feed_src",
            f"CASE WHEN {any_issue} THEN list_filter([{items}], lambda i: i IS NOT NULL) END AS issues",
        ]
    )


def _own(source: Source, facts: dict[str, reading.Facts], *, absent: bool) -> list[Any]:
    """The source's own columns (not the person's, not the record key) the file has (or lacks)."""
    return [
        c for c in source.columns if c.name not in PERSON and c.name != "record_key" and facts[c.name].absent == absent
    ]


def _extra(source: Source, facts: dict[str, reading.Facts]) -> list[Any]:
    return _own(source, facts, absent=False)


def _absent_columns(source: Source, facts: dict[str, reading.Facts]) -> str:
    """`, NULL AS <column>` (typed) for each of the source's own columns the file lacks."""
    return "".join(
        f", CAST(NULL AS {SQL_TYPES.get(c.type, 'VARCHAR')}) AS {c.name}" for c in _own(source, facts, absent=True)
    )


def _fixed_view(source: Source, facts: dict[str, reading.Facts]) -> str:
    """`_feed` with the registry module's verdict for the rows in `_id_fix` (and what follows from
    it: birth date and sex from the ID, the record key only without a valid ID, no date or sex
    complaint once the ID supplies the value)."""
    birth = f"coalesce(b.birth_date, {id_birth('x.id18')})"
    sex = f"coalesce(b.sex, {id_sex('x.id18')})"
    birth_label = source.column("birth_date").label.replace("'", "''")
    sex_label = source.column("sex").label.replace("'", "''")
    return f"""SELECT b.* EXCLUDE (id18, id_status, id_key, birth_date, sex, _feed_src, issues),
        CASE WHEN x.rid IS NULL THEN b.id18 ELSE x.id18 END AS id18,
        CASE WHEN x.rid IS NULL THEN b.id_status ELSE x.id_status END AS id_status,
        CASE WHEN x.rid IS NULL THEN {_id_clean("b.")} WHEN x.id18 IS NULL THEN x.id_clean END AS id_clean,
        CASE WHEN x.rid IS NULL THEN b.id_key ELSE x.id_key END AS id_key,
        CASE WHEN x.rid IS NULL THEN b.birth_date ELSE {birth} END AS birth_date,
        CASE WHEN x.rid IS NULL THEN b.sex ELSE {sex} END AS sex,
        CASE WHEN x.rid IS NULL OR x.id18 IS NULL THEN {_feed_key("b.")} END AS feed_key,
        CASE WHEN x.rid IS NULL THEN b.issues ELSE list_filter(b.issues, lambda i: NOT (
            (i.label = '{birth_label}' AND {birth} IS NOT NULL) OR (i.label = '{sex_label}' AND {sex} IS NOT NULL)))
        END AS issues{_absent_columns(source, facts)}
    FROM _feed b LEFT JOIN _id_fix x ON x.rid = b.rid"""


def registry_load(
    con: duckdb.DuckDBPyConnection, frame: Any, *, table: str = "reg", labour_values: tuple[str, ...] = ()
) -> None:
    """Register the registry persons (an Arrow/Polars frame or a DuckDB relation with the `reg`
    columns) as a table, with each person's int64 ID key (`id_key`, see `idrepair.key_sql`) computed
    once for every file the table is matched against.

    A frame with a `labour` column gets the household facts the gap checks need:
    `hh_no_labour` (no active member with labour capacity) and `hh_safety_net`
    (an active member receives 低保 or 特困)."""
    con.register("_reg_in", frame)
    names = {r[0] for r in con.execute("DESCRIBE _reg_in").fetchall()}
    derived = "" if "id_key" in names else f", {idrepair.key_sql('id18')} AS id_key"
    window = ""
    if "labour" in names and "hh_no_labour" not in names:
        has = ", ".join(f"'{v}'" for v in labour_values) or "''"
        derived += f""", NOT bool_or(labour IN ({has}) AND person_status = 'active') OVER w AS hh_no_labour,
            bool_or((is_dibao OR is_tekun) AND person_status = 'active') OVER w AS hh_safety_net"""
        window = "WINDOW w AS (PARTITION BY household_id)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT *{derived} FROM _reg_in {window}")
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
    columns = {c.name for c in source.columns} if source else set()
    sql = compile_rules(rules, columns=columns, params=params, period=period, run_day=run_day)
    # One statement (the query's columns carry the hits types), not an empty table and an INSERT.
    con.execute(f"CREATE OR REPLACE TEMP TABLE hits AS {sql}")
    counts: dict[str, int] = {}
    counts.update({r.code: 0 for r in rules})
    counts.update(dict(con.execute("SELECT rule_code, count(*) FROM hits GROUP BY 1").fetchall()))
    return counts
