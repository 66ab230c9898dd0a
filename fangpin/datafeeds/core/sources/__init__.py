"""Declared department feed sources: one mapping per department.

A source says which columns a department's file has (canonical name, the
header spellings seen in the wild, type, meaning).  A renamed column is an
alias here, a new department is a new entry in `departments.py`: no pipeline
code changes.  Pure data, no Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

TYPES = ("text", "id_number", "date", "decimal", "integer", "enum")

# Columns every source may carry; the person fields drive linkage.
PERSON_COLUMNS = ("record_key", "name", "id_number", "sex", "birth_date", "village_code", "address")


@dataclass(frozen=True)
class Column:
    name: str
    label: str  # the Chinese header departments are asked to use
    type: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False
    meaning: str = ""
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type}")


@dataclass(frozen=True)
class Source:
    code: str
    department: str  # DOMAIN §2.7 department enum
    label: str
    columns: tuple[Column, ...]
    cadence: str = "monthly"
    description: str = ""
    rule_codes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def header_map(self, headers: list[str]) -> tuple[dict[str, int], list[str]]:
        """Canonical name → position in `headers`, and the required columns that are missing."""
        by_key = {header_key(h): i for i, h in enumerate(headers)}
        found: dict[str, int] = {}
        for col in self.columns:
            for spelling in (col.label, col.name, *col.aliases):
                pos = by_key.get(header_key(spelling))
                if pos is not None:
                    found[col.name] = pos
                    break
        missing = [c.label for c in self.columns if c.required and c.name not in found]
        return found, missing


def header_key(text: object) -> str:
    """Header spelling without width, spaces, brackets or case differences."""
    norm = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s()（）\[\]【】:：*＊_\-/]", "", norm)


def person_columns(*, record_key: tuple[str, ...] = ()) -> tuple[Column, ...]:
    return (
        Column(
            "record_key",
            "业务流水号",
            aliases=("记录编号", "序号ID", "业务编号", *record_key),
            meaning="the department's own record identifier (optional)",
        ),
        Column(
            "name",
            "姓名",
            aliases=("名字", "参保人姓名", "学生姓名", "户主姓名", "死者姓名"),
            required=True,
            meaning="person's name",
        ),
        Column(
            "id_number",
            "身份证号",
            type="id_number",
            aliases=("身份证号码", "公民身份号码", "证件号码", "身份证件号码", "证件号"),
            meaning="resident ID number (18 or legacy 15 digits); may be missing",
        ),
        Column("sex", "性别", type="enum", choices=("男", "女"), meaning="sex"),
        Column("birth_date", "出生日期", type="date", aliases=("出生年月日", "生日"), meaning="date of birth"),
        Column(
            "village_code",
            "村代码",
            aliases=("行政村代码", "村区划代码", "所在村代码", "区划代码"),
            meaning="12-digit village code",
        ),
        Column("address", "住址", aliases=("家庭住址", "地址", "户籍地址"), meaning="free-text address"),
    )
