"""The registry file format: one row per person, household columns on the head's row.

This table is the single definition of the format: `fangpin synth` writes
these headers in this order, the import reads them (with the aliases counties
use), and docs/formats.md is generated from it (`fangpin describe-format`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    level: str  # "key", "household", "person", "income"
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("户编号", "national_household_code", "key", True, ("户码", "户编码"), "每行必填；同一户各成员相同"),
    Column(
        "行政区划代码",
        "village_code",
        "key",
        True,
        ("村区划代码", "村代码", "所在村代码"),
        "每行必填；12位统计用区划代码（村级）",
    ),
    Column("网格编码", "grid_code", "key", False, ("网格代码",), "15位；可空"),
    Column("户类型", "household_type", "household", True, (), "脱贫户 / 一般农户；户主行必填"),
    Column("脱贫年度", "escape_year", "household", False, ("脱贫年份",)),
    Column("脱贫户分类管理", "legacy_poor_class", "household", False, (), "继续享受政策 / 不享受政策；可空"),
    Column("家庭住址", "address", "household", False, ("住址",)),
    Column("自然村（组）", "natural_village", "household", False, ("自然村", "村民小组", "组")),
    Column("联系电话", "phone", "household", False, ("户联系电话", "家庭电话")),
    Column("是否军烈属", "is_military_martyr_family", "household", False, ("军烈属",)),
    Column("是否易地扶贫搬迁户", "is_relocated", "household", False, ("是否易地搬迁", "易地扶贫搬迁")),
    Column("是否整户无劳动能力兜底保障户", "no_labour_safety_net", "household", False, ("整户无劳动能力兜底保障户",)),
    Column("住房安全等级", "house_rating", "household", False, ("危房等级", "住房等级"), "A / B / C / D"),
    Column("姓名", "name", "person", True, ("成员姓名",)),
    Column(
        "证件号码",
        "id_number",
        "person",
        True,
        ("身份证号", "身份证号码", "公民身份号码", "身份证件号码"),
        "18位（15位旧号自动升位）；须为文本格式",
    ),
    Column("与户主关系", "relationship", "person", True, ("与户主的关系", "关系")),
    Column("性别", "gender", "person", False, (), "可空：按身份证号推出；填写则须一致"),
    Column("出生日期", "birth_date", "person", False, (), "可空：按身份证号推出；填写则须一致"),
    Column("民族", "ethnicity", "person", False),
    Column("政治面貌", "political_status", "person", False),
    Column("文化程度", "education", "person", False),
    Column("在校生状况", "student_status", "person", False, ("在校生情况",)),
    Column("健康状况", "health", "person", False, (), "健康、长期慢性病、患有大病、残疾，可多选，用顿号分隔"),
    Column("残疾等级", "disability_grade", "person", False, (), "1–4"),
    Column("残疾类别", "disability_type", "person", False),
    Column("劳动技能", "labour_capacity", "person", True, ("劳动能力",)),
    Column("务工所在地", "work_location", "person", False, ("务工地点", "务工区域")),
    Column("务工时间（月）", "work_months", "person", False, ("务工时间", "务工时长(月)", "务工时长")),
    Column("是否参加城乡居民基本医疗保险", "in_resident_medical", "person", False, ("城乡居民基本医疗保险",)),
    Column("是否参加职工基本医疗保险", "in_employee_medical", "person", False, ("职工基本医疗保险",)),
    Column("是否参加大病保险", "in_serious_illness", "person", False, ("大病保险",)),
    Column("是否参加商业补充医疗保险", "in_commercial_medical", "person", False, ("商业补充医疗保险",)),
    Column("是否参加城乡居民基本养老保险", "in_resident_pension", "person", False, ("城乡居民基本养老保险",)),
    Column("是否参加职工基本养老保险", "in_employee_pension", "person", False, ("职工基本养老保险",)),
    Column("是否享受低保", "is_dibao", "person", False, ("低保",)),
    Column("是否特困供养", "is_tekun", "person", False, ("特困", "是否特困人员")),
    Column("个人联系电话", "person_phone", "person", False, ("本人电话",)),
    Column("收入年度", "year", "income", False, ("年度",), "填写则本行须为户主行，以下收支各列一并读取"),
    Column("收入计算起始日", "window_start", "income", False),
    Column("收入计算截止日", "window_end", "income", False),
    Column("工资性收入", "wage_income", "income", False),
    Column("生产经营性收入", "business_income", "income", False),
    Column("财产性收入", "property_income", "income", False),
    Column("转移性收入", "transfer_income", "income", False),
    Column("生产经营性支出", "business_expense", "income", False),
    Column("理赔收入", "insurance_claim_income", "income", False),
    Column("合规自付支出", "eligible_out_of_pocket", "income", False),
    Column("共同生活人口", "household_size", "income", False, ("家庭人口", "家庭人口数"), "空则按本户在文件中的人数"),
    Column("住房出现安全问题", "house_unsafe", "income", False, ("是否危房",)),
    Column("义务教育阶段适龄儿童失学辍学", "child_out_of_school", "income", False, ("是否有失学辍学",)),
    Column("饮水出现安全问题", "water_unsafe", "income", False, ("饮水是否安全",)),
)

HEADERS = [c.header for c in COLUMNS]
BY_FIELD = {c.field: c for c in COLUMNS}


def _norm(text: str) -> str:
    text = str(text or "").replace("\ufeff", "")
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")


_LOOKUP = {_norm(alias): col for col in COLUMNS for alias in (col.header, *col.aliases)}


def map_headers(header_row: list[object]) -> tuple[dict[str, int], list[str], list[str]]:
    """(field -> column index, missing required headers, unknown headers)."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for idx, raw in enumerate(header_row):
        col = _LOOKUP.get(_norm(str(raw or "")))
        if col is None:
            if str(raw or "").strip():
                unknown.append(str(raw).strip())
            continue
        mapping.setdefault(col.field, idx)
    missing = [c.header for c in COLUMNS if c.required and c.field not in mapping]
    return mapping, missing, unknown
