"""Column-wise ID-number normalisation and validation (GB 11643) for feeds.

The registry's `fangpin.core.idnumber.parse` is the reference; this module
gives the same answer for a whole column at once in DuckDB SQL: full-width
digits and x, separators, 15 → 18 digits, birth date and the ISO 7064
MOD 11-2 check digit computed column-wise.  Rows the vectorised path cannot
decide (any character outside ASCII digits, X and plain separators, Excel
scientific notation, a trailing ".0") go to `idnumber.parse` one by one;
they are rare.  A property test keeps the two paths in agreement.

No Django here: a DuckDB connection and table names in, a table out.
"""

from __future__ import annotations

from datetime import date

import duckdb

from fangpin.core import idnumber

FULL_WIDTH = "０１２３４５６７８９ｘＸ"
ASCII = "0123456789XX"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"
# Characters the SQL path decides: digits, x/X and the ASCII separators that
# idnumber.normalize strips (space, tab, hyphen, underscore).
SIMPLE = r"^[0-9Xx０-９ｘＸ \t\n\r\-_]*$"
OK = "ok"
UPGRADED = "upgraded_15"


def _check_sql() -> str:
    """Check character from three integer slices a (6 digits), b (6), c (5): cheap column-wise arithmetic."""
    parts = [f"{w} * ((a // {10 ** (5 - i)}) % 10)" for i, w in enumerate(WEIGHTS[:6])]
    parts += [f"{w} * ((b // {10 ** (5 - i)}) % 10)" for i, w in enumerate(WEIGHTS[6:12])]
    parts += [f"{w} * ((c // {10 ** (4 - i)}) % 10)" for i, w in enumerate(WEIGHTS[12:])]
    return f"substr('{CHECK_MAP}', (({' + '.join(parts)}) % 11)::INTEGER + 1, 1)"


def repair_sql(*, src: str, raw_col: str, key_col: str, today: date, carry: str = "") -> str:
    """SQL selecting `key_col`, id18, id_status, id_clean and `simple` for every row of `src`
    (plus `carry`, expressions over src's columns and id18/id_status, evaluated in the same pass).

    Fast path: a value that already is 17 digits + digit/X (most rows) skips every cleaning step."""
    slow_clean = (
        f"upper(regexp_replace(translate(coalesce(raw, ''), '{FULL_WIDTH}', '{ASCII}'), '[ \\t\\n\\r\\-_]', '', 'g'))"
    )
    day = f"DATE '{today.isoformat()}'"
    return f"""
    WITH c AS (
        SELECT {src}.*, {key_col} AS k, {raw_col} AS raw,
               regexp_full_match(coalesce({raw_col}, ''), '[0-9]{{17}}[0-9Xx]') AS fast
        FROM {src}
    ), d AS (
        SELECT *,
               CASE WHEN fast THEN upper(raw) ELSE {slow_clean} END AS t,
               fast OR regexp_full_match(coalesce(raw, ''), '{SIMPLE}') AS simple
        FROM c
    ), e AS (
        SELECT *, (NOT fast AND length(t) = 15 AND regexp_full_match(t, '[0-9]{{15}}')) AS is15 FROM d
    ), f AS (
        SELECT *, CASE WHEN is15 THEN substr(t, 1, 6) || '19' || substr(t, 7, 9) ELSE substr(t, 1, 17) END AS f17
        FROM e
    ), g AS (
        SELECT *, fast OR regexp_full_match(f17, '[0-9]{{17}}') AS digits17,
               try_cast(substr(f17, 7, 4) || '-' || substr(f17, 11, 2) || '-' || substr(f17, 13, 2) AS DATE) AS born,
               try_cast(substr(f17, 1, 6) AS INTEGER) AS a, try_cast(substr(f17, 7, 6) AS INTEGER) AS b,
               try_cast(substr(f17, 13, 5) AS INTEGER) AS c
        FROM f
    ), h AS (
        SELECT *, CASE WHEN digits17 THEN {_check_sql()} END AS chk,
               born IS NOT NULL AND born <= {day} AND year(born) >= 1880 AS born_ok
        FROM g
    )
    , i AS (SELECT *, t AS id_clean,
        CASE WHEN is15 AND born_ok THEN f17 || chk
             WHEN NOT is15 AND length(t) = 18 AND digits17 AND chk = substr(t, 18, 1) AND born_ok THEN t END AS id18,
        CASE
            WHEN t = '' THEN '{idnumber.EMPTY}'
            WHEN is15 THEN CASE WHEN born IS NULL OR year(born) < 1880 THEN '{idnumber.BAD_BIRTH_DATE}'
                                WHEN born > {day} THEN '{idnumber.FUTURE_BIRTH_DATE}'
                                ELSE '{UPGRADED}' END
            WHEN length(t) = 15 THEN '{idnumber.BAD_CHARS}'
            WHEN length(t) <> 18 THEN CASE WHEN regexp_full_match(t, '[0-9]*X?') THEN '{idnumber.BAD_LENGTH}'
                                          ELSE '{idnumber.BAD_CHARS}' END
            WHEN NOT (digits17 AND (substr(t, 18, 1) IN ('0','1','2','3','4','5','6','7','8','9','X')))
                 THEN '{idnumber.BAD_CHARS}'
            WHEN born IS NULL OR year(born) < 1880 THEN '{idnumber.BAD_BIRTH_DATE}'
            WHEN born > {day} THEN '{idnumber.FUTURE_BIRTH_DATE}'
            WHEN chk <> substr(t, 18, 1) THEN
                 CASE WHEN suffix(t, '000') THEN '{idnumber.EXCEL_TRUNCATED}' ELSE '{idnumber.BAD_CHECK_DIGIT}' END
            ELSE '{OK}'
        END AS id_status
    FROM h)
    SELECT k AS {key_col}, simple, id_clean, id18, id_status{", " + carry if carry else ""} FROM i
    """


