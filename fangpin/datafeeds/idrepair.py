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

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa

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
    VARCHAR one.  An ID ending in a digit is one 18-digit number n: the key is n // 10 × 11 + n % 10
    (one cast instead of two substrings and two casts)."""
    return (
        f"CASE WHEN length({id18}) <> 18 THEN NULL "
        f"WHEN suffix({id18}, 'X') THEN try_cast(left({id18}, 17) AS BIGINT) * 11 + 10 "
        f"ELSE try_cast({id18} AS BIGINT) // 10 * 11 + try_cast({id18} AS BIGINT) % 10 END"
    )


# The columns `fast_verdict` adds and `id_levels` reads.
FAST_COLUMNS = ("_fast", "_fn17", "_fborn", "_fsum", "_flast")
_WEIGHT_VECTOR = np.array(WEIGHTS, np.int32)
_POWERS_OF_TEN = 10 ** np.arange(16, -1, -1, dtype=np.int64)


def fast_verdict(values: pa.Array | pa.ChunkedArray) -> dict[str, pa.ChunkedArray]:
    """The common case of a column of IDs, decided in NumPy on the Arrow buffers: values of exactly
    18 ASCII characters, 17 digits and a digit or X/x (`_fast`).  For those: the first 17 digits as
    a number (`_fn17`), the birth date they hold (`_fborn`, NULL when it is not a day of the
    calendar), the MOD 11-2 weighted sum modulo 11 (`_fsum`) and the value of the 18th character
    (`_flast`, X = 10).  Everything else (`_fast` FALSE: other lengths, full-width digits,
    separators, NULL, a non-text column) is left to `id_levels`' SQL and the registry module."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out: dict[str, list[pa.Array]] = {name: [] for name in FAST_COLUMNS}
    # NumPy releases the GIL inside its loops: two threads over the chunks (the machines have two cores).
    with ThreadPoolExecutor(max_workers=2) as pool:
        for decided in pool.map(_fast_chunk, chunks):
            for name, arr in decided.items():
                out[name].append(arr)
    types = {"_fast": pa.bool_(), "_fn17": pa.int64(), "_fborn": pa.date32(), "_fsum": pa.int32(), "_flast": pa.int32()}
    return {name: pa.chunked_array(arrays, types[name]) for name, arrays in out.items()}


