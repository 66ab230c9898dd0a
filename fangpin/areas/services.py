"""Loading the area tree from CSV (idempotent: the same file again changes nothing)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from fangpin.areas.models import PARENT_LEVEL, PREFIX_LENGTH, Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log_many
from fangpin.core.errors import InvalidInput
from fangpin.core.models import AuditAction
from fangpin.core.textio import decode_bytes

HEADERS = {
    "code": ("code", "区划代码", "统计用区划代码", "代码"),
    "name": ("name", "名称", "区划名称"),
    "level": ("level", "层级", "级别"),
    "parent_code": ("parent_code", "上级代码", "上级区划代码"),
}
LEVEL_WORDS = {str(label): value for value, label in AreaLevel.choices} | {
    "省级": "province",
    "地级": "city",
    "县级": "county",
    "乡级": "township",
    "村级": "village",
    "乡": "township",
    "镇": "township",
    "县区": "county",
    "区县": "county",
    "社区": "village",
}


@dataclass
class AreaLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _column_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for idx, name in enumerate(header):
        for key, aliases in HEADERS.items():
            if name.strip().lstrip("\ufeff") in aliases:
                found[key] = idx
    missing = [HEADERS[k][1] for k in HEADERS if k not in found and k != "parent_code"]
    if missing:
        raise InvalidInput("区划文件缺少列：" + "、".join(missing))
    return found


def _level(raw: str) -> str:
    raw = raw.strip()
    if raw in AreaLevel.values:
        return raw
    if raw in LEVEL_WORDS:
        return LEVEL_WORDS[raw]
    raise ValueError(f"层级“{raw}”无法识别")


def areas_load_csv(*, actor: Actor, path: Path) -> AreaLoadResult:
    """Create or update areas from a CSV (UTF-8 or GB18030); all or nothing."""
    text = decode_bytes(Path(path).read_bytes())
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InvalidInput("区划文件为空")
    cols = _column_map(rows[0])
    result = AreaLoadResult()
    parsed: list[tuple[int, str, str, str, str]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            code = row[cols["code"]].strip()
            name = row[cols["name"]].strip()
            level = _level(row[cols["level"]])
            parent_code = row[cols["parent_code"]].strip() if "parent_code" in cols else ""
        except (IndexError, ValueError) as exc:
            result.errors.append(f"第{line}行：{exc}")
            continue
        problem = _check_code(code, level, parent_code, name)
        if problem:
            result.errors.append(f"第{line}行：{problem}")
            continue
        parsed.append((line, code, name, level, parent_code))
    if result.errors:
        raise InvalidInput("区划文件有错误，未导入任何数据", reasons=result.errors)
    with transaction.atomic():
        existing = {a.code: a for a in Area.objects.all()}
        events = []
        for line, code, name, level, parent_code in sorted(parsed, key=lambda r: PREFIX_LENGTH[AreaLevel(r[3])]):
            parent = existing.get(parent_code) if parent_code else None
            if parent_code and parent is None:
                raise InvalidInput(f"第{line}行：上级区划{parent_code}不存在")
            if parent is not None and PARENT_LEVEL.get(AreaLevel(level)) != parent.level:
                raise InvalidInput(f"第{line}行：{name}的层级与上级{parent.name}不相符")
            area = existing.get(code)
            if area is None:
                area = Area.objects.create(code=code, name=name, level=level, parent=parent)
                existing[code] = area
                result.created += 1
                events.append(
                    {
                        "action": AuditAction.CREATE,
                        "object_type": "area",
                        "object_id": str(area.pk),
                        "object_label": name,
                        "area_code": code,
                        "changes": {"name": [None, name], "level": [None, level]},
                    }
                )
            elif (area.name, area.level, area.parent_id) != (name, level, parent.pk if parent else None):
                before = area.name
                Area.objects.filter(pk=area.pk).update(name=name, level=level, parent=parent)
                result.updated += 1
                events.append(
                    {
                        "action": AuditAction.UPDATE,
                        "object_type": "area",
                        "object_id": str(area.pk),
                        "object_label": name,
                        "area_code": code,
                        "changes": {"name": [before, name]},
                    }
                )
            else:
                result.unchanged += 1
        if events:
            audit_log_many(actor=actor, events=events)
    return result


def _check_code(code: str, level: str, parent: str, name: str) -> str:
    length = 15 if level == AreaLevel.GRID else 12
    if not code.isdigit() or len(code) != length:
        return f"区划代码“{code}”应为{length}位数字"
    if not name:
        return "名称为空"
    if level != AreaLevel.PROVINCE and parent:
        parent_prefix = parent[: PREFIX_LENGTH[PARENT_LEVEL[AreaLevel(level)]]]
        if not code.startswith(parent_prefix):
            return f"区划代码{code}与上级代码{parent}不相符"
    return ""