def repair_table(
    con: duckdb.DuckDBPyConnection,
    *,
    src: str,
    raw_col: str,
    key_col: str,
    out: str,
    today: date,
    carry: str = "",
    fallback_fix: str = "",
) -> int:
    """Create table `out(key_col, simple, id_clean, id18, id_status, <carry>)`; returns how many rows
    needed the Python path.  `fallback_fix` is SQL run after the Python verdicts are applied (to
    recompute carried columns that depend on id18)."""
    sql = repair_sql(src=src, raw_col=raw_col, key_col=key_col, today=today, carry=carry)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS {sql}")
    rare = con.execute(
        f"SELECT o.{key_col}, s.{raw_col} FROM {out} o JOIN {src} s USING ({key_col}) WHERE NOT o.simple"
    ).fetchall()
    if rare:
        fixes = [(key, *parse_one(raw, today=today), idnumber.normalize(raw)) for key, raw in rare]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _id_fix({key_col} BIGINT, id18 VARCHAR, id_status VARCHAR, id_clean VARCHAR)"
        )
        con.executemany("INSERT INTO _id_fix VALUES (?, ?, ?, ?)", fixes)
        con.execute(
            f"UPDATE {out} SET id18 = f.id18, id_status = f.id_status, id_clean = f.id_clean "
            f"FROM _id_fix f WHERE {out}.{key_col} = f.{key_col}"
        )
        if fallback_fix:
            con.execute(fallback_fix)
    return len(rare)


def parse_one(raw: object, *, today: date) -> tuple[str | None, str]:
    """The registry module's verdict for one value, as (id18 or None, status)."""
    try:
        parsed = idnumber.parse(raw, today=today)
    except idnumber.IdNumberError as exc:
        return None, exc.code
    return parsed.number, UPGRADED if parsed.upgraded_from_15 else OK
