"""Parsing and checking of registry values, shared by forms, services, the API
and the bulk import, so that every path accepts and refuses the same things.

Every parser returns a clean value or raises `FieldError` with a Chinese
message that names the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from fangpin.core import idnumber
from fangpin.core.messages import id_message
from fangpin.registry.choices import (
    DisabilityType,
    Education,
    Gender,
    HouseholdType,
    HouseRating,
    LabourCapacity,
    LegacyPoorClass,
    Relationship,
    StudentStatus,
    WorkLocation,
)

_MOJIBAKE = ("锟斤拷", "烫烫烫", "屯屯屯", "\ufffd")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXCEL_EPOCH = date(1899, 12, 30)


class FieldError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldCollector:
    """Cleans the fields of one input, keeping every problem (field → reason) instead of the first."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.out: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def take(self, name: str, fn: Callable[[Any], Any]) -> None:
        try:
            self.out[name] = fn(self.data.get(name))
        except FieldError as exc:
            self.errors[name] = exc.message


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_text(raw: Any, *, max_length: int, required: bool = False) -> str:
    """Trimmed text; refuses mojibake and control characters (never silently replaced)."""
    if is_blank(raw):
        if required:
            raise FieldError(_("不能为空"))
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    for marker in _MOJIBAKE:
        if marker in text:
            raise FieldError(_("含有乱码字符“%(m)s”，文件编码可能已损坏，请用原始文件重新导出") % {"m": marker})
    if _CONTROL.search(text):
        raise FieldError(_("含有不可见的控制字符"))
    if len(text) > max_length:
        raise FieldError(_("超过%(n)d个字符") % {"n": max_length})
    return text


def clean_name(raw: Any) -> str:
    """A person's name: any characters of GB 18030 incl. rare ones, and the middle dot."""
    name = clean_text(raw, max_length=50, required=True)
    name = name.replace("•", "·").replace("．", "·").replace("・", "·")
    if any(ch.isdigit() for ch in name):
        raise FieldError(_("姓名中不能有数字"))
    return name


def clean_id_number(raw: Any, *, cell_is_numeric: bool = False) -> idnumber.ParsedId:
    try:
        return idnumber.parse(raw, cell_is_numeric=cell_is_numeric)
    except idnumber.IdNumberError as exc:
        raise FieldError(id_message(exc.code)) from exc


def clean_phone(raw: Any) -> str:
    if is_blank(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    digits = re.sub(r"[\s\-()（）]", "", str(raw))
    if not re.fullmatch(r"\+?\d{7,15}", digits):
        raise FieldError(_("电话号码格式不正确"))
    return digits


def clean_date(raw: Any, *, required: bool = False) -> date | None:
    """Dates as counties type them: 2024-03-01, 2024/3/1, 20240301, 2024年3月1日, Excel cells."""
    if is_blank(raw):
        if required:
            raise FieldError(_("不能为空"))
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 1 <= raw < 80000:  # an Excel serial day number
            return EXCEL_EPOCH + timedelta(days=int(raw))
        raw = str(int(raw))
    text = str(raw).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?", text)
    if not match:
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise FieldError(_("日期格式无法识别（应如 2024-03-01）"))
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise FieldError(_("日期不存在")) from exc


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "参加", "已参加", "享受"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "未参加", "不享受", ""}


def clean_bool(raw: Any) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldError(_("应填“是”或“否”"))


def clean_optional_bool(raw: Any) -> bool | None:
    return None if is_blank(raw) else clean_bool(raw)