def _fast_chunk(chunk: pa.Array) -> dict[str, pa.Array]:
    n = len(chunk)
    fast = np.zeros(n, bool)
    if pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type):
        _, offsets_buf, data_buf = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buf, width, n + 1, chunk.offset * np.dtype(width).itemsize).astype(np.int64)
        data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
        fast = (offsets[1:] - offsets[:-1]) == 18
        if chunk.null_count:
            fast &= _validity(chunk)
    rows = np.flatnonzero(fast)
    if len(rows):
        # The 18 bytes of every candidate as one matrix (a chunk at a time: the gather stays in cache).
        cells = data[offsets[rows][:, None] + np.arange(18)]
        digits17 = cells[:, :17] - np.uint8(48)  # a byte below "0" wraps round above 9
        last = cells[:, 17].astype(np.int64)
        ok = (digits17 <= 9).all(axis=1) & (((last >= 48) & (last <= 57)) | (last == 88) | (last == 120))
        rows, digits17, last = rows[ok], digits17[ok], last[ok]
        fast[:] = False
        fast[rows] = True
    if not len(rows):
        zeros = np.zeros(0, np.int64)
        return _columns(n, fast, rows, zeros, zeros, np.zeros(0, bool), zeros, zeros)
    total = digits17.astype(np.int32) @ _WEIGHT_VECTOR
    n17 = digits17.astype(np.int64) @ _POWERS_OF_TEN
    digits = digits17[:, 6:14].astype(np.int32).T  # the birth date's 8 digits
    year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
    month = digits[4] * 10 + digits[5]
    day = digits[6] * 10 + digits[7]
    # NumPy's calendar: the first of the month plus day - 1 days is a date of the calendar when it
    # is still in that month (so 0230 and 1301 are not).
    first = (np.clip(year, 1, 9999) - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (
        np.clip(month, 1, 12) - 1
    )
    born = first.astype("datetime64[D]") + (day - 1)
    is_date = (year >= 1) & (month >= 1) & (month <= 12) & (born.astype("datetime64[M]") == first)
    days = born.astype(np.int64)  # days since 1970-01-01
    lastval = np.where(last >= 88, 10, last.astype(np.int32) - 48)
    return _columns(n, fast, rows, n17, days, is_date, total % 11, lastval)


def _validity(chunk: pa.Array) -> np.ndarray:
    bitmap = np.frombuffer(chunk.buffers()[0], np.uint8)
    bits = np.unpackbits(bitmap, bitorder="little")
    return bits[chunk.offset : chunk.offset + len(chunk)].astype(bool)


def _columns(
    n: int,
    fast: np.ndarray,
    rows: np.ndarray,
    n17: np.ndarray,
    days: np.ndarray,
    is_date: np.ndarray,
    total: np.ndarray,
    lastval: np.ndarray,
) -> dict[str, pa.Array]:
    """Arrow arrays of length n built on NumPy buffers (pa.array on an ndarray would import pandas):
    the values at `rows`, NULL elsewhere (and `_fborn` NULL where `is_date` is false)."""

    def spread(values: np.ndarray, dtype: type, valid: np.ndarray, arrow_type: pa.DataType) -> pa.Array:
        full = np.zeros(n, dtype)
        full[rows] = values
        mask = np.zeros(n, bool)
        mask[rows] = valid
        bitmap = pa.py_buffer(np.packbits(mask, bitorder="little"))
        return pa.Array.from_buffers(arrow_type, n, [bitmap, pa.py_buffer(full)])

    every = np.ones(len(rows), bool)
    return {
        "_fast": pa.Array.from_buffers(pa.bool_(), n, [None, pa.py_buffer(np.packbits(fast, bitorder="little"))]),
        "_fn17": spread(n17, np.int64, every, pa.int64()),
        "_fborn": spread(days, np.int32, is_date, pa.date32()),
        "_fsum": spread(total, np.int32, every, pa.int32()),
        "_flast": spread(lastval, np.int32, every, pa.int32()),
    }


def id_levels(raw: str, *, today: date, numeric: str = "FALSE") -> list[str]:
    """The ID verdict of column `raw` as successive projection levels (each is `*, new columns`
    over the previous one), so that it runs in the same scan as everything else.

    The rows must carry `fast_verdict`'s columns for `raw` (FAST_COLUMNS): the common value, 17
    digits and a digit or X, is decided there; the SQL here finishes it and cleans and decides the
    rest.  The last level has id_clean, id18, id_status, id_key (int64, see `key_sql`) and `simple`
    (FALSE: the row needs the registry module, see `repair_table`).  `numeric` is an SQL condition
    for a cell Excel stored as a number (the digits after the 15th are lost): never accepted."""
    slow_clean = (
        f"upper(regexp_replace(translate(coalesce(_raw, ''), '{FULL_WIDTH}', '{ASCII}'), '[ \\t\\n\\r\\-_]', '', 'g'))"
    )
    day = f"DATE '{today.isoformat()}'"
    # CASE evaluates a branch only for the rows that reach it (AND/OR evaluate both sides), so the
    # costly steps run only for the few rows that are not already 17 digits + digit/X.  (A long IN
    # list is no such step: DuckDB turns it into a join over every row; hence instr below.)
    return [
        f"{raw} AS _raw, ({numeric}) AS _numeric",
        f"CASE WHEN _fast THEN CASE WHEN suffix(_raw, 'x') THEN upper(_raw) ELSE _raw END "
        f"WHEN _raw IS NULL THEN '' ELSE {slow_clean} END AS _t, "
        f"CASE WHEN _numeric THEN FALSE WHEN _fast OR _raw IS NULL THEN TRUE "
        f"ELSE regexp_full_match(coalesce(_raw, ''), '{SIMPLE}') END AS simple",
        "CASE WHEN _fast OR length(_t) <> 15 THEN FALSE ELSE regexp_full_match(_t, '[0-9]{15}') END AS _is15",
        "CASE WHEN _fast THEN NULL WHEN _is15 THEN substr(_t, 1, 6) || '19' || substr(_t, 7, 9) "
        "ELSE substr(_t, 1, 17) END AS _f17",
        "CASE WHEN _fast THEN TRUE WHEN length(_f17) <> 17 THEN FALSE "
        "ELSE regexp_full_match(_f17, '[0-9]{17}') END AS _digits17",
        "CASE WHEN _fast THEN _fn17 WHEN _digits17 THEN CAST(_f17 AS BIGINT) END AS _n17, "
        "CASE WHEN _fast THEN _fborn "
        "WHEN _digits17 THEN try_strptime(substr(_f17, 7, 8), '%Y%m%d')::DATE END AS _born",
        f"CASE WHEN _fast THEN _fsum WHEN _n17 IS NOT NULL THEN {_check_sql('_n17')} END AS _sum, "
        f"_born IS NOT NULL AND _born <= {day} AND _born >= DATE '1880-01-01' AS _born_ok",
        # The check character, and for a fast row whether it is the one written (X = 10).
        f"substr('{CHECK_MAP}', _sum + 1, 1) AS _chk, "
        "CASE WHEN _fast THEN (12 - _sum) % 11 = _flast END AS _fast_chk_ok",
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
            WHEN NOT (_digits17 AND instr('0123456789X', substr(_t, 18, 1)) > 0)
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


def repair_table(
    con: duckdb.DuckDBPyConnection,
    *,
    src: str,
    raw_col: str,
    key_col: str,
    out: str,
    today: date,
) -> int:
    """Create table `out(key_col, simple, id_clean, id18, id_status, id_key)` for every row of table
    `src`; returns how many rows needed the registry module (values the SQL path does not decide:
    see `python_fixes`)."""
    ids = con.sql(f"SELECT {key_col}, {raw_col} FROM {src}").to_arrow_table()
    fast = pa.table({key_col: ids.column(0), **fast_verdict(ids.column(1))})
    con.register("_fast_ids", fast)
    try:
        body = nest(
            f"(SELECT s.*, f.* EXCLUDE ({key_col}) FROM {src} s JOIN _fast_ids f USING ({key_col}))",
            id_levels(raw_col, today=today),
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {out} AS "
            f"SELECT {key_col}, simple, id_clean, id18, id_status, id_key FROM {body}"
        )
    finally:
        con.unregister("_fast_ids")
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
