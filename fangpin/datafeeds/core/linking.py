"""`fangpin link LEFT RIGHT --config CONFIG.toml --out DIR`: link any two tables.

LEFT plays the registry, RIGHT the feed: every right-hand record gets at most
one left-hand record.  The config names each side's columns; see README
("Linking any two tables").  No Django.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from fangpin.datafeeds.core import idrepair, matching

ROLES = ("id", "name", "birth_date", "sex", "address", "id_number")


class ConfigError(ValueError):
    pass


@dataclass
class Side:
    path: Path
    columns: dict[str, str]


def load_config(path: Path) -> tuple[dict[str, str], dict[str, str], matching.Thresholds]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"配置文件无法读取：{exc}") from exc
    sides = []
    for key in ("left", "right"):
        side = data.get(key)
        if not isinstance(side, dict) or "id" not in side or "name" not in side:
            raise ConfigError(f"配置文件须有 [{key}] 节，并至少给出 id 和 name 两列")
        unknown = set(side) - set(ROLES)
        if unknown:
            raise ConfigError(f"[{key}] 中有未知的键：{'、'.join(sorted(unknown))}（可用：{'、'.join(ROLES)}）")
        sides.append({k: str(v) for k, v in side.items()})
    bands = data.get("bands", {})
    thresholds = matching.Thresholds(
        auto=float(bands.get("auto", matching.Thresholds.auto)),
        review=float(bands.get("review", matching.Thresholds.review)),
    )
    return sides[0], sides[1], thresholds


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', header=true, all_varchar=true)"


def _side_sql(path: Path, cols: dict[str, str], key: str) -> str:
    def col(role: str, cast: str = "VARCHAR") -> str:
        if role not in cols:
            return f"CAST(NULL AS {cast})"
        return f'CAST("{cols[role].replace(chr(34), "")}" AS VARCHAR)'

    birth = col("birth_date")
    sex = col("sex")
    return f"""SELECT row_number() OVER () AS {key}, {col("id")} AS ext_id,
        regexp_replace(coalesce({col("name")}, ''), '[\\s·•]', '', 'g') AS name,
        coalesce(try_cast({birth} AS DATE),
                 try_strptime({birth}, ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d'])::DATE) AS birth_date,
        CASE WHEN {sex} IN ('男', 'M', 'm', '1') THEN 'M' WHEN {sex} IN ('女', 'F', 'f', '2') THEN 'F' END AS sex,
        nullif(trim({col("address")}), '') AS village_code, {col("id_number")} AS id_raw
        FROM {_reader(path)}"""


def link_tables(
    left: Path,
    right: Path,
    *,
    left_cols: dict[str, str],
    right_cols: dict[str, str],
    thresholds: matching.Thresholds,
    today: date,
    threads: int = 2,
) -> tuple[duckdb.DuckDBPyConnection, matching.LinkReport]:
    """Link `right` records to `left` records; the connection holds table `out` with the result."""
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"CREATE TEMP TABLE _l AS {_side_sql(left, left_cols, 'person_id')}")
    con.execute(f"CREATE TEMP TABLE _r AS {_side_sql(right, right_cols, 'rid')}")
    idrepair.repair_table(con, src="_l", raw_col="id_raw", key_col="person_id", out="_lid", today=today)
    idrepair.repair_table(con, src="_r", raw_col="id_raw", key_col="rid", out="_rid", today=today)
    con.execute("CREATE TEMP TABLE reg AS SELECT l.*, i.id18 FROM _l l JOIN _lid i USING (person_id)")
    con.execute(
        "CREATE TEMP TABLE feed AS SELECT r.*, i.id18, i.id_clean, md5(r.rid::VARCHAR) AS feed_key "
        "FROM _r r JOIN _rid i USING (rid)"
    )
    report = matching.LinkReport()
    report.exact = matching.link_exact(con)
    fuzzy = matching.link_fuzzy(con, thresholds=thresholds)
    fuzzy.exact = report.exact
    con.execute(
        """CREATE TEMP TABLE out AS
        SELECT l.ext_id AS left_id, r.ext_id AS right_id, round(k.probability, 6) AS probability, k.band
        FROM links k JOIN reg l ON l.person_id = k.person_id JOIN feed r ON r.rid = k.rid
        QUALIFY row_number() OVER (PARTITION BY k.rid ORDER BY k.probability DESC) = 1
        ORDER BY r.rid"""
    )
    return con, fuzzy


def write_links(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "links.csv"
    con.execute(f"COPY out TO '{str(target).replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')")
    return target


def summary(report: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(report).items() if k not in ("u", "seconds")}
