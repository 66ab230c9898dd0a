"""Synthetic registry persons and department feeds with truth labels.

Vectorised (numpy + polars), seedable, no Django.  Noise on the feed rows of
registry people (BENCHMARKS §5): ID missing 30%, one-digit typo 5%, legacy
15-digit form 5%; one name character substituted 15%; birth date ±1–3 days 8%,
±30 days 2%; village moved 10%.  A share of rows (20% by default) are people
the registry does not hold.  True risk events are injected only on rows whose
ID is intact and whose person belongs to the rule's population, so that every
one of them is recoverable (recall 1.0 is achievable) and each names the
household it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from fangpin.datafeeds.core.sources.departments import HOUSING_GROUPS, SOURCES
from fangpin.synth import names as nm
from fangpin.synth.idgen import assign_sequences, build_ids

EPOCH = date(1970, 1, 1).toordinal()
SPECIAL_DISEASES = ("恶性肿瘤", "尿毒症", "白血病", "先天性心脏病")
OTHER_DISEASES = ("高血压", "糖尿病", "慢性胃炎")
LABOUR = ("skilled", "ordinary", "weak", "lost", "none")  # registry LabourCapacity values
LABOUR_SHARES = (0.1, 0.5, 0.1, 0.05, 0.25)


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("int32")).cast(pl.Date)


def _pick(labels: tuple[str, ...] | list[str], idx: np.ndarray) -> pl.Series:
    return pl.Series(list(labels), dtype=pl.Utf8).gather(pl.Series(idx.astype(np.int64)))


def _names(rng: np.random.Generator, n: int, male: np.ndarray) -> pl.Series:
    surnames, weights = nm.surname_table()
    sur = rng.choice(len(surnames), size=n, p=weights)
    pool = nm.MALE_CHARS + nm.FEMALE_CHARS + nm.COMMON_CHARS
    f_lo, c_lo = len(nm.MALE_CHARS), len(nm.MALE_CHARS) + len(nm.FEMALE_CHARS)
    male_idx = np.r_[np.arange(0, f_lo), np.arange(c_lo, len(pool))]
    female_idx = np.r_[np.arange(f_lo, c_lo), np.arange(c_lo, len(pool))]
    first = np.where(male, male_idx[rng.integers(0, male_idx.size, n)], female_idx[rng.integers(0, female_idx.size, n)])
    second = np.where(
        male, male_idx[rng.integers(0, male_idx.size, n)], female_idx[rng.integers(0, female_idx.size, n)]
    )
    two = rng.random(n) < 0.72
    pool_s = pl.Series(pool, dtype=pl.Utf8)
    second_s = pl.select(
        pl.when(pl.Series(two)).then(pool_s.gather(pl.Series(second))).otherwise(pl.lit(""))
    ).to_series()
    return pl.select(
        pl.Series(list(surnames), dtype=pl.Utf8).gather(pl.Series(sur)) + pool_s.gather(pl.Series(first)) + second_s
    ).to_series()


def _ids(rng: np.random.Generator, region: np.ndarray, born_days: np.ndarray, male: np.ndarray) -> pl.Series:
    ymd = pl.select(_dates(born_days).dt.strftime("%Y%m%d").cast(pl.Int64)).to_series().to_numpy()
    keys = region.astype(np.int64) * 10**8 + ymd
    seq, overflow = assign_sequences(keys, male)
    seq = np.where(overflow, seq % 1000, seq)  # astronomically rare at these densities
    return build_ids(region, ymd, seq)


def synth_registry(n: int, *, seed: int = 1, counties: int | None = None, per_village: int = 400) -> pl.DataFrame:
    """`n` registry persons in households of three, as the `reg` table the pipeline expects."""
    rng = np.random.default_rng(seed)
    counties = counties or max(1, n // 100_000)
    county_codes = 110000 + np.arange(counties) * 7  # six-digit regions
    villages = max(1, n // per_village)
    village_county = rng.integers(0, counties, villages)
    village_codes = county_codes[village_county].astype(np.int64) * 10**6 + np.arange(villages) % 999_999 + 1
    hh = np.arange(n, dtype=np.int64) // 3
    n_hh = int(hh[-1]) + 1 if n else 0
    hh_village = rng.integers(0, villages, n_hh)
    village = hh_village[hh]
    male = rng.random(n) < 0.51
    born = rng.integers(date(1935, 1, 1).toordinal(), date(2022, 12, 31).toordinal(), n) - EPOCH
    region = county_codes[village_county[village]]
    pop_hh = rng.choice(3, size=n_hh, p=[0.25, 0.03, 0.72])
    no_labour = rng.random(n_hh) < 0.03
    dibao = rng.random(n) < 0.05
    tekun = rng.random(n) < 0.01
    safety = np.zeros(n_hh, dtype=bool)
    np.logical_or.at(safety, hh, dibao | tekun)
    return pl.DataFrame(
        {
            "person_id": np.arange(1, n + 1, dtype=np.int64),
            "household_id": hh + 1,
            "id18": _ids(rng, region, born, male),
            "name": _names(rng, n, male),
            "sex": np.where(male, "M", "F"),
            "birth_date": _dates(born),
            "village_code": pl.Series(village_codes[village]).cast(pl.Utf8),
            "population": _pick(("escaped", "monitored", "ordinary"), pop_hh[hh]),
            "person_status": np.where(rng.random(n) < 0.01, "deceased", "active"),
            "is_dibao": dibao,
            "is_tekun": tekun,
            "hh_no_labour": no_labour[hh],
            "hh_safety_net": safety[hh],
            # Its own stream, so that the columns above stay what they were for a given seed.
            "labour": _pick(LABOUR, np.random.default_rng(seed + 7919).choice(5, size=n, p=LABOUR_SHARES)),
        }
    )


@dataclass
class FeedTruth:
    frame: pl.DataFrame  # Chinese headers, as the department sends it
    truth: pl.DataFrame  # line, true_person_id (-1: not in the registry), noise, injected


def _typo(ids: pl.Series, rng: np.random.Generator) -> pl.Series:
    pos = rng.integers(0, 17, ids.len())
    digit = rng.integers(1, 10, ids.len())
    return (
        pl.DataFrame({"s": ids, "p": pos, "d": digit})
        .select(
            pl.col("s").str.slice(0, pl.col("p"))
            + ((pl.col("s").str.slice(pl.col("p"), 1).cast(pl.Int64) + pl.col("d")) % 10).cast(pl.Utf8)
            + pl.col("s").str.slice(pl.col("p") + 1)
        )
        .to_series()
    )


def _change_char(names: pl.Series, rng: np.random.Generator) -> pl.Series:
    pool = nm.MALE_CHARS + nm.FEMALE_CHARS
    lens = names.str.len_chars().to_numpy()
    pos = np.maximum(1, (rng.random(names.len()) * lens).astype(np.int64))
    pos = np.minimum(pos, np.maximum(lens - 1, 0))
    new = _pick(pool, rng.integers(0, len(pool), names.len()))
    return (
        pl.DataFrame({"s": names, "p": pos, "c": new})
        .select(pl.col("s").str.slice(0, pl.col("p")) + pl.col("c") + pl.col("s").str.slice(pl.col("p") + 1))
        .to_series()
    )


def synth_feed(
    reg: pl.DataFrame,
    source_code: str,
    n: int,
    *,
    seed: int = 2,
    period: str = "2026-10",
    new_share: float = 0.2,
    event_share: float = 0.02,
) -> FeedTruth:
    """One department file of `n` rows drawn from `reg` with noise, new people and injected events."""
    rng = np.random.default_rng(seed)
    n_new = int(n * new_share)
    n_old = n - n_new
    pick = rng.choice(reg.height, size=n_old, replace=n_old > reg.height)
    old = reg[pick]
    male_new = rng.random(n_new) < 0.5
    born_new = rng.integers(date(1935, 1, 1).toordinal(), date(2022, 12, 31).toordinal(), n_new) - EPOCH
    villages = reg["village_code"].unique().to_numpy()
    new = pl.DataFrame(
        {
            "person_id": np.full(n_new, -1, dtype=np.int64),
            "household_id": np.full(n_new, -1, dtype=np.int64),
            "id18": _ids(rng, np.full(n_new, 650000 + 3), born_new, male_new),
            "name": _names(rng, n_new, male_new),
            "sex": np.where(male_new, "M", "F"),
            "birth_date": _dates(born_new),
            "village_code": pl.Series(villages[rng.integers(0, villages.size, n_new)]).cast(pl.Utf8),
            "population": pl.Series(["ordinary"] * n_new, dtype=pl.Utf8),
            "person_status": pl.Series(["active"] * n_new, dtype=pl.Utf8),
        }
    )
    people = pl.concat([old.select(new.columns), new]).with_row_index("k")
    m = people.height
    u = rng.random((8, m))
    born_before_2000 = people["birth_date"].dt.year().to_numpy() < 2000
    id_missing, id_typo = u[0] < 0.30, (u[0] >= 0.30) & (u[0] < 0.35)
    id_15 = (u[0] >= 0.35) & (u[0] < 0.40) & born_before_2000  # legacy numbers predate 2000
    name_change = u[1] < 0.15
    shift_small, shift_big = u[2] < 0.08, (u[2] >= 0.08) & (u[2] < 0.10)
    moved = u[3] < 0.10
    ids = people["id18"]
    ids = pl.select(
        pl.when(pl.Series(id_missing))
        .then(pl.lit(None, pl.Utf8))
        .when(pl.Series(id_typo))
        .then(_typo(ids, rng))
        .when(pl.Series(id_15))
        .then(ids.str.slice(0, 6) + ids.str.slice(8, 9))
        .otherwise(ids)
    ).to_series()
    name = pl.select(
        pl.when(pl.Series(name_change)).then(_change_char(people["name"], rng)).otherwise(people["name"])
    ).to_series()
    delta = np.where(
        shift_small, rng.choice([-3, -2, -1, 1, 2, 3], m), np.where(shift_big, rng.choice([-30, 30], m), 0)
    )
    birth = _dates(people["birth_date"].cast(pl.Int32).to_numpy() + delta)
    village = pl.select(
        pl.when(pl.Series(moved))
        .then(pl.Series(villages[rng.integers(0, villages.size, m)]).cast(pl.Utf8))
        .otherwise(people["village_code"])
    ).to_series()
    in_reg = people["person_id"].to_numpy() > 0
    clean = in_reg & ~(id_missing | id_typo) & (people["person_status"].to_numpy() == "active")
    age = (
        date(int(period[:4]), int(period[5:7]), 1).toordinal() - EPOCH - people["birth_date"].cast(pl.Int32).to_numpy()
    ) / 365.25
    injected = clean & (u[4] < event_share) & _eligible(source_code, people, age)
    frame = pl.DataFrame(
        {
            "业务流水号": pl.Series([f"{source_code[:3].upper()}{period.replace('-', '')}{i:08d}" for i in range(m)]),
            "姓名": name,
            "身份证号": ids,
            "性别": pl.Series(np.where(people["sex"].to_numpy() == "M", "男", "女")),
            "出生日期": birth.dt.strftime("%Y-%m-%d"),
            "村代码": village,
            **_columns(source_code, rng, m, injected, age),
        }
    )
    truth = pl.DataFrame(
        {
            "line": np.arange(2, m + 2, dtype=np.int64),
            "true_person_id": people["person_id"],
            "true_household_id": people["household_id"],
            "true_id18": pl.select(pl.when(pl.Series(in_reg)).then(people["id18"]).otherwise(pl.lit(""))).to_series(),
            "id_noise": np.select([id_missing, id_typo, id_15], ["missing", "typo", "legacy15"], "none"),
            "name_changed": name_change,
            "birth_shifted": shift_small | shift_big,
            "moved": moved,
            "injected": injected,
        }
    )
    return FeedTruth(frame=frame, truth=truth)


def _eligible(code: str, people: pl.DataFrame, age: np.ndarray) -> np.ndarray:
    pop = people["population"].to_numpy()
    esc = np.isin(pop, ["escaped", "monitored"])
    if code == "education":
        return (age >= 7) & (age < 15)
    if code in ("human_resources", "housing", "medical_security"):
        return esc
    if code == "transport":  # a traffic accident: any rural resident old enough to be on the road
        return age >= 6
    return np.ones(people.height, dtype=bool)


def _columns(code: str, rng: np.random.Generator, m: int, ev: np.ndarray, age: np.ndarray) -> dict[str, pl.Series]:
    r = rng.random(m)
    money = lambda lo, hi: np.round(lo + rng.random(m) * (hi - lo), 2)  # noqa: E731
    fmt = lambda a: pl.Series(a).cast(pl.Utf8)  # noqa: E731
    day = (
        pl.Series(np.full(m, date(2026, 10, 15).toordinal() - EPOCH, dtype=np.int32))
        .cast(pl.Date)
        .dt.strftime("%Y-%m-%d")
    )
    if code == "medical_security":
        return {
            "参保状态": _pick(("已参保",), np.zeros(m)),
            "年度累计个人自付": fmt(np.where(ev, money(26000, 60000), money(0, 3000))),
            "当月门诊特殊病自付": fmt(money(0, 300)),
            "结算日期": day,
        }
    if code == "health":
        return {
            "病种": pl.select(
                pl.when(pl.Series(ev))
                .then(_pick(SPECIAL_DISEASES, rng.integers(0, 4, m)))
                .otherwise(_pick(OTHER_DISEASES, rng.integers(0, 3, m)))
            ).to_series(),
            "确诊日期": day,
        }
    if code == "education":
        return {
            "在校状态": pl.Series(np.where(ev, "辍学", "在校")),
            "学段": pl.Series(np.where(age < 12, "小学", "初中")),
            "学年自付费用": fmt(money(0, 3000)),
            "变动日期": day,
        }
    if code == "emergency":
        return {
            "灾害类型": pl.Series(["洪涝"] * m),
            "受灾情况": pl.Series(np.where(ev, "房屋倒塌", "房屋一般损坏")),
            "受灾日期": day,
        }
    if code == "housing":
        return {
            "鉴定等级": pl.Series(np.where(ev, "D", np.where(r < 0.5, "A", "B"))),
            "对象类别": _pick((*HOUSING_GROUPS, "一般农户"), rng.integers(0, len(HOUSING_GROUPS) + 1, m)),
            "改造状态": pl.Series(np.where(ev, "未改造", "已改造")),
            "鉴定日期": day,
        }
    if code == "water":
        return {
            "问题类型": pl.Series(np.where(ev, "水质不达标", "水量不足")),
            "停水天数": fmt(np.where(ev, 40, rng.integers(0, 10, m))),
            "发现日期": day,
        }
    if code == "human_resources":
        return {
            "就业状态": pl.Series(np.where(ev, "失业", "就业")),
            "失业原因": pl.select(pl.when(pl.Series(ev)).then(pl.lit("个人原因")).otherwise(None)).to_series(),
            "零就业家庭": pl.Series(["否"] * m),
            "变动日期": day,
        }
    if code == "disabled_persons_federation":
        return {
            "残疾等级": fmt(np.where(ev, 1, rng.integers(3, 5, m))),
            "办证类型": pl.Series(np.where(ev, "新办", "换证")),
            "发证日期": day,
        }
    if code == "civil_affairs":
        return {
            "救助类型": pl.Series(np.where(ev, "殡葬", "低保")),
            "变动类型": pl.Series(np.where(ev, "死亡", "在保")),
            "变动日期": day,
        }
    if code == "agriculture_rural":
        return {
            "事件类型": pl.Series(np.where(ev, "产业项目失败", "农作物病虫害")),
            "损失金额": fmt(np.where(ev, money(20000, 50000), money(0, 2000))),
            "发生日期": day,
        }
    if code == "transport":
        return {
            "伤亡情况": pl.Series(np.where(ev, np.where(r < 0.3, "死亡", "重伤"), np.where(r < 0.5, "轻伤", "无伤亡"))),
            "事故类型": pl.Series(["道路交通事故"] * m),
            "医疗费用": fmt(np.where(ev, money(5000, 80000), money(0, 2000))),
            "事故日期": day,
        }
    if code == "public_security":
        return {"变动类型": pl.Series(np.where(ev, "死亡", "迁入")), "变动日期": day}
    raise KeyError(code)


def write_feeds(
    reg: pl.DataFrame,
    out: Path,
    *,
    rows: int,
    seed: int = 3,
    period: str = "2026-10",
    fmt: str = "csv",
) -> dict[str, Path]:
    """Write one file per department (CSV UTF-8, GB18030 for every other one, or XLSX) and its truth."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for i, source in enumerate(SOURCES):
        data = synth_feed(reg, source.code, rows, seed=seed + i, period=period)
        if fmt == "xlsx":
            path = out / f"{source.code}-{period}.xlsx"
            data.frame.write_excel(path)
        elif fmt == "parquet":
            path = out / f"{source.code}-{period}.parquet"
            data.frame.write_parquet(path)
        else:
            path = out / f"{source.code}-{period}.csv"
            text = data.frame.write_csv()
            path.write_bytes(text.encode("gb18030" if i % 2 else "utf-8"))
        data.truth.write_csv(out / f"{source.code}-{period}.truth.csv")
        paths[source.code] = path
    return paths


def registry_from_import_csv(path: Path) -> pl.DataFrame:
    """The `reg` frame from a registry file in the import format (as `fangpin synth` writes it)."""
    raw = pl.read_csv(path, infer_schema=False)
    ids = raw["证件号码"]
    return pl.DataFrame(
        {
            "person_id": np.arange(1, raw.height + 1, dtype=np.int64),
            "household_id": raw["户编号"].rank("dense").cast(pl.Int64),
            "id18": ids,
            "name": raw["姓名"],
            "sex": pl.select(
                pl.when(ids.str.slice(16, 1).cast(pl.Int64) % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))
            ).to_series(),
            "birth_date": ids.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d"),
            "village_code": raw["行政区划代码"],
            "population": raw.select(
                pl.when(pl.col("户类型") == "脱贫户")
                .then(pl.lit("escaped"))
                .when(pl.col("户类型").is_null())
                .then(pl.lit(None))
                .otherwise(pl.lit("ordinary"))
                .forward_fill()
                .over("户编号")
            ).to_series(),
            "person_status": pl.Series(["active"] * raw.height),
        }
    )
