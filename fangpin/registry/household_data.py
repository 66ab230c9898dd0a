"""Clean household-level values (form, JSON or spreadsheet) or list what is wrong."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial as bind
from typing import Any

from fangpin.core.errors import FieldErrors
from fangpin.registry import validation as v
from fangpin.registry.choices import HouseholdType, HouseRating, LegacyPoorClass

HOUSEHOLD_LABELS = {
    "national_household_code": "户编号",
    "household_type": "户类型",
    "escape_year": "脱贫年度",
    "legacy_poor_class": "脱贫户分类管理",
    "address": "家庭住址",
    "natural_village": "自然村（组）",
    "phone": "联系电话",
    "is_military_martyr_family": "是否军烈属",
    "is_relocated": "是否易地扶贫搬迁户",
    "no_labour_safety_net": "是否整户无劳动能力兜底保障户",
    "house_rating": "住房安全等级",
}


class HouseholdDataError(FieldErrors):
    labels = HOUSEHOLD_LABELS


def _household_code(raw: Any) -> str:
    code = v.clean_text(raw, max_length=32, required=True)
    if any(ch.isspace() for ch in code):
        raise v.FieldError("户编号中不能有空格")
    return code


PARSERS: dict[str, Callable[[Any], Any]] = {
    "national_household_code": _household_code,
    "household_type": bind(v.clean_choice, choices=HouseholdType, required=True),
    "escape_year": bind(v.clean_int, lo=2013, hi=2030),
    "legacy_poor_class": bind(v.clean_choice, choices=LegacyPoorClass),
    "address": bind(v.clean_text, max_length=200),
    "natural_village": bind(v.clean_text, max_length=60),
    "phone": v.clean_phone,
    "is_military_martyr_family": v.clean_bool,
    "is_relocated": v.clean_bool,
    "no_labour_safety_net": v.clean_bool,
    "house_rating": bind(v.clean_choice, choices=HouseRating),
}
REQUIRED = ("national_household_code", "household_type")


def clean_household_data(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    fields = v.FieldCollector(data)
    out, errors = fields.out, fields.errors
    for name, parser in PARSERS.items():
        if name in data:
            fields.take(name, parser)
    if not partial:
        for name in REQUIRED:
            if name not in out and name not in errors:
                errors[name] = "不能为空"
    if out.get("household_type") == HouseholdType.ORDINARY and (out.get("escape_year") or out.get("legacy_poor_class")):
        errors.setdefault("escape_year", "一般农户不应填写脱贫年度或脱贫户分类")
    if errors:
        raise HouseholdDataError(errors)
    return out
