"""Pure assistance rules: the national measure catalogue, risk-type coverage and the
measure deadline. No Django, no ORM. [DOMAIN §2.11, §3.6, §4.5.2 R-EL-3, §4.7]

The catalogue is data: the measure categories are the national measure columns of
the monitoring-system export [C]; the measures under them are the national code
table values and the local programmes R-AS-3 maps onto them.  Which risk types a
category covers is R-EL-3 / DQ-06 for illness, schooling, housing and water; the
rows marked "derived" below are fangpin's reading for the other risk types (no
public table was found) and are documented in docs/monitoring.md.

Both tables below are only the seeded national values: the county's versions are
policy parameters (`risk_measure_coverage`, `measure_catalogue`; read through
fangpin.assistance.catalogue), parsed and written by the functions at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Measure categories: code -> national column name.
CATEGORIES: dict[str, str] = {
    "industry": "产业帮扶",
    "employment": "就业帮扶",
    "finance": "金融帮扶",
    "public_welfare_post": "公益岗位帮扶",
    "health": "健康帮扶",
    "compulsory_education": "义务教育保障",
    "other_education": "其他教育帮扶",
    "housing": "住房安全保障",
    "water": "饮水安全保障",
    "comprehensive": "综合保障",
    "social": "社会帮扶",
    "relocation": "搬迁",
    "living_conditions": "生产生活条件改善",
    "infrastructure": "基础设施建设",
}

# Developmental (开发式) categories. [DOMAIN §2.11 is_developmental; R-AS-2]
DEVELOPMENTAL = frozenset({"industry", "employment", "finance", "public_welfare_post"})

# Risk type (DOMAIN §4.3 identifiers) -> categories whose implemented measure covers it.
RISK_COVERAGE: dict[str, frozenset[str]] = {
    # R-EL-3 / DQ-06 [C]
    "illness": frozenset({"health", "social", "comprehensive"}),
    "schooling": frozenset({"compulsory_education", "other_education", "social"}),
    "unsafe_housing": frozenset({"housing", "relocation"}),
    "unsafe_water": frozenset({"water"}),
    # derived (fangpin's reading; no public table found)
    "disability": frozenset({"health", "comprehensive", "social", "public_welfare_post"}),
    "natural_disaster": frozenset(
        {"comprehensive", "social", "housing", "industry", "finance", "living_conditions", "infrastructure", "water"}
    ),
    "accident": frozenset({"health", "comprehensive", "social"}),
    "industry_failure": frozenset({"industry", "finance", "employment"}),
    "unstable_employment": frozenset({"employment", "public_welfare_post", "industry"}),
    "lack_of_labour": frozenset({"comprehensive", "public_welfare_post", "social"}),
    "other": frozenset(CATEGORIES),
}
# The four pairs that come from the [C] rule itself (DQ-06 checks only these).
DQ06_RISKS = ("illness", "schooling", "unsafe_housing", "unsafe_water")
# The seven rows above that are fangpin's own reading, not R-EL-3's list: the seeded
# county table (policy parameter risk_measure_coverage) marks them.
DERIVED_RISKS = frozenset(RISK_COVERAGE) - frozenset(DQ06_RISKS)


@dataclass(frozen=True)
class MeasureType:
    code: str
    name: str
    category: str
    department: str
    retired: bool = False  # kept for existing records; not offered for new measures

    @property
    def is_developmental(self) -> bool:
        return self.category in DEVELOPMENTAL


# Premium subsidy for resident medical insurance: DQ-15 looks for exactly this measure.
PREMIUM_SUBSIDY = "HEA-01"
# Codes the data-quality checks name (DQ-15, DQ-20 劳务输出): a county's catalogue keeps them
# with their category (it may retire them), so the checks never break silently.
REFERENCED_CODES = {PREMIUM_SUBSIDY: "health", "EMP-01": "employment"}

_TYPES = [
    MeasureType("IND-01", "到户产业奖补", "industry", "农业农村局"),
    MeasureType("IND-02", "庭院经济", "industry", "农业农村局"),
    MeasureType("IND-03", "新型经营主体联农带农", "industry", "农业农村局"),
    MeasureType("IND-04", "产业技术指导", "industry", "农业农村局"),
    MeasureType("EMP-01", "劳务输出", "employment", "人力资源和社会保障局"),
    MeasureType("EMP-02", "帮扶车间就业", "employment", "人力资源和社会保障局"),
    MeasureType("EMP-03", "以工代赈", "employment", "发展和改革局"),
    MeasureType("EMP-04", "就业补贴（交通补贴等）", "employment", "人力资源和社会保障局"),
    MeasureType("EMP-05", "职业技能培训", "employment", "人力资源和社会保障局"),
    MeasureType("FIN-01", "脱贫人口小额信贷", "finance", "金融监管部门"),
    MeasureType("FIN-02", "农业保险", "finance", "金融监管部门"),
    MeasureType("FIN-03", "防贫保险", "finance", "农业农村局"),
    MeasureType("POST-01", "乡村公益性岗位", "public_welfare_post", "人力资源和社会保障局"),
    MeasureType("POST-02", "生态护林员", "public_welfare_post", "林业和草原局"),
    MeasureType(PREMIUM_SUBSIDY, "参加城乡居民基本医疗保险个人缴费补贴", "health", "医疗保障局"),
    MeasureType("HEA-02", "医疗救助", "health", "医疗保障局"),
    MeasureType("HEA-03", "大病专项救治", "health", "卫生健康局"),
    MeasureType("HEA-04", "家庭医生签约服务", "health", "卫生健康局"),
    MeasureType("HEA-05", "先诊疗后付费", "health", "卫生健康局"),
    MeasureType("EDU-01", "控辍保学", "compulsory_education", "教育局"),
    MeasureType("EDU-02", "送教上门", "compulsory_education", "教育局"),
    MeasureType("EDU-03", "义务教育阶段学生资助", "compulsory_education", "教育局"),
    MeasureType("EDU-04", "雨露计划", "other_education", "农业农村局"),
    MeasureType("EDU-05", "学前及高中阶段资助、助学贷款", "other_education", "教育局"),
    MeasureType("HOU-01", "农村危房改造", "housing", "住房和城乡建设局"),
    MeasureType("HOU-02", "农房抗震改造", "housing", "住房和城乡建设局"),
    MeasureType("WAT-01", "饮水安全保障（供水工程、水质提升）", "water", "水利局"),
    MeasureType("CMP-01", "农村低保", "comprehensive", "民政局"),
    MeasureType("CMP-02", "特困人员救助供养", "comprehensive", "民政局"),
    MeasureType("CMP-03", "临时救助", "comprehensive", "民政局"),
    MeasureType("CMP-04", "残疾人两项补贴", "comprehensive", "残疾人联合会"),
    MeasureType("CMP-05", "城乡居民养老保险代缴", "comprehensive", "人力资源和社会保障局"),
    MeasureType("SOC-01", "消费帮扶", "social", "农业农村局"),
    MeasureType("SOC-02", "社会捐赠、慈善救助", "social", "民政局"),
    MeasureType("SOC-03", "结对帮扶", "social", "农业农村局"),
    MeasureType("REL-01", "易地搬迁后续扶持", "relocation", "发展和改革局"),
    MeasureType("LIV-01", "生产生活条件改善", "living_conditions", "农业农村局"),
    MeasureType("INF-01", "基础设施建设", "infrastructure", "交通运输局"),
]
MEASURE_TYPES: dict[str, MeasureType] = {t.code: t for t in _TYPES}


Coverage = Mapping[str, frozenset[str]]


def categories_covering(risk_type: str, table: Coverage | None = None) -> frozenset[str]:
    """Categories whose implemented measure covers `risk_type`, by the county's
    table in force (`table`; the seeded national table when None). [R-EL-3]"""
    return (RISK_COVERAGE if table is None else table).get(risk_type, frozenset())


def covered_risk_types(
    risk_types: Iterable[str], implemented_categories: Iterable[str], table: Coverage | None = None
) -> list[str]:
    """The episode's risk types that at least one implemented measure covers, in order. [R-EL-3]"""
    have = set(implemented_categories)
    return [r for r in risk_types if categories_covering(r, table) & have]


