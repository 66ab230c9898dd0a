"""Turn raw member data (a form, a JSON body, a spreadsheet row) into clean
model values, or a `{field: message}` list of everything that is wrong."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from functools import partial as bind
from typing import Any

from fangpin.core import idnumber
from fangpin.core.errors import FieldErrors
from fangpin.core.messages import id_message
from fangpin.registry import validation as v
from fangpin.registry.choices import (
    DisabilityType,
    Education,
    Gender,
    LabourCapacity,
    Relationship,
    StudentStatus,
    WorkLocation,
)

FIELD_LABELS = {
    "name": "姓名",
    "id_number": "身份证号",
    "gender": "性别",
    "birth_date": "出生日期",
    "relationship": "与户主关系",
    "ethnicity": "民族",
    "political_status": "政治面貌",
    "education": "文化程度",
    "student_status": "在校生状况",
    "health": "健康状况",
    "is_chronic_ill": "长期慢性病",
    "is_seriously_ill": "患有大病",
    "is_disabled": "残疾",
    "disability_grade": "残疾等级",
    "disability_type": "残疾类别",
    "labour_capacity": "劳动技能",
    "work_location": "务工所在地",
    "work_months": "务工时间（月）",
    "plans_to_work": "计划外出务工",
    "in_resident_medical": "参加城乡居民基本医疗保险",
    "in_employee_medical": "参加职工基本医疗保险",
    "in_serious_illness": "参加大病保险",
    "in_commercial_medical": "参加商业补充医疗保险",
    "in_resident_pension": "参加城乡居民基本养老保险",
    "in_employee_pension": "参加职工基本养老保险",
    "is_dibao": "享受低保",
    "is_tekun": "特困供养",
    "phone": "联系电话",
}


class PersonDataError(FieldErrors):
    labels = FIELD_LABELS


BOOL_FIELDS = [
    "is_chronic_ill",
    "is_seriously_ill",
    "is_disabled",
    "in_resident_medical",
    "in_employee_medical",
    "in_serious_illness",
    "in_commercial_medical",
    "in_resident_pension",
    "in_employee_pension",
    "is_dibao",
    "is_tekun",
    "plans_to_work",
]

PARSERS: dict[str, Callable[[Any], Any]] = {
    "name": v.clean_name,
    "relationship": bind(v.clean_choice, choices=Relationship, required=True),
    "ethnicity": lambda raw: v.clean_text(raw, max_length=20) or "汉族",
    "political_status": bind(v.clean_text, max_length=20),
    "education": bind(v.clean_choice, choices=Education),
    "student_status": bind(v.clean_choice, choices=StudentStatus),
    "disability_grade": bind(v.clean_int, lo=1, hi=4),
    "disability_type": bind(v.clean_choice, choices=DisabilityType),
    "labour_capacity": bind(v.clean_choice, choices=LabourCapacity, required=True),
    "work_location": bind(v.clean_choice, choices=WorkLocation),
    "work_months": bind(v.clean_int, lo=0, hi=12),
    "phone": v.clean_phone,
    **dict.fromkeys(BOOL_FIELDS, v.clean_bool),
}
REQUIRED = ("name", "id_number", "relationship", "labour_capacity")


def clean_person_data(
    data: Mapping[str, Any],
    *,
    partial: bool,
    current: Any = None,
    numeric_fields: Collection[str] = (),
) -> dict[str, Any]:
    """Clean values for the fields present in `data` (all required ones unless `partial`)."""
    fields = v.FieldCollector(data)
    out, errors = fields.out, fields.errors
    for name, parser in PARSERS.items():
        if name in data:
            fields.take(name, parser)
    if "health" in data:
        try:
            out.update(v.clean_health(data["health"]))
        except v.FieldError as exc:
            errors["health"] = exc.message
    _clean_identity(data, out, errors, numeric_fields="id_number" in numeric_fields)
    if not partial:
        for name in REQUIRED:
            if name not in out and name not in errors:
                errors[name] = "不能为空"
    merged = {**({f: getattr(current, f) for f in PARSERS} if current is not None else {}), **out}
    for name, message in v.check_person_consistency(merged).items():
        errors.setdefault(name, message)
    if errors:
        raise PersonDataError(errors)
    return out


def _clean_identity(
    data: Mapping[str, Any], out: dict[str, Any], errors: dict[str, str], *, numeric_fields: bool
) -> None:
    """ID number, then birth date and sex: derived from the ID, or checked against it."""
    birth = sex = None
    if "birth_date" in data:
        try:
            birth = v.clean_date(data["birth_date"])
        except v.FieldError as exc:
            errors["birth_date"] = exc.message
    if "gender" in data:
        try:
            sex = v.clean_choice(data["gender"], Gender) or None
        except v.FieldError as exc:
            errors["gender"] = exc.message
    if "id_number" not in data:
        if birth is not None:
            out["birth_date"] = birth
        if sex:
            out["gender"] = sex
        return
    try:
        parsed = v.clean_id_number(data["id_number"], cell_is_numeric=numeric_fields)
    except v.FieldError as exc:
        errors["id_number"] = exc.message
        return
    out["id_number"] = parsed.number
    for code in idnumber.cross_check(parsed, birth_date=birth, sex=sex):
        field = "birth_date" if code == idnumber.BIRTH_DATE_MISMATCH else "gender"
        errors[field] = id_message(code)
    out["birth_date"] = parsed.birth_date
    out["gender"] = parsed.sex