def clean_money(raw: Any) -> Decimal:
    if is_blank(raw):
        return Decimal("0.00")
    text = str(raw).replace(",", "").replace("，", "").replace("元", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise FieldError(_("金额应为数字")) from exc
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise FieldError(_("金额超出范围"))
    return value.quantize(Decimal("0.01"))


def clean_int(raw: Any, *, lo: int, hi: int, required: bool = False) -> int | None:
    if is_blank(raw):
        if required:
            raise FieldError(_("不能为空"))
        return None
    try:
        value = int(Decimal(str(raw).strip()))
    except (InvalidOperation, ValueError) as exc:
        raise FieldError(_("应为整数")) from exc
    if not lo <= value <= hi:
        raise FieldError(_("应在%(lo)d到%(hi)d之间") % {"lo": lo, "hi": hi})
    return value


# Spellings found in county spreadsheets, beyond the labels themselves.
SYNONYMS: dict[type[models.TextChoices], dict[str, str]] = {
    Relationship: {
        "本人": "head",
        "户主本人": "head",
        "妻": "spouse",
        "夫": "spouse",
        "妻子": "spouse",
        "丈夫": "spouse",
        "子": "son",
        "儿子": "son",
        "长子": "son",
        "次子": "son",
        "女": "daughter",
        "女儿": "daughter",
        "长女": "daughter",
        "次女": "daughter",
        "儿媳": "daughter_in_law",
        "媳": "daughter_in_law",
        "女婿": "son_in_law",
        "婿": "son_in_law",
        "孙子": "grandchild",
        "孙女": "grandchild",
        "外孙": "grandchild",
        "外孙女": "grandchild",
        "孙辈": "grandchild",
        "之孙子": "grandchild",
        "之孙女": "grandchild",
        "父亲": "parent",
        "母亲": "parent",
        "父": "parent",
        "母": "parent",
        "之父": "parent",
        "之母": "parent",
        "祖父": "grandparent",
        "祖母": "grandparent",
        "兄": "sibling",
        "弟": "sibling",
        "姐": "sibling",
        "妹": "sibling",
        "兄弟姐妹": "sibling",
    },
    Gender: {"男性": "M", "女性": "F", "1": "M", "2": "F"},
    HouseholdType: {
        "脱贫户（继续享受政策）": "escaped",
        "脱贫户（不享受政策）": "escaped",
        "脱贫户(继续享受政策)": "escaped",
        "脱贫户(不享受政策)": "escaped",
        "原建档立卡脱贫户": "escaped",
        "农户": "ordinary",
        "一般户": "ordinary",
        "普通农户": "ordinary",
    },
    LabourCapacity: {"弱劳动力": "weak", "半劳动力": "weak", "丧失劳动能力": "lost", "无劳动能力": "none"},
    Education: {
        "学龄前": "preschool",
        "文盲": "illiterate",
        "半文盲": "illiterate",
        "中专": "vocational",
        "中技": "vocational",
        "大专": "college",
        "本科": "college",
        "本科及以上": "college",
        "大学": "college",
    },
    StudentStatus: {
        "否": "",
        "非在校": "",
        "无": "",
        "学前": "preschool",
        "幼儿园": "preschool",
        "高中": "senior",
        "高职": "higher_vocational",
        "大专": "higher_vocational",
        "研究生": "postgraduate",
    },
    WorkLocation: {
        "无": "",
        "否": "",
        "县内务工": "in_county",
        "省内": "in_province",
        "省内县外务工": "in_province",
        "省外务工": "out_of_province",
        "县外省内": "in_province",
    },
    DisabilityType: {
        "视力": "visual",
        "听力": "hearing",
        "言语": "speech",
        "肢体": "physical",
        "智力": "intellectual",
        "精神": "mental",
        "多重": "multiple",
    },
    HouseRating: {"a": "A", "b": "B", "c": "C", "d": "D", "A级": "A", "B级": "B", "C级": "C", "D级": "D"},
    LegacyPoorClass: {"继续享受政策": "continue_assistance", "不享受政策": "exited_assistance"},
}


@lru_cache(maxsize=64)
def _label_map(choices: type[models.TextChoices]) -> dict[str, str]:
    mapping = {str(label): value for value, label in choices.choices}
    mapping.update({value: value for value in choices.values})
    mapping.update(SYNONYMS.get(choices, {}))
    return mapping


def clean_choice(raw: Any, choices: type[models.TextChoices], *, required: bool = False) -> str:
    """A code-list value from its Chinese label, a known synonym or the code itself."""
    if is_blank(raw):
        if required:
            raise FieldError(_("不能为空"))
        return ""
    text = re.sub(r"\s+", "", str(raw)).replace("(", "（").replace(")", "）")
    mapping = _label_map(choices)
    for candidate in (text, text.replace("（", "(").replace("）", ")"), text.upper(), text.lower()):
        if candidate in mapping:
            return mapping[candidate]
    allowed = "、".join(str(label) for value, label in choices.choices if value)
    raise FieldError(_("“%(v)s”不是有效值，可选：%(a)s") % {"v": str(raw).strip(), "a": allowed})


HEALTH_WORDS = {
    "健康": None,
    "长期慢性病": "is_chronic_ill",
    "慢性病": "is_chronic_ill",
    "患有大病": "is_seriously_ill",
    "大病": "is_seriously_ill",
    "残疾": "is_disabled",
}


def clean_health(raw: Any) -> dict[str, bool]:
    """健康状况 is multi-valued: "长期慢性病、残疾" sets two flags."""
    flags = {"is_chronic_ill": False, "is_seriously_ill": False, "is_disabled": False}
    if is_blank(raw):
        return flags
    for part in re.split(r"[、,，;；/\s]+", str(raw).strip()):
        if not part:
            continue
        if part not in HEALTH_WORDS:
            raise FieldError(_("“%(v)s”不是有效的健康状况，可选：健康、长期慢性病、患有大病、残疾") % {"v": part})
        flag = HEALTH_WORDS[part]
        if flag:
            flags[flag] = True
    return flags


def check_person_consistency(values: Mapping[str, Any]) -> dict[str, str]:
    """Cross-field checks on one person; `{field: message}`."""
    problems: dict[str, str] = {}
    grade = values.get("disability_grade")
    if grade and not values.get("is_disabled"):
        problems["disability_grade"] = _("填写了残疾等级，但健康状况未选“残疾”")
    if values.get("is_disabled") and not grade:
        problems["disability_grade"] = _("健康状况为残疾时须填写残疾等级（1–4级）")
    if values.get("work_months") and not values.get("work_location"):
        problems["work_location"] = _("填写了务工时间，但未填写务工所在地")
    return problems