def uncovered_risk_types(
    risk_types: Iterable[str], implemented_categories: Iterable[str], table: Coverage | None = None
) -> list[str]:
    """Risk types with no implemented measure of a matching category. [R-EL-3, DQ-06]"""
    have = set(implemented_categories)
    return [r for r in risk_types if not categories_covering(r, table) & have]


# ---------------------------------------------------------------- the two tables as county text
# Both are policy parameters (effective-dated, area-scoped) whose value is the
# text below; these functions read and write it. [R-EL-3, R-AS-3, DOMAIN §2.24]

DERIVED_MARK = "（本系统推定，可由县调整）"
RETIRED_MARK = "（停用）"
CODE_RE = re.compile(r"[A-Z]{2,5}-\d{2}")
_CATEGORY_BY_NAME = {name: code for code, name in CATEGORIES.items()}


def _parts(text: Any) -> list[str]:
    return [p.strip() for p in re.split(r"[;；\n]+", str(text or "")) if p.strip()]


def _category(word: str) -> str:
    word = word.strip()
    code = word if word in CATEGORIES else _CATEGORY_BY_NAME.get(word)
    if code is None:
        raise ValueError(f"未知的措施类别“{word}”，应为：" + "、".join(CATEGORIES.values()))
    return code


def format_risk_coverage(table: Coverage, derived: Iterable[str], risk_labels: Mapping[str, str]) -> str:
    """The text form: 因病=健康帮扶、社会帮扶、综合保障；因残=…（本系统推定，可由县调整）."""
    marked = set(derived)
    rows = []
    for risk, cats in table.items():
        names = "、".join(CATEGORIES[c] for c in CATEGORIES if c in cats)
        rows.append(f"{risk_labels.get(risk, risk)}={names}{DERIVED_MARK if risk in marked else ''}")
    return "；".join(rows)


