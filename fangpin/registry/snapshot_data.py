"""Clean income-and-expense snapshot values. [DOMAIN §2.5]"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fangpin.core.errors import FieldErrors
from fangpin.registry import validation as v
from fangpin.registry.choices import SnapshotKind

MONEY_FIELDS = {
    "wage_income": "工资性收入",
    "business_income": "生产经营性收入",
    "property_income": "财产性收入",
    "transfer_income": "转移性收入",
    "business_expense": "生产经营性支出",
    "insurance_claim_income": "理赔收入",
    "eligible_out_of_pocket": "合规自付支出",
}
FLAG_FIELDS = {
    "house_unsafe": "住房出现安全问题",
    "child_out_of_school": "义务教育阶段适龄儿童失学辍学",
    "water_unsafe": "饮水出现安全问题",
    "member_without_medical_insurance": "有成员未参加基本医疗保险",
}
SNAPSHOT_LABELS = {
    **MONEY_FIELDS,
    **FLAG_FIELDS,
    "year": "收入年度",
    "window_start": "收入计算起始日",
    "window_end": "收入计算截止日",
    "household_size": "共同生活人口",
    "kind": "类型",
    "note": "说明",
}


class SnapshotDataError(FieldErrors):
    labels = SNAPSHOT_LABELS


def clean_snapshot_data(data: Mapping[str, Any]) -> dict[str, Any]:
    fields = v.FieldCollector(data)
    take, out, errors = fields.take, fields.out, fields.errors

    take("year", lambda raw: v.clean_int(raw, lo=2014, hi=2100, required=True))
    take("window_start", lambda raw: v.clean_date(raw, required=True))
    take("window_end", lambda raw: v.clean_date(raw, required=True))
    take("household_size", lambda raw: v.clean_int(raw, lo=1, hi=50, required=True))
    take("kind", lambda raw: v.clean_choice(raw or SnapshotKind.ANNUAL, SnapshotKind, required=True))
    take("note", lambda raw: v.clean_text(raw, max_length=2000))
    for name in MONEY_FIELDS:
        take(name, v.clean_money)
    for name in FLAG_FIELDS:
        take(name, v.clean_optional_bool)
    for name in (
        "business_expense",
        "insurance_claim_income",
        "eligible_out_of_pocket",
        "wage_income",
        "business_income",
        "property_income",
    ):
        if name in out and out[name] < 0:
            errors[name] = "不能为负数"
    start, end = out.get("window_start"), out.get("window_end")
    if start and end and start >= end:
        errors["window_end"] = "截止日须晚于起始日"
    if errors:
        raise SnapshotDataError(errors)
    return out
