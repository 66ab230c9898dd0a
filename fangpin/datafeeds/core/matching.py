"""Record linkage of feed rows to registry persons, set-based in DuckDB.

1. Exact: a valid (or repaired) 18-digit ID equal to a registry ID.  A valid ID
   that is not in the registry is a person the registry does not hold: it is
   not fuzzy-matched (a single wrong digit always breaks the check digit).
2. Probabilistic, for rows whose ID is missing or invalid: blocking
   (birth date) ∪ (village, surname) ∪ (name, birth year), then a
   Fellegi–Sunter score over the name (exact with term-frequency adjustment /
   same pinyin / one code point different, with a surname term-frequency
   adjustment), birth date, sex,
   village and the digits of the broken ID.  Names are compared on code points
   and pinyin, never on DuckDB's byte-based edit distances.  u-probabilities
   are estimated from random pairs, m-probabilities are declared (see
   docs/decisions/0011).  Best candidate per feed row; three bands.

Stored review decisions are applied first: a confirmed pair links, a dismissed
pair never comes back.  No Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
from pypinyin import Style, lazy_pinyin

from fangpin.datafeeds.core import idrepair

AUTO = "auto"
REVIEW = "review"
NONE = "none"


@dataclass(frozen=True)
class Thresholds:
    # Calibrated on the generator (docs/decisions/0011): the independence assumption makes raw
    # Fellegi–Sunter probabilities over-confident, so the auto band starts at 16.6 bits.
    auto: float = 0.99999
    review: float = 0.90


# m-probabilities: P(level | same person).  Declared, not trained: see 0011.
M = {
    "name": {"exact": 0.84, "pinyin": 0.03, "one_char": 0.125, "else": 0.005},
    "birth": {"exact": 0.88, "d3": 0.08, "d31": 0.035, "else": 0.005},
    "sex": {"same": 0.98, "else": 0.02},
    "village": {"same": 0.88, "else": 0.12},
    "id": {"d1": 0.90, "d3": 0.08, "else": 0.02},
}
U_FLOOR = 1e-7

_ONE = " + ".join(f"(substr(l.name,{i},1) <> substr(r.name,{i},1))::INT" for i in range(1, 9))
LEVELS_SQL = {
    "name": f"""CASE WHEN l.name = r.name THEN 'exact'
                    WHEN l.name_py = r.name_py THEN 'pinyin'
                    WHEN length(l.name) = length(r.name) AND length(l.name) BETWEEN 2 AND 8 AND {_ONE} = 1
                    THEN 'one_char' ELSE 'else' END""",
    "birth": """CASE WHEN l.birth_date IS NULL OR r.birth_date IS NULL THEN NULL
                     WHEN l.birth_date = r.birth_date THEN 'exact'
                     WHEN abs(date_diff('day', l.birth_date, r.birth_date)) <= 3 THEN 'd3'
                     WHEN abs(date_diff('day', l.birth_date, r.birth_date)) <= 31 THEN 'd31' ELSE 'else' END""",
    "sex": """CASE WHEN l.sex IS NULL OR r.sex IS NULL THEN NULL WHEN l.sex = r.sex THEN 'same' ELSE 'else' END""",
    "village": """CASE WHEN l.village_code IS NULL OR r.village_code IS NULL THEN NULL
                       WHEN l.village_code = r.village_code THEN 'same' ELSE 'else' END""",
    "id": """CASE WHEN l.id_clean IS NULL OR length(l.id_clean) <> 18 OR r.id18 IS NULL THEN NULL
                  WHEN hamming(l.id_clean, r.id18) <= 1 THEN 'd1'
                  WHEN hamming(l.id_clean, r.id18) <= 3 THEN 'd3' ELSE 'else' END""",
}
# Auto-linking needs agreement on the name and on the birth date (or an ID one digit away);
# anything else, however high its score, goes to clerical review.
AUTO_GUARD = "lvl_name <> 'else' AND (lvl_birth IN ('exact', 'd3', 'd31') OR lvl_id = 'd1')"

# Birth date within the same county (first six digits of the village code) when the feed row
# names its village, province-wide otherwise: a 10M-person province has ~300 people per birth
# date but ~3 per county and birth date (docs/decisions/0011, docs/scale.md).
BLOCKS = (
    "l.village_code IS NOT NULL AND l.birth_date = r.birth_date AND l.county = r.county",
    "l.village_code IS NULL AND l.birth_date = r.birth_date",
    "l.village_code = r.village_code AND l.surname = r.surname",
    "l.name = r.name AND year(l.birth_date) = year(r.birth_date)",
)


@dataclass
class LinkReport:
    feed_rows: int = 0
    exact: int = 0
    fuzzy_rows: int = 0
    pairs: int = 0
    auto: int = 0
    review: int = 0
    confirmed: int = 0
    unmatched: int = 0
    u: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def pinyin_table(chars: list[str]) -> tuple[list[str], list[str]]:
    """Each character and its tone-less pinyin followed by a separator."""
    out = []
    for ch in chars:
        syl = lazy_pinyin(ch, style=Style.NORMAL, errors="default")
        out.append((syl[0] if syl else ch) + "|")
    return chars, out


def add_name_features(con: duckdb.DuckDBPyConnection, *, src: str, out: str, cols: str) -> None:
    """`out` = `src` with surname, given name, county and the name's pinyin, built in DuckDB.

    pypinyin runs once per distinct character (a few thousand), never per row: the characters'
    pinyin become a list indexed by code point, and each name is mapped character by character
    in one DuckDB pass (list_transform over string_split).  Both sides of a comparison use this
    one function, so feed and registry features agree by construction."""
    chars = sorted(
        {r[0] for r in con.execute(f"SELECT DISTINCT unnest(string_split(name, '')) FROM {src}").fetchall() if r[0]}
    )
    pats, reps = pinyin_table(chars or ["〇"])
    low = min(ord(c[0]) for c in pats)
    by_point: list[str | None] = [None] * (max(ord(c[0]) for c in pats) - low + 1)
    for ch, syl in zip(pats, reps, strict=True):
        by_point[ord(ch[0]) - low] = syl
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT {cols}, name, substr(name, 1, 1) AS surname, substr(name, 2) AS given,
               substr(village_code, 1, 6) AS county,
               CASE WHEN name = '' THEN '' ELSE array_to_string(list_transform(string_split(name, ''),
                    lambda c: coalesce(_py[unicode(c) - {low - 1}], c || '|')), '') END AS name_py
        FROM {src}, (SELECT ?::VARCHAR[] AS _py)""",
        [by_point],
    )


