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


def _check_sql(first17: str) -> str:
    terms = " + ".join(f"{w} * (ascii(substr({first17}, {i + 1}, 1)) - 48)" for i, w in enumerate(WEIGHTS))
    return f"substr('{CHECK_MAP}', (({terms}) % 11)::INTEGER + 1, 1)"


def repair_sql(*, src: str, raw_col: str, key_col: str, today: date) -> str:
    """SQL selecting `key_col`, id18 and id_status for every row of `src`."""
    cleaned = f"upper(regexp_replace(translate(coalesce({raw_col}, ''), '{FULL_WIDTH}', '{ASCII}'), '[ \\t\\n\\r\\-_]', '', 'g'))"
    t = "c.t"
    is15 = f"(length({t}) = 15 AND regexp_full_match({t}, '[0-9]{{15}}'))"
    first17 = f"CASE WHEN {is15} THEN substr({t}, 1, 6) || '19' || substr({t}, 7, 9) ELSE substr({t}, 1, 17) END"
    return f"""
    WITH c AS (
        SELECT {key_col} AS k, {cleaned} AS t,
               regexp_full_match(coalesce({raw_col}, ''), '{SIMPLE}') AS simple
        FROM {src}
    ), d AS (
        SELECT k, t, simple, {first17} AS f17,
               {is15} AS is15
        FROM c
    ), e AS (
        SELECT k, t, simple, is15, f17,
               CASE WHEN regexp_full_match(f17, '[0-9]{{17}}') THEN {_check_sql('f17')} END AS chk,
               try_strptime(substr(f17, 7, 8), '%Y%m%d')::DATE AS born
        FROM d
    )
    SELECT k AS {key_col}, simple, t AS id_clean,
        CASE WHEN is15 AND born IS NOT NULL AND born <= DATE '{today.isoformat()}' AND year(born) >= 1880
             THEN f17 || chk
             WHEN NOT is15 AND length(t) = 18 AND chk = substr(t, 18, 1) AND born IS NOT NULL
                  AND born <= DATE '{today.isoformat()}' AND year(born) >= 1880
             THEN t END AS id18,
        CASE
            WHEN t = '' THEN '{idnumber.EMPTY}'
            WHEN is15 THEN CASE WHEN born IS NULL OR year(born) < 1880 THEN '{idnumber.BAD_BIRTH_DATE}'
                                WHEN born > DATE '{today.isoformat()}' THEN '{idnumber.FUTURE_BIRTH_DATE}'
                                ELSE '{UPGRADED}' END
            WHEN length(t) = 15 THEN '{idnumber.BAD_CHARS}'
            WHEN length(t) <> 18 THEN CASE WHEN regexp_full_match(t, '[0-9]*X?') THEN '{idnumber.BAD_LENGTH}'
                                          ELSE '{idnumber.BAD_CHARS}' END
            WHEN NOT regexp_full_match(t, '[0-9]{{17}}[0-9X]') THEN '{idnumber.BAD_CHARS}'
            WHEN born IS NULL OR year(born) < 1880 THEN '{idnumber.BAD_BIRTH_DATE}'
            WHEN born > DATE '{today.isoformat()}' THEN '{idnumber.FUTURE_BIRTH_DATE}'
            WHEN chk <> substr(t, 18, 1) THEN
                 CASE WHEN suffix(t, '000') THEN '{idnumber.EXCEL_TRUNCATED}' ELSE '{idnumber.BAD_CHECK_DIGIT}' END
            ELSE '{OK}'
        END AS id_status
    FROM e
    """


def repair_table(
    con: duckdb.DuckDBPyConnection, *, src: str, raw_col: str, key_col: str, out: str, today: date
) -> int:
    """Create table `out(key_col, id18, id_status)`; returns how many rows needed the Python path."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS {repair_sql(src=src, raw_col=raw_col, key_col=key_col, today=today)}")
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
    return len(rare)


def parse_one(raw: object, *, today: date) -> tuple[str | None, str]:
    """The registry module's verdict for one value, as (id18 or None, status)."""
    try:
        parsed = idnumber.parse(raw, today=today)
    except idnumber.IdNumberError as exc:
        return None, exc.code
    return parsed.number, UPGRADED if parsed.upgraded_from_15 else OK
