"""Chinese labels for field names and coded values shown in audit trails."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.apps import apps
from django.utils.translation import gettext as _

register = template.Library()

EXTRA_LABELS = {
    "net_income": "家庭纯收入",
    "per_capita_net_income": "人均纯收入",
    "hits": "查询结果数",
    "field": "查看的号码",
    "household_id": "所在户",
    "grid_id": "网格",
    "merged_into_id": "并入户",
    "sha256": "文件摘要",
    "size": "文件大小",
    "rows": "行数",
    "filters": "筛选条件",
    "value": "取值",
    "deleted": "清理条数",
    "before": "截止时间",
    "role": "角色",
    "area": "区划",
}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("fangpin."):
            continue
        for field in model._meta.concrete_fields:
            labels.setdefault(field.name, str(field.verbose_name))
            if field.choices:
                choices.setdefault(field.name, {}).update({str(k): str(v) for k, v in field.choices})
    labels.update(EXTRA_LABELS)
    return labels, choices


@register.filter
def field_label(name: str) -> str:
    return _tables()[0].get(name, name)


@register.filter
def field_value(value: Any, name: str) -> str:
    if value is None or value == "":
        return _("（空）")
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return _tables()[1].get(name, {}).get(str(value), str(value))


@register.filter
def can(user: Any, perm: str) -> bool:
    """`{% if user|can:"datafeeds.review" %}`: show a link only to roles whose page would open."""
    check = getattr(user, "can", None)
    return bool(check and check(perm))