def parse_risk_coverage(text: Any, risk_labels: Mapping[str, str]) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """(risk type → covering categories, the rows marked as fangpin's reading);
    ValueError with a Chinese message naming the row. Every risk type needs a row."""
    by_label = {label: code for code, label in risk_labels.items()}
    table: dict[str, frozenset[str]] = {}
    derived: set[str] = set()
    for part in _parts(text):
        head, sep, rest = part.partition("=")
        if not sep:
            raise ValueError(f"每行须写作“风险类型=措施类别、措施类别”：{part}")
        head, rest = head.strip(), rest.strip()
        risk = head if head in risk_labels else by_label.get(head)
        if risk is None:
            raise ValueError(f"未知的风险类型“{head}”")
        if risk in table:
            raise ValueError(f"风险类型重复：{head}")
        for mark in (DERIVED_MARK, "（本系统推定）"):
            if rest.endswith(mark):
                rest = rest[: -len(mark)].strip()
                derived.add(risk)
        cats = frozenset(_category(w) for w in re.split(r"[、,，]+", rest) if w.strip())
        if not cats:
            raise ValueError(f"风险类型“{head}”须至少对应一个措施类别")
        table[risk] = cats
    missing = [risk_labels[r] for r in risk_labels if r not in table]
    if missing:
        raise ValueError("以下风险类型缺少对应措施类别：" + "、".join(missing))
    return table, frozenset(derived)


def format_measure_catalogue(types: Iterable[MeasureType]) -> str:
    """The text form: IND-01=到户产业奖补|产业帮扶|农业农村局；… (retired: "（停用）" at the end)."""
    return "；".join(
        f"{t.code}={t.name}|{CATEGORIES[t.category]}|{t.department}{RETIRED_MARK if t.retired else ''}" for t in types
    )


def parse_measure_catalogue(text: Any) -> dict[str, MeasureType]:
    """code → MeasureType from the text form; ValueError with a Chinese message naming the entry."""
    out: dict[str, MeasureType] = {}
    for part in _parts(text):
        code, sep, rest = part.partition("=")
        code = code.strip()
        retired = rest.endswith(RETIRED_MARK)
        if retired:
            rest = rest[: -len(RETIRED_MARK)]
        fields = [f.strip() for f in rest.split("|")]
        if not sep or len(fields) != 3:
            raise ValueError(f"每项须写作“代码=措施名称|措施类别|责任单位”：{part}")
        if not CODE_RE.fullmatch(code):
            raise ValueError(f"措施代码须为大写字母、连字符和两位数字（如 IND-05）：{code}")
        if code in out:
            raise ValueError(f"措施代码重复：{code}")
        name, category, department = fields
        if not name or len(name) > 60:
            raise ValueError(f"措施名称不能为空且不超过60个字：{code}")
        out[code] = MeasureType(code, name, _category(category), department[:60], retired)
    if not any(not t.retired for t in out.values()):
        raise ValueError("措施目录至少须有一项未停用的措施")
    for code, category in REFERENCED_CODES.items():
        if code not in out or out[code].category != category:
            raise ValueError(
                f"措施“{code}”为数据质量检查所引用，不能删除或改变类别（可标注停用）：{CATEGORIES[category]}"
            )
    return out


# Measure deadline status. [DOMAIN §3.6; CONFIG measure_deadline_days]
MET, ON_TRACK, DUE_SOON, OVERDUE, MET_LATE = "met", "on_track", "due_soon", "overdue", "met_late"


def measure_due_on(identified_on: date, deadline_days: int) -> date:
    """The day by which a first measure must be implemented (calendar days). [CONFIG measure_deadline_days]"""
    return identified_on + timedelta(days=deadline_days)


def measure_deadline_status(
    *, identified_on: date, first_measure_on: date | None, today: date, deadline_days: int, due_soon_days: int
) -> str:
    """met / met_late once a measure is implemented; else on_track, due_soon or overdue. [§3.6]"""
    due = measure_due_on(identified_on, deadline_days)
    if first_measure_on is not None:
        return MET if first_measure_on <= due else MET_LATE
    if today > due:
        return OVERDUE
    if (due - today).days <= due_soon_days:
        return DUE_SOON
    return ON_TRACK


def suppress_small(count: int, threshold: int) -> int | None:
    """Counts below the threshold (but above zero) are not shown at village level. [CONFIG]"""
    return None if 0 < count < threshold else count


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage with one decimal, or None when the denominator is zero."""
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 1)
