"""One comparison of a department file with the registry, the whole step order written once:
read → ID repair → exact linkage → probabilistic linkage → rules → outputs.

`compare` takes the file, its source, the registry and the earlier review decisions as frames, the
rules due and their parameters, and returns plain rows: the rule hits, the pairs for clerical
review, the counts, and (when asked) the department's feedback file.  The temp tables of the DuckDB
connection never leave this package: the service layer writes what `compare` returns to the
database.  No Django.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from fangpin.datafeeds.core import matching, pipeline
from fangpin.datafeeds.core.rules import Rule
from fangpin.datafeeds.core.sources import Source

# The phases a run reports while it compares (the service adds its own write phase after them).
STEPS = ("读取文件", "读取农户信息库", "身份证号精确匹配", "姓名、出生日期等概率匹配", "执行预警规则")

OnStep = Callable[[int, str], None]


class Hit(NamedTuple):
    """One rule hit on a linked person; `line`: the file's line (None for a registry-wide check)."""

    person_id: int
    household_id: int
    rule_code: str
    metric_value: Any
    threshold_value: Any
    event_date: date | None
    window_key: str
    line: int | None


class ReviewRow(NamedTuple):
    """A feed row and the registry person it probably is, for clerical review."""

    feed_key: str
    person_id: int
    probability: float
    line: int
    name: str
    id_raw: str | None
    birth_date: date | None
    sex: str | None
    village_code: str | None


@dataclass
class Comparison:
    load: pipeline.LoadReport
    exact: int
    link: matching.LinkReport
    rule_hits: dict[str, int]
    unmatched: int
    hits: list[Hit] = field(default_factory=list)
    review: list[ReviewRow] = field(default_factory=list)

    @property
    def hit_households(self) -> int:
        return len({h.household_id for h in self.hits})


def compare(
    *,
    path: Path,
    source: Source,
    registry: Any,
    decisions: Any,
    rules: Sequence[Rule],
    params: dict[str, Decimal],
    period: str,
    today: date,
    labour_values: tuple[str, ...] = (),
    feedback_path: Path | None = None,
    on_step: OnStep | None = None,
) -> Comparison:
    """Compare one file (`reading.FeedFileError` when it cannot be used; `rules.RuleError` for a
    rule that does not compile).  `registry`, `decisions`: Arrow/Polars frames with the `reg` and
    the decision columns; `feedback_path`: where the department's feedback file is written (none
    for a preview)."""
    step = on_step or (lambda _i, _phase: None)
    con = pipeline.connect()
    try:
        step(0, STEPS[0])
        load = pipeline.load(con, path, source, today=today)
        step(1, STEPS[1])
        pipeline.registry_load(con, registry, labour_values=labour_values)
        step(2, STEPS[2])
        exact = matching.link_exact(con)
        step(3, STEPS[3])
        con.register("decisions", decisions)
        link = matching.link_fuzzy(con, decisions="decisions")
        step(4, STEPS[4])
        counts = pipeline.evaluate_rules(con, list(rules), source=source, params=params, period=period, run_day=today)
        result = Comparison(load=load, exact=exact, link=link, rule_hits=counts, unmatched=unmatched_count(con))
        result.hits = hit_rows(con)
        result.review = review_rows(con) if link.fuzzy_rows else []
        if feedback_path is not None:
            write_feedback(con, feedback_path)
        return result
    finally:
        con.close()


def hit_rows(con: duckdb.DuckDBPyConnection) -> list[Hit]:
    """The rule hits (table `hits`) with the line of the feed row that raised each."""
    rows = con.execute(
        "SELECT h.person_id, h.household_id, h.rule_code, h.metric_value, h.threshold_value, "
        "h.event_date, h.window_key, f.line FROM hits h LEFT JOIN feed f USING (rid) "
        "ORDER BY h.rule_code, h.person_id"
    ).fetchall()
    return [Hit(*row) for row in rows]


def review_rows(con: duckdb.DuckDBPyConnection) -> list[ReviewRow]:
    """The feed rows the probabilistic linkage put in the review band, with their best candidate."""
    rows = con.execute(
        """SELECT l.feed_key, b.person_id, b.probability, f.line, f.name, f.id_raw, f.birth_date, f.sex, f.village_code
        FROM _best b JOIN fl l USING (rid) JOIN feed f USING (rid) WHERE b.band = 'review'"""
    ).fetchall()
    return [ReviewRow(*row) for row in rows]


def unmatched_count(con: duckdb.DuckDBPyConnection) -> int:
    rows = con.execute("SELECT count(*) FROM feed WHERE rid NOT IN (SELECT rid FROM links)").fetchall()
    return int(rows[0][0])


def write_feedback(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Unmatched and invalid rows with their reasons, for the department's feedback file (Parquet,
    written beside and then moved into place)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _reasons(code VARCHAR, text VARCHAR)")
    con.executemany("INSERT INTO _reasons VALUES (?, ?)", list(pipeline.ISSUE_TEXT.items()))
    tmp = path.with_suffix(".tmp")
    con.execute(
        f"""COPY (
            SELECT i.line, coalesce(f.name, '') AS name, coalesce(f.id_raw, '') AS id_raw, i.column_label,
                   coalesce(r.text, i.code) AS reason
            FROM feed_issues i LEFT JOIN feed f USING (rid) LEFT JOIN _reasons r ON r.code = i.code
            UNION ALL
            SELECT f.line, f.name, coalesce(f.id_raw, ''), '', (SELECT text FROM _reasons WHERE code = 'unmatched')
            FROM feed f WHERE f.rid NOT IN (SELECT rid FROM links)
            ORDER BY 1
        ) TO '{str(tmp).replace("'", "''")}' (FORMAT parquet)"""
    )
    tmp.replace(path)
