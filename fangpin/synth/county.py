"""A synthetic county in the registry import format (docs/formats.md).

Everything is drawn with numpy from one seed, so the same seed gives the same
county byte for byte.  The shape follows the county of seed 000 (15
townships, about 105 villages); sizes, ages, incomes, illness, disability,
schooling, migrant work and benefits follow rural patterns, with a few per
cent of households near or below the monitoring line.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

from fangpin.registry.importing.schema import HEADERS
from fangpin.synth import names as nm
from fangpin.synth.idgen import assign_sequences, build_ids

PROVINCE = ("230000000000", "黑龙江省")
CITY = ("231200000000", "绥化市")
COUNTY = ("231299000000", "演示县")
COUNTY_REGION = 231299
OTHER_REGIONS = np.array([231221, 231222, 231223, 231224, 231225, 231226, 231281, 231282, 231283, 230102, 230103])
REFERENCE_DATE = date(2026, 6, 30)
INCOME_YEAR = 2025


@dataclass(frozen=True)
class AreaPlan:
    townships: int = 15
    villages: int = 105
    grids_per_village: int = 3


def areas_frame(plan: AreaPlan, rng: np.random.Generator) -> pl.DataFrame:
    rows: list[tuple[str, str, str, str]] = [
        (PROVINCE[0], PROVINCE[1], "province", ""),
        (CITY[0], CITY[1], "city", PROVINCE[0]),
        (COUNTY[0], COUNTY[1], "county", CITY[0]),
    ]
    per_town = np.full(plan.townships, plan.villages // plan.townships)
    per_town[: plan.villages % plan.townships] += 1
    used: set[str] = set()
    for t in range(plan.townships):
        tcode = f"{COUNTY_REGION}{t + 1:03d}000"
        tname = _unique_name(rng, nm.TOWNSHIP_ROOTS, 2, rng.choice(nm.TOWNSHIP_SUFFIXES), used)
        rows.append((tcode, tname, "township", COUNTY[0]))
        for v in range(int(per_town[t])):
            vcode = f"{COUNTY_REGION}{t + 1:03d}{v + 1:03d}"
            vname = _unique_name(rng, nm.VILLAGE_ROOTS, 2, "村", used)
            rows.append((vcode, vname, "village", tcode))
            for g in range(plan.grids_per_village):
                rows.append((f"{vcode}{g + 1:03d}", f"{vname}第{g + 1}网格", "grid", vcode))
    return pl.DataFrame(rows, schema=["区划代码", "名称", "层级", "上级代码"], orient="row")


def _unique_name(rng: np.random.Generator, roots: list[str], k: int, suffix: str, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(roots, size=k)) + suffix
        if name not in used:
            used.add(name)
            return name


def _lab(labels: list[str], codes: np.ndarray, *, blank_as_null: bool = True, text: bool = False) -> pl.Series:
    """Labels by integer code as an Enum column: an integer gather, no string copies.

    `text=True` gives plain strings, for columns that are concatenated further.
    """
    index = np.asarray(codes, dtype=np.int64)
    if text or not blank_as_null or len(set(labels)) != len(labels):
        table = pl.Series([None if blank_as_null and x == "" else x for x in labels], dtype=pl.Utf8)
        return table.gather(pl.Series(index))
    kept = [x for x in labels if x != ""]
    remap = np.array([kept.index(x) if x != "" else -1 for x in labels], dtype=np.int64)[index]
    positions = pl.Series(remap)
    positions = pl.select(pl.when(positions >= 0).then(positions).otherwise(None)).to_series()
    return pl.Series(kept, dtype=pl.Enum(kept)).gather(positions)


def _draw(rng: np.random.Generator, p: list[float], n: int) -> np.ndarray:
    return rng.choice(len(p), size=n, p=np.array(p, dtype=float) / sum(p))


def _int_str(values: np.ndarray, width: int = 0) -> pl.Series:
    series = pl.Series(np.asarray(values, dtype=np.int64)).cast(pl.Utf8)
    return series.str.zfill(width) if width else series


def _yes_no(flags: np.ndarray) -> pl.Series:
    return _lab(["否", "是"], flags.astype(np.int64))


def _blank_where(series: pl.Series, keep: np.ndarray) -> pl.Series:
    return pl.select(pl.when(pl.Series(keep)).then(series).otherwise(None)).to_series().alias(series.name)


def _money(values: np.ndarray) -> pl.Series:
    # Shortest round-trip text of the rounded value: "10622.64", "0.0".
    return pl.Series(np.round(np.asarray(values, dtype=float), 2)).cast(pl.Utf8)


REL_LABELS = ["户主", "配偶", "之子", "之女", "之父母", "之女婿", "之儿媳", "之孙子女"]
HEAD, SPOUSE, CHILD, PARENT, IN_LAW, GRANDCHILD = 0, 1, 2, 4, 5, 7


def registry_frame(
    n_households: int,
    rng: np.random.Generator,
    village_codes: list[str],
    grid_per_village: int,
    *,
    part: tuple[int, int] = (0, 1),
    serial_offset: int = 0,
) -> pl.DataFrame:
    """One row per person, household and income columns on the head's row."""
    h = n_households
    sizes = rng.choice([1, 2, 3, 4, 5, 6, 7], size=h, p=[0.13, 0.27, 0.21, 0.19, 0.12, 0.06, 0.02])
    hh_of = np.repeat(np.arange(h), sizes)
    pos = np.arange(hh_of.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    size_of = sizes[hh_of]
    n = hh_of.size
    u = rng.random((n, 6))

    # Relationship by position: head, then spouse (mostly), children, a parent, in-laws and grandchildren.
    rel = np.full(n, CHILD)
    rel[pos == 0] = HEAD
    has_spouse = rng.random(h) < 0.86
    rel[(pos == 1) & has_spouse[hh_of]] = SPOUSE
    has_parent = (rng.random(h) < 0.22) & (sizes >= 3)
    rel[(pos == size_of - 1) & has_parent[hh_of] & (pos >= 2)] = PARENT
    three_gen = (sizes >= 5) & (rng.random(h) < 0.7)
    inlaw_pos = np.where(has_spouse, 3, 2)
    rel[(pos == inlaw_pos[hh_of]) & three_gen[hh_of] & (rel != PARENT)] = IN_LAW
    rel[(pos > inlaw_pos[hh_of]) & three_gen[hh_of] & (rel == CHILD)] = GRANDCHILD

    head_age = np.clip(rng.normal(54, 13, h), 21, 92).astype(int)
    ha = head_age[hh_of]
    age = np.select(
        [rel == HEAD, rel == SPOUSE, rel == CHILD, rel == PARENT, rel == IN_LAW, rel == GRANDCHILD],
        [
            ha,
            ha + rng.integers(-4, 4, n),
            ha - rng.integers(22, 36, n),
            ha + rng.integers(22, 32, n),
            ha - rng.integers(22, 34, n),
            ha - rng.integers(44, 62, n),
        ],
    )
    age = np.clip(age, 0, 100)
    head_male = rng.random(h) < 0.84
    male = np.where(rel == HEAD, head_male[hh_of], rng.random(n) < 0.5)
    male = np.where(rel == SPOUSE, ~head_male[hh_of], male)
    male = np.where(rel == IN_LAW, rng.random(n) < 0.15, male)

    ref = np.datetime64(REFERENCE_DATE)
    birth = ref - (age.astype("timedelta64[D]") * 365 + rng.integers(0, 365, n).astype("timedelta64[D]"))
    birth = np.maximum(birth, np.datetime64("1926-01-01"))
    age = ((ref - birth).astype(int) // 365).astype(int)
    birth = birth.astype("datetime64[D]")
    month_start = birth.astype("datetime64[M]")
    birth_num = (
        (birth.astype("datetime64[Y]").astype(np.int64) + 1970) * 10_000
        + (month_start.astype(np.int64) % 12 + 1) * 100
        + (birth - month_start).astype(np.int64)
        + 1
    )
    birth_series = pl.Series(birth).cast(pl.Date)

    region = np.where(rng.random(n) < 0.9, COUNTY_REGION, rng.choice(OTHER_REGIONS, n))
    region = np.where(rel == HEAD, COUNTY_REGION, region)
    days = (birth - np.datetime64("1900-01-01")).astype(int)
    seq, overflow = assign_sequences(region.astype(np.int64) * 100_000 + days, male, part)
    tries = 0
    while overflow.any() and tries < 20:
        region = np.where(overflow, rng.choice(OTHER_REGIONS, n), region)
        seq, overflow = assign_sequences(region.astype(np.int64) * 100_000 + days, male, part)
        tries += 1
    ids = build_ids(region.astype(np.int64), birth_num, seq)

    rel_code = rel.copy()
    rel_code[(rel == CHILD) & ~male] = 3
    rel_code[(rel == IN_LAW) & ~male] = 6
    is_head = pos == 0
    person = _person_attributes(rng, n, age, male, u)
    household = _household_attributes(rng, h, village_codes, grid_per_village, serial_offset)
    income = _incomes(rng, h, sizes, hh_of, person, cast(np.ndarray, household.pop("_escaped")))
    hh_idx = pl.Series(hh_of)
    # Household-level values go on the head's row only: non-head rows gather a null slot.
    head_idx = pl.Series(np.where(is_head, hh_of, h))
    columns: dict[str, pl.Series] = {}
    for name, series in household.items():
        if name in ("户编号", "行政区划代码", "网格编码"):
            columns[name] = series.gather(hh_idx)
        else:
            columns[name] = series.extend_constant(None, 1).gather(head_idx)
    columns.update(
        {
            "姓名": _names(rng, n, h, hh_of, rel, male),
            "证件号码": ids,
            "与户主关系": _lab(REL_LABELS, rel_code),
            "性别": _lab(["女", "男"], male.astype(np.int64)),
            "出生日期": birth_series.dt.strftime("%Y-%m-%d"),
            **person["columns"],
        }
    )
    for name, series in income.items():
        columns[name] = series.extend_constant(None, 1).gather(head_idx)
    return pl.DataFrame([s.alias(k) for k, s in columns.items()]).select(HEADERS)


def _names(rng: np.random.Generator, n: int, h: int, hh_of: np.ndarray, rel: np.ndarray, male: np.ndarray) -> pl.Series:
    surnames, weights = nm.surname_table()
    family = rng.choice(len(surnames), size=h, p=weights)[hh_of]
    own = rng.choice(len(surnames), size=n, p=weights)
    surname = np.where(np.isin(rel, [SPOUSE, IN_LAW, PARENT]), own, family)
    pool = nm.MALE_CHARS + nm.FEMALE_CHARS + nm.COMMON_CHARS
    m_lo, f_lo, c_lo = 0, len(nm.MALE_CHARS), len(nm.MALE_CHARS) + len(nm.FEMALE_CHARS)
    male_idx = np.r_[np.arange(m_lo, f_lo), np.arange(c_lo, len(pool))]
    female_idx = np.r_[np.arange(f_lo, c_lo), np.arange(c_lo, len(pool))]
    first = np.where(male, male_idx[rng.integers(0, male_idx.size, n)], female_idx[rng.integers(0, female_idx.size, n)])
    second = np.where(
        male, male_idx[rng.integers(0, male_idx.size, n)], female_idx[rng.integers(0, female_idx.size, n)]
    )
    two = rng.random(n) < 0.72
    rare = rng.random(n) < 0.002
    pool_s = pl.Series(pool, dtype=pl.Utf8)
    rare_s = _lab(
        [*nm.RARE_CHARS, ""],
        np.where(rare, rng.integers(0, len(nm.RARE_CHARS), n), len(nm.RARE_CHARS)),
        blank_as_null=False,
    )
    second_s = pl.select(
        pl.when(pl.Series(two)).then(pool_s.gather(pl.Series(second))).otherwise(pl.lit(""))
    ).to_series()
    full = pl.select(
        pl.Series(list(surnames), dtype=pl.Utf8).gather(pl.Series(surname))
        + pool_s.gather(pl.Series(first))
        + second_s
        + rare_s
    ).to_series()
    minority = rng.random(n) < 0.001
    other = _lab(nm.MINORITY_NAMES, rng.integers(0, len(nm.MINORITY_NAMES), n), text=True)
    return pl.select(pl.when(pl.Series(minority)).then(other).otherwise(full)).to_series()


def _person_attributes(rng: np.random.Generator, n: int, age: np.ndarray, male: np.ndarray, u: np.ndarray) -> dict:
    chronic = u[:, 0] < np.where(age >= 60, 0.28, np.where(age >= 40, 0.10, 0.02))
    serious = u[:, 1] < np.where(age >= 50, 0.035, 0.008)
    disabled = u[:, 2] < np.where(age >= 60, 0.09, 0.04)
    grade = np.where(disabled, rng.choice([1, 2, 3, 4], n, p=[0.12, 0.23, 0.30, 0.35]), 0)
    dis_types = ["", "肢体残疾", "视力残疾", "听力残疾", "智力残疾", "精神残疾", "言语残疾", "多重残疾"]
    dtype_ = np.where(disabled, 1 + _draw(rng, [45, 12, 15, 9, 9, 3, 7], n), 0)
    # Health is multi-valued: 8 combinations of the three flags, 0 = 健康.
    health_code = chronic.astype(int) + 2 * serious.astype(int) + 4 * disabled.astype(int)
    health_labels = [
        "健康",
        "长期慢性病",
        "患有大病",
        "长期慢性病、患有大病",
        "残疾",
        "长期慢性病、残疾",
        "患有大病、残疾",
        "长期慢性病、患有大病、残疾",
    ]

    student_labels = ["", "学前教育", "小学", "初中", "普通高中", "中职", "高职高专", "本科"]
    student = np.zeros(n, dtype=np.int64)
    student[(age >= 3) & (age <= 5)] = 1
    student[(age >= 6) & (age <= 11)] = 2
    student[(age >= 12) & (age <= 14)] = 3
    hs = (age >= 15) & (age <= 17) & (u[:, 3] < 0.88)
    student[hs] = np.where(u[hs, 4] < 0.6, 4, 5)
    college = (age >= 18) & (age <= 21) & (u[:, 3] < 0.45)
    student[college] = np.where(u[college, 4] < 0.55, 6, 7)

    edu_labels = ["学龄前儿童", "小学", "初中", "高中", "中专（中技）", "大专及以上", "文盲或半文盲"]
    edu = 1 + _draw(rng, [30, 45, 13, 6, 6], n)
    edu[(age >= 65) & (u[:, 5] < 0.35)] = 6
    edu[(age >= 6) & (age <= 11)] = 1
    edu[(age >= 12) & (age <= 14)] = 2
    edu[age < 6] = 0

    lab_labels = ["无劳动力", "普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力"]
    working_age = (age >= 16) & (age <= 64) & (student == 0)
    labour = np.zeros(n, dtype=np.int64)
    labour[working_age] = 1 + _draw(rng, [72, 16, 12], int(working_age.sum()))
    labour[working_age & (chronic | serious)] = 3
    old = (age >= 65) & (age <= 75)
    labour[old] = np.where(rng.random(int(old.sum())) < 0.55, 3, 0)
    labour[disabled & (grade <= 2) & (age >= 16)] = 4

    can_work = np.isin(labour, [1, 2]) & (age <= 58)
    migrant = can_work & (rng.random(n) < 0.42)
    location = np.where(migrant, 1 + _draw(rng, [30, 35, 35], n), 0)
    months = np.where(migrant, rng.integers(3, 13, n), 0)

    resident_med = rng.random(n) < 0.975
    employee_med = ~resident_med & (rng.random(n) < 0.6)
    pension = (age >= 16) & (student == 0) & (rng.random(n) < 0.86)
    political = np.where(age < 14, 0, np.where((age >= 18) & (rng.random(n) < 0.06), 2, 1))
    columns = {
        "民族": _lab(["汉族", "满族", "蒙古族", "朝鲜族", "回族"], _draw(rng, [93, 4, 1, 1, 1], n)),
        "政治面貌": _lab(["", "群众", "中共党员"], political),
        "文化程度": _lab(edu_labels, edu),
        "在校生状况": _lab(student_labels, student),
        "健康状况": _lab(health_labels, health_code),
        "残疾等级": _lab(["", "1", "2", "3", "4"], grade),
        "残疾类别": _lab(dis_types, dtype_),
        "劳动技能": _lab(lab_labels, labour),
        "务工所在地": _lab(["", "县内", "省内县外", "省外"], location),
        "务工时间（月）": _lab([""] + [str(i) for i in range(1, 13)], months),
        "是否参加城乡居民基本医疗保险": _yes_no(resident_med),
        "是否参加职工基本医疗保险": _yes_no(employee_med),
        "是否参加大病保险": _yes_no(resident_med),
        "是否参加商业补充医疗保险": _yes_no(rng.random(n) < 0.08),
        "是否参加城乡居民基本养老保险": _yes_no(pension),
        "是否参加职工基本养老保险": _yes_no((~pension) & (age >= 18) & (rng.random(n) < 0.3)),
        "是否享受低保": _yes_no(np.zeros(n, dtype=bool)),
        "是否特困供养": _yes_no(np.zeros(n, dtype=bool)),
        "个人联系电话": _blank_where(_phones(rng, n), (age >= 18) & (rng.random(n) < 0.55)),
    }
    return {
        "columns": columns,
        "labour_ok": np.isin(labour, [1, 2]),
        "migrant": migrant,
        "months": months,
        "serious": serious,
        "chronic": chronic,
        "age": age,
    }


PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "155",
    "158",
    "159",
    "176",
    "177",
    "180",
    "186",
    "187",
    "188",
    "189",
]


def _phones(rng: np.random.Generator, n: int) -> pl.Series:
    prefix = _lab(PHONE_PREFIXES, rng.integers(0, len(PHONE_PREFIXES), n), text=True)
    return pl.select(prefix + _int_str(rng.integers(0, 100_000_000, n), 8)).to_series()


def _household_attributes(
    rng: np.random.Generator, h: int, village_codes: list[str], grids: int, serial_offset: int = 0
) -> dict[str, pl.Series]:
    v_idx = rng.integers(0, len(village_codes), h)
    village = _lab(village_codes, v_idx, text=True)
    grid = (
        pl.select(village + _int_str(rng.integers(1, grids + 1, h), 3)).to_series()
        if grids
        else _lab([""], np.zeros(h, dtype=np.int64))
    )
    code = pl.select(village + _int_str(np.arange(serial_offset + 1, serial_offset + h + 1), 8)).to_series()
    escaped = rng.random(h) < 0.12
    years = np.where(escaped, 1 + _draw(rng, [0.15, 0.2, 0.25, 0.25, 0.15], h), 0)
    legacy = np.where(escaped, np.where(rng.random(h) < 0.8, 1, 2), 0)
    group_no = rng.integers(1, 12, h)
    group = pl.select(_int_str(group_no) + "组").to_series()
    address = pl.select("演示县" + group + _int_str(rng.integers(1, 300, h)) + "号").to_series()
    return {
        "户编号": code,
        "行政区划代码": village,
        "网格编码": grid,
        "户类型": _lab(["一般农户", "脱贫户"], escaped.astype(np.int64)),
        "脱贫年度": _lab(["", "2016", "2017", "2018", "2019", "2020"], years),
        "脱贫户分类管理": _lab(["", "继续享受政策", "不享受政策"], legacy),
        "家庭住址": address,
        "自然村（组）": group,
        "联系电话": _phones(rng, h),
        "是否军烈属": _yes_no(rng.random(h) < 0.004),
        "是否易地扶贫搬迁户": _yes_no(escaped & (rng.random(h) < 0.08)),
        "是否整户无劳动能力兜底保障户": _yes_no(np.zeros(h, dtype=bool)),
        "住房安全等级": _lab(["A", "B", "C", "D"], _draw(rng, [62, 37.2, 0.65, 0.15], h)),
        "_escaped": escaped,  # type: ignore[dict-item]
    }


def _incomes(
    rng: np.random.Generator, h: int, sizes: np.ndarray, hh_of: np.ndarray, person: dict, escaped: np.ndarray
) -> dict[str, pl.Series]:
    labourers = np.bincount(hh_of, weights=person["labour_ok"], minlength=h)
    migrant_months = np.bincount(hh_of, weights=person["migrant"] * person["months"], minlength=h)
    serious = np.bincount(hh_of, weights=person["serious"], minlength=h) > 0
    median = np.where(escaped, 12_500, 16_000)
    per_capita = np.exp(rng.normal(np.log(median), 0.42, h))
    per_capita *= np.where(labourers == 0, 0.55, 1.0)
    total = per_capita * sizes
    wage_share = np.clip(0.25 + migrant_months / (12 * np.maximum(sizes, 1)) * 0.9, 0.1, 0.85)
    transfer = np.clip(rng.normal(1800, 600, h), 300, None) + np.where(escaped, 1500, 0)
    wage = total * wage_share
    business = np.clip(total - wage - transfer, 0, None) * 1.25
    expense = business * 0.2
    prop = np.clip(rng.normal(350, 250, h), 0, None)
    oop = np.where(
        serious, rng.uniform(3_000, 40_000, h), np.where(rng.random(h) < 0.15, rng.uniform(200, 3_000, h), 0)
    )
    claims = np.where(serious & (rng.random(h) < 0.5), rng.uniform(1_000, 10_000, h), 0)
    const = np.zeros(h, dtype=np.int64)
    return {
        "收入年度": _lab([str(INCOME_YEAR)], const),
        "收入计算起始日": _lab([f"{INCOME_YEAR}-01-01"], const),
        "收入计算截止日": _lab([f"{INCOME_YEAR}-12-31"], const),
        "工资性收入": _money(wage),
        "生产经营性收入": _money(business),
        "财产性收入": _money(prop),
        "转移性收入": _money(transfer),
        "生产经营性支出": _money(expense),
        "理赔收入": _money(claims),
        "合规自付支出": _money(oop),
        "共同生活人口": _int_str(sizes),
        "住房出现安全问题": _yes_no(rng.random(h) < 0.004),
        "义务教育阶段适龄儿童失学辍学": _yes_no(np.zeros(h, dtype=bool)),
        "饮水出现安全问题": _yes_no(rng.random(h) < 0.003),
    }


CHUNK = 100_000


def _chunk(args: tuple[int, int, int, int, list[str], int, str]) -> str:
    """One chunk of the county, written as a headerless CSV part (runs in a worker process)."""
    k, parts, size, offset, villages, grids, path = args
    rng = np.random.default_rng([SEED_BASE, k])
    frame = registry_frame(size, rng, villages, grids, part=(k, parts), serial_offset=offset)
    frame.write_csv(path, include_header=False)
    return path


SEED_BASE = 0


def write_county(
    out: Path,
    *,
    households: int,
    seed: int,
    fmt: str = "csv",
    encoding: str = "utf-8",
    plan: AreaPlan = AreaPlan(),
    workers: int | None = None,
) -> dict[str, Path]:
    """Write areas.csv and registry.csv (or .xlsx) into `out`; return their paths.

    Large UTF-8 CSV counties are made in chunks of 100,000 households by worker
    processes (one per core); the same seed gives the same file whatever the
    number of workers.
    """
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    areas = areas_frame(plan, rng)
    villages = areas.filter(pl.col("层级") == "village")["区划代码"].to_list()
    paths = {"areas": out / "areas.csv"}
    areas.write_csv(paths["areas"])
    chunked = fmt == "csv" and encoding.lower() in ("utf-8", "utf8") and households > CHUNK
    if chunked:
        paths["registry"] = out / "registry.csv"
        _write_chunked(paths["registry"], households, seed, villages, plan.grids_per_village, workers)
        return paths
    frame = registry_frame(households, np.random.default_rng([seed, 0]), villages, plan.grids_per_village)
    if fmt == "xlsx":
        paths["registry"] = out / "registry.xlsx"
        frame.write_excel(paths["registry"], worksheet="农户信息", autofit=False, dtype_formats={pl.Utf8: "@"})
    else:
        paths["registry"] = out / "registry.csv"
        if encoding.lower() in ("utf-8", "utf8"):
            frame.write_csv(paths["registry"])
        else:
            # Polars writes UTF-8 only; transcode in Python (GB18030 keeps rare characters).
            paths["registry"].write_bytes(frame.write_csv().encode(encoding))
    return paths


def _write_chunked(
    path: Path, households: int, seed: int, villages: list[str], grids: int, workers: int | None
) -> None:
    parts = -(-households // CHUNK)
    # Every chunk reserves its slice of ID sequence numbers for the largest possible county.
    jobs = [
        (k, max(parts, 8), min(CHUNK, households - k * CHUNK), k * CHUNK, villages, grids, f"{path}.part{k}")
        for k in range(parts)
    ]
    global SEED_BASE
    SEED_BASE = seed
    workers = workers or min(os.cpu_count() or 1, parts)
    if workers > 1:
        # One thread per worker process: the processes already use every core.
        saved = {k: os.environ.get(k) for k in ("POLARS_MAX_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
        os.environ.update(dict.fromkeys(saved, "1"))
        try:
            with mp.get_context("spawn").Pool(workers, initializer=_init_seed, initargs=(seed,)) as pool:
                part_paths = pool.map(_chunk, jobs, chunksize=1)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    else:
        part_paths = [_chunk(job) for job in jobs]
    with open(path, "wb") as target:
        target.write((",".join(HEADERS) + "\n").encode())
        for part in part_paths:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, target, 16 * 1024 * 1024)
            os.unlink(part)


def _init_seed(seed: int) -> None:
    global SEED_BASE
    SEED_BASE = seed
