"""Column-wise ID-number normalisation and validation (GB 11643) for feeds.

The registry's `fangpin.core.idnumber.parse` is the reference; this module
gives the same answer for a whole column at once in DuckDB SQL: full-width
digits and x, separators, 15 → 18 digits, birth date and the ISO 7064
MOD 11-2 check digit computed column-wise.  Rows the vectorised path cannot
decide (any character outside ASCII digits, X and plain separators, Excel
scientific notation, a trailing ".0") go to `idnumber.parse` one by one;
they are rare (a plain Python loop over those rows, no UDF).  A property test keeps the two paths in agreement.

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


def _check_sql(n17: str) -> str:
    """MOD 11-2 weighted sum of the 17 digits of the BIGINT `n17`, modulo 11, without taking the
    digits apart: with q_k = n17 // 10^k, digit_k = q_k - 10·q_(k+1), and 10 ≡ -1 (mod 11), so the
    sum is Σ (w_k + w_(k-1))·q_k (mod 11).  The sum stays below 1.2e18, inside BIGINT."""
    w = {k: WEIGHTS[16 - k] for k in range(17)}  # weight of the digit at 10^k
    coeff = {k: (w[k] + (w[k - 1] if k else 0)) % 11 for k in range(17)}
    terms = [f"{c} * ({n17} // {10**k})" if k else f"{c} * {n17}" for k, c in coeff.items() if c]
    return f"(({' + '.join(terms)}) % 11)::INTEGER"


def key_sql(id18: str) -> str:
    """The int64 join key of a normalised 18-character ID: first 17 digits × 11 + check value (X = 10).
    Lossless for normalised IDs (17 digits and a digit or X), and a BIGINT join is cheaper than a
    VARCHAR one."""
    return (
        f"CASE WHEN length({id18}) = 18 THEN try_cast(left({id18}, 17) AS BIGINT) * 11 + "
        f"CASE right({id18}, 1) WHEN 'X' THEN 10 ELSE try_cast(right({id18}, 1) AS INTEGER) END END"
    )


def id_levels(raw: str, *, today: date, numeric: str = "FALSE") -> list[str]:
    """The ID verdict of column `raw` as successive projection levels (each is `*, new columns`
    over the previous one), so that it runs in the same scan as everything else.

    The last level has id_clean, id18, id_status, id_key (int64, see `key_sql`) and `simple`
    (FALSE: the row needs the registry module, see `repair_table`).  `numeric` is an SQL condition
    for a cell Excel stored as a number (the digits after the 15th are lost): never accepted.
    Fast path: a value that already is 17 digits + digit/X (most rows) skips every cleaning step."""
    slow_clean = (
        f"upper(regexp_replace(translate(coalesce(_raw, ''), '{FULL_WIDTH}', '{ASCII}'), '[ \\t\\n\\r\\-_]', '', 'g'))"
    )
    day = f"DATE '{today.isoformat()}'"
    # CASE evaluates a branch only for the rows that reach it (AND/OR evaluate both sides), so the
    # costly steps run only for the few rows that are not already 17 digits + digit/X.
    return [
        f"{raw} AS _raw, ({numeric}) AS _numeric, "
        f"regexp_full_match(coalesce({raw}, ''), '[0-9]{{17}}[0-9Xx]') AS _fast",
        f"CASE WHEN _fast THEN CASE WHEN suffix(_raw, 'x') THEN upper(_raw) ELSE _raw END "
        f"WHEN _raw IS NULL THEN '' ELSE {slow_clean} END AS _t, "
        f"CASE WHEN _numeric THEN FALSE WHEN _fast OR _raw IS NULL THEN TRUE "
        f"ELSE regexp_full_match(coalesce(_raw, ''), '{SIMPLE}') END AS simple, "
        # 18 digits: the whole value as one number (NULL when it ends in X).
        "CASE WHEN _fast THEN try_cast(_raw AS BIGINT) END AS _n18",
        "CASE WHEN _fast OR length(_t) <> 15 THEN FALSE ELSE regexp_full_match(_t, '[0-9]{15}') END AS _is15",
        "CASE WHEN _fast THEN NULL WHEN _is15 THEN substr(_t, 1, 6) || '19' || substr(_t, 7, 9) "
        "ELSE substr(_t, 1, 17) END AS _f17",
        "CASE WHEN _fast THEN TRUE WHEN length(_f17) <> 17 THEN FALSE "
        "ELSE regexp_full_match(_f17, '[0-9]{17}') END AS _digits17",
        "CASE WHEN _n18 IS NOT NULL THEN _n18 // 10 WHEN _fast THEN CAST(left(_raw, 17) AS BIGINT) "
        "WHEN _digits17 THEN CAST(_f17 AS BIGINT) END AS _n17, "
        "CASE WHEN _fast THEN try_strptime(substr(_raw, 7, 8), '%Y%m%d')::DATE "
        "WHEN _digits17 THEN try_strptime(substr(_f17, 7, 8), '%Y%m%d')::DATE END AS _born",
        f"{_check_sql('_n17')} AS _sum, _born IS NOT NULL AND _born <= {day} AND year(_born) >= 1880 AS _born_ok",
        # The check character, and for a fast row whether it is the one written (X = 10).
        f"substr('{CHECK_MAP}', _sum + 1, 1) AS _chk, "
        "CASE WHEN _fast THEN (12 - _sum) % 11 = coalesce(_n18 % 10, 10) END AS _fast_chk_ok",
        f"""_t AS id_clean,
        CASE WHEN _numeric THEN NULL
             WHEN _fast THEN CASE WHEN _born_ok AND _fast_chk_ok THEN _t END
             WHEN _is15 THEN CASE WHEN _born_ok THEN _f17 || _chk END
             WHEN length(_t) = 18 AND _digits17 AND _chk = substr(_t, 18, 1) AND _born_ok THEN _t
        END AS id18,
        CASE
            WHEN _numeric THEN '{idnumber.EXCEL_NUMERIC}'
            WHEN _fast AND _born_ok AND _fast_chk_ok THEN '{OK}'
            WHEN _t = '' THEN '{idnumber.EMPTY}'
            WHEN _is15 THEN CASE WHEN _born IS NULL OR year(_born) < 1880 THEN '{idnumber.BAD_BIRTH_DATE}'
                                WHEN _born > {day} THEN '{idnumber.FUTURE_BIRTH_DATE}'
                                ELSE '{UPGRADED}' END
            WHEN length(_t) = 15 THEN '{idnumber.BAD_CHARS}'
            WHEN length(_t) <> 18 THEN CASE WHEN regexp_full_match(_t, '[0-9]*X?') THEN '{idnumber.BAD_LENGTH}'
                                          ELSE '{idnumber.BAD_CHARS}' END
            WHEN NOT (_digits17 AND (substr(_t, 18, 1) IN ('0','1','2','3','4','5','6','7','8','9','X')))
                 THEN '{idnumber.BAD_CHARS}'
            WHEN _born IS NULL OR year(_born) < 1880 THEN '{idnumber.BAD_BIRTH_DATE}'
            WHEN _born > {day} THEN '{idnumber.FUTURE_BIRTH_DATE}'
            WHEN _chk <> substr(_t, 18, 1) THEN
                 CASE WHEN suffix(_t, '000') THEN '{idnumber.EXCEL_TRUNCATED}' ELSE '{idnumber.BAD_CHECK_DIGIT}' END
            ELSE '{OK}'
        END AS id_status""",
        # (12 - sum) % 11 is the check character's value (X = 10): the key without re-reading id18.
        "CASE WHEN id18 IS NOT NULL THEN _n17 * 11 + (12 - _sum) % 11 END AS id_key",
    ]


def nest(source: str, levels: list[str]) -> str:
    """`SELECT *, level FROM (...)` around `source` (a FROM item), one level at a time."""
    sql = source
    for level in levels:
        sql = f"(SELECT *, {level} FROM {sql})"
    return sql


def repair_sql(*, src: str, raw_col: str, key_col: str, today: date, carry: str = "") -> str:
    """SQL selecting `key_col`, id18, id_status, id_clean, id_key and `simple` for every row of `src`
    (plus `carry`, expressions over src's columns and the ID columns, evaluated in the same pass)."""
    body = nest(src, id_levels(raw_col, today=today))
    return f"SELECT {key_col}, simple, id_clean, id18, id_status, id_key{', ' + carry if carry else ''} FROM {body}"


def repair_table(
    con: duckdb.DuckDBPyConnection,
    *,
    src: str,
    raw_col: str,
    key_col: str,
    out: str,
    today: date,
    carry: str = "",
) -> int:
    """Create table `out(key_col, simple, id_clean, id18, id_status, id_key, <carry>)`; returns how
    many rows needed the registry module (values the SQL path does not decide: see `python_fixes`)."""
    sql = repair_sql(src=src, raw_col=raw_col, key_col=key_col, today=today, carry=carry)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS {sql}")
    rare = con.execute(
        f"SELECT o.{key_col}, s.{raw_col} FROM {out} o JOIN {src} s USING ({key_col}) WHERE NOT o.simple"
    ).fetchall()
    if rare:
        python_fixes(con, rare, key_col=key_col, today=today)
        con.execute(
            f"UPDATE {out} SET id18 = f.id18, id_status = f.id_status, id_clean = f.id_clean, id_key = f.id_key "
            f"FROM _id_fix f WHERE {out}.{key_col} = f.{key_col}"
        )
    return len(rare)


def python_fixes(con: duckdb.DuckDBPyConnection, rows: list[tuple[int, object]], *, key_col: str, today: date) -> None:
    """Table `_id_fix(key_col, id18, id_status, id_clean, id_key)`: the registry module's verdict for
    the rare values the SQL path leaves to it (any character outside ASCII digits, x/X and plain
    separators: other Unicode digits and spaces NFKC maps, Excel's 1.10101E+17, a trailing ".0")."""
    fixes = [(key, *parse_one(raw, today=today), idnumber.normalize(raw)) for key, raw in rows]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _id_fix({key_col} BIGINT, id18 VARCHAR, id_status VARCHAR, id_clean VARCHAR)"
    )
    con.executemany("INSERT INTO _id_fix VALUES (?, ?, ?, ?)", fixes)
    con.execute(f"ALTER TABLE _id_fix ADD COLUMN id_key BIGINT; UPDATE _id_fix SET id_key = {key_sql('id18')}")


def parse_one(raw: object, *, today: date) -> tuple[str | None, str]:
    """The registry module's verdict for one value, as (id18 or None, status)."""
    try:
        parsed = idnumber.parse(raw, today=today)
    except idnumber.IdNumberError as exc:
        return None, exc.code
    return parsed.number, UPGRADED if parsed.upgraded_from_15 else OK