def link_exact(con: duckdb.DuckDBPyConnection, *, feed: str = "feed", reg: str = "reg", carry: str = "") -> int:
    """Table `_exact(rid, person_id or NULL, <carry: expressions over feed f>)` for every feed row, from
    one join on the int64 ID key (idrepair.key_sql); `links` holds its matched rows."""
    names = {r[0] for r in con.execute(f"DESCRIBE {feed}").fetchall()}
    feed_key = "f.id_key" if "id_key" in names else idrepair.key_sql("f.id18")
    # The registry's key is computed once when it is loaded (pipeline.registry_load).
    reg_names = {r[0] for r in con.execute(f"DESCRIBE {reg}").fetchall()}
    reg_key = "id_key" if "id_key" in reg_names else idrepair.key_sql("id18")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _exact AS
        SELECT f.rid, r.person_id{", " + carry if carry else ""} FROM {feed} f
        LEFT JOIN (SELECT person_id, {reg_key} AS k FROM {reg}) r ON {feed_key} = r.k"""
    )
    written = con.execute(
        """CREATE OR REPLACE TEMP TABLE links AS
        SELECT rid, person_id, 1.0::DOUBLE AS probability, 'auto' AS band, 'exact' AS method
        FROM _exact WHERE person_id IS NOT NULL"""
    ).fetchall()
    return int(written[0][0])


def _weight_case(comp: str, u: dict[str, float]) -> str:
    parts = [f"WHEN '{lvl}' THEN {math.log2(m / max(u.get(lvl, U_FLOOR), U_FLOOR)):.6f}" for lvl, m in M[comp].items()]
    return f"CASE lvl_{comp} {' '.join(parts)} ELSE 0 END"


def link_fuzzy(
    con: duckdb.DuckDBPyConnection,
    *,
    feed: str = "feed",
    reg: str = "reg",
    thresholds: Thresholds = Thresholds(),
    decisions: str | None = None,
    u_sample: int = 100_000,
    reuse_registry_features: bool = False,
    u: dict[str, dict[str, float]] | None = None,
) -> LinkReport:
    """Link the rows of `feed` not in `links` (and without a valid ID) to `reg`; appends to `links`."""
    report = LinkReport()
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _residue AS SELECT f.* FROM {feed} f
        WHERE f.id18 IS NULL AND f.name <> '' AND NOT EXISTS (SELECT 1 FROM links k WHERE k.rid = f.rid)"""
    )
    report.fuzzy_rows = con.execute("SELECT count(*) FROM _residue").fetchall()[0][0]
    if decisions:
        _apply_confirmed(con, decisions, feed)
    if not report.fuzzy_rows:
        return report
    add_name_features(con, src="_residue", out="fl", cols="rid, feed_key, birth_date, sex, village_code, id_clean")
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'fr' AND temporary").fetchall()[0][0]
    if not (reuse_registry_features and exists):
        # The registry's name features are the same for every feed of a monthly batch.
        add_name_features(con, src=reg, out="fr", cols="person_id, id18, birth_date, sex, village_code")
        _registry_frequencies(con)
    pair_sql = " UNION ".join(f"SELECT l.rid, r.person_id FROM fl l JOIN fr r ON {b}" for b in BLOCKS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _pairs AS {pair_sql}")
    if decisions:
        con.execute(
            f"""DELETE FROM _pairs p USING fl l, {decisions} d
            WHERE p.rid = l.rid AND d.feed_key = l.feed_key AND d.person_id = p.person_id AND d.verdict = 'dismissed'"""
        )
    report.pairs = con.execute("SELECT count(*) FROM _pairs").fetchall()[0][0]
    u = u or _estimate_u(con, sample=u_sample)
    report.u = u
    _score(con, u, report)
    _band(con, thresholds)
    counts = dict(con.execute("SELECT band, count(*) FROM _best GROUP BY 1").fetchall())
    report.auto, report.review = counts.get(AUTO, 0), counts.get(REVIEW, 0)
    con.execute(
        """INSERT INTO links SELECT rid, person_id, probability, band, 'fuzzy' FROM _best
        WHERE band IN ('auto', 'review') AND rid NOT IN (SELECT rid FROM links)"""
    )
    return report


def _apply_confirmed(con: duckdb.DuckDBPyConnection, decisions: str, feed: str) -> None:
    con.execute(
        f"""INSERT INTO links SELECT f.rid, d.person_id, 1.0, 'auto', 'confirmed'
        FROM _residue f JOIN {decisions} d ON d.feed_key = f.feed_key AND d.verdict = 'confirmed'
        QUALIFY row_number() OVER (PARTITION BY f.rid ORDER BY d.person_id) = 1"""
    )
    con.execute("DELETE FROM _residue WHERE rid IN (SELECT rid FROM links)")


def _levels_select() -> str:
    return ", ".join(f"{sql} AS lvl_{comp}" for comp, sql in LEVELS_SQL.items())


def _estimate_u(con: duckdb.DuckDBPyConnection, *, sample: int) -> dict[str, dict[str, float]]:
    """P(level | different people) from random feed × registry pairs (as Splink's estimate_u)."""
    nl = con.execute("SELECT count(*) FROM fl").fetchall()[0][0]
    reps = max(1, -(-sample // max(nl, 1)))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ulev AS
        SELECT {_levels_select()} FROM
            (SELECT fl.* FROM fl, range({reps}) ORDER BY hash(fl.rid, range) LIMIT {sample}) l
        POSITIONAL JOIN (SELECT * FROM fr USING SAMPLE {sample} ROWS (reservoir, 42)) r
        WHERE r.person_id IS NOT NULL AND l.rid IS NOT NULL"""
    )
    u: dict[str, dict[str, float]] = {}
    for comp in LEVELS_SQL:
        rows = con.execute(f"SELECT lvl_{comp}, count(*) FROM _ulev WHERE lvl_{comp} IS NOT NULL GROUP BY 1").fetchall()
        known = sum(c for _, c in rows) or 1
        u[comp] = {lvl: max(c / known, U_FLOOR) for lvl, c in rows}
        for lvl in M[comp]:
            u[comp].setdefault(lvl, max(1.0 / known, U_FLOOR))
    return u


def _registry_frequencies(con: duckdb.DuckDBPyConnection) -> None:
    """Term frequencies of whole names and surnames in the registry (once per batch)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _tfn AS SELECT name, count(*) / (SELECT count(*) FROM fr) AS f FROM fr GROUP BY 1"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _tfs AS "
        "SELECT surname, count(*) / (SELECT count(*) FROM fr) AS f FROM fr GROUP BY 1"
    )


def _score(con: duckdb.DuckDBPyConnection, u: dict[str, dict[str, float]], report: LinkReport) -> None:
    # About three in four rows without a usable ID are registry people (the rest are not held).
    prior = min(0.5, 0.75 * report.fuzzy_rows / max(report.pairs, 1))
    base = math.log2(prior / (1 - prior))
    # Term frequencies: agreeing on 王伟 says less than agreeing on 禚晓雯; for a one-character
    # difference with the same surname, a common surname (王) says less than a rare one.
    sur_avg = con.execute("SELECT sum(f * f) FROM _tfs").fetchall()[0][0] or U_FLOOR
    others = " + ".join(_weight_case(c, u[c]) for c in LEVELS_SQL if c != "name")
    name_other = " ".join(
        f"WHEN '{lvl}' THEN {math.log2(m / max(u['name'].get(lvl, U_FLOOR), U_FLOOR)):.6f}"
        for lvl, m in M["name"].items()
        if lvl != "exact"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _scored AS
        WITH lv AS (
            SELECT p.rid, p.person_id, l.name AS l_name, l.surname AS l_surname,
                   l.surname = r.surname AS same_surname, {_levels_select()}
            FROM _pairs p JOIN fl l ON l.rid = p.rid JOIN fr r ON r.person_id = p.person_id
        )
        SELECT lv.rid, lv.person_id, {AUTO_GUARD} AS guard_ok,
               {base:.6f}
               + CASE lvl_name
                 WHEN 'exact' THEN log2({M["name"]["exact"]} / greatest(coalesce(tn.f, {U_FLOOR}), {U_FLOOR}))
                               {name_other} ELSE 0 END
               + CASE WHEN lvl_name = 'one_char' AND same_surname
                      THEN log2({sur_avg} / greatest(coalesce(ts.f, {U_FLOOR}), {U_FLOOR})) ELSE 0 END
               + {others} AS w
        FROM lv LEFT JOIN _tfn tn ON tn.name = lv.l_name LEFT JOIN _tfs ts ON ts.surname = lv.l_surname"""
    )


def _band(con: duckdb.DuckDBPyConnection, t: Thresholds) -> None:
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _best AS
        SELECT rid, person_id, w, guard_ok, second_w, 1 / (1 + pow(2, -w)) AS probability,
               CASE WHEN 1 / (1 + pow(2, -w)) >= {t.auto} AND (w - second_w) >= 3 AND guard_ok THEN 'auto'
                    WHEN 1 / (1 + pow(2, -w)) >= {t.review} THEN 'review' ELSE 'none' END AS band
        FROM (
            SELECT rid, person_id, w, guard_ok,
                   coalesce(lead(w) OVER (PARTITION BY rid ORDER BY w DESC, person_id), -1e9) AS second_w,
                   row_number() OVER (PARTITION BY rid ORDER BY w DESC, person_id) AS rank
            FROM _scored
        ) WHERE rank = 1"""
    )
