"""Clean the values of a migrant-work record (务工记录). [DOMAIN §4.14 DQ-19/20]"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from fangpin.core.errors import FieldErrors
from fangpin.registry import validation as v
from fangpin.registry.choices import MigrantWorkSource, WorkLocation
from fangpin.registry.rules import month_start

MIGRANT_WORK_LABELS = {
    "person": "成员",
    "start_month": "务工开始月份",
    "end_month": "务工结束月份",
    "location": "务工所在地",
    "place": "务工地点",
    "industry": "行业",
    "employer": "用工单位",
    "monthly_income": "月收入",
    "source": "信息来源",
}


class MigrantWorkDataError(FieldErrors):
    labels = MIGRANT_WORK_LABELS


def clean_month(raw: Any, *, required: bool = False) -> date | None:
    """A month as people write it: 2026-03, 2026/3, 2026年3月, 202603, or any date in the month."""
    if v.is_blank(raw):
        if required:
            raise v.FieldError("不能为空")
        return None
    if isinstance(raw, date):
        return month_start(raw)
    text = str(raw).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text) or re.fullmatch(r"(\d{4})(\d{2})", text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise v.FieldError("月份不存在")
        return date(year, month, 1)
    day = v.clean_date(text)
    return month_start(day) if day else None


def clean_migrant_work_data(data: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """The values of a new record; every problem at once, by field."""
    fields = v.FieldCollector(data)
    take, out, errors = fields.take, fields.out, fields.errors

    take("start_month", lambda raw: clean_month(raw, required=True))
    take("end_month", clean_month)
    take("location", lambda raw: v.clean_choice(raw, WorkLocation, required=True))
    take("place", lambda raw: v.clean_text(raw, max_length=100))
    take("industry", lambda raw: v.clean_text(raw, max_length=60))
    take("employer", lambda raw: v.clean_text(raw, max_length=100))
    take("monthly_income", lambda raw: None if v.is_blank(raw) else v.clean_money(raw))
    take("source", lambda raw: v.clean_choice(raw, MigrantWorkSource, required=True))
    start, end = out.get("start_month"), out.get("end_month")
    if start and start > month_start(today):
        errors["start_month"] = f"不能晚于本月（{today:%Y-%m}）"
    if start and end and end < start:
        errors["end_month"] = f"不能早于开始月份（{start:%Y-%m}）"
    income = out.get("monthly_income")
    if income is not None and income < 0:
        errors["monthly_income"] = "不能为负数"
    if errors:
        raise MigrantWorkDataError(errors)
    return out
