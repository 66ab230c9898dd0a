"""Validate every row of a registry file and stage the households that are clean.

Nothing here writes registry tables: the result is a list of staged
households (pickled beside the upload) and a list of issues, each naming the
row, the column and the reason in Chinese.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fangpin.areas.models import Area, AreaLevel
from fangpin.core.errors import InvalidInput
from fangpin.core.idnumber import mask
from fangpin.core.masking import mask_phone
from fangpin.core.spreadsheet import Table
from fangpin.registry import validation as v
from fangpin.registry.choices import HouseholdStatus, PersonStatus, Relationship
from fangpin.registry.household_data import HouseholdDataError, clean_household_data
from fangpin.registry.importing.schema import BY_FIELD, COLUMNS, map_headers
from fangpin.registry.models import Household, Person
from fangpin.registry.person_data import PersonDataError, clean_person_data
from fangpin.registry.snapshot_data import SnapshotDataError, clean_snapshot_data

HOUSEHOLD_FIELDS = [c.field for c in COLUMNS if c.level == "household"]
PERSON_FIELDS = [c.field for c in COLUMNS if c.level == "person"]
INCOME_FIELDS = [c.field for c in COLUMNS if c.level == "income"]
CHUNK = 900


@dataclass
class Issue:
    row: int
    column: str
    value: str
    message: str
    household_code: str = ""


@dataclass
class StagedHousehold:
    code: str
    village_code: str
    grid_code: str
    household: dict[str, Any]
    persons: list[dict[str, Any]]
    snapshot: dict[str, Any] | None
    rows: list[int] = field(default_factory=list)


@dataclass
class ValidationResult:
    households: list[StagedHousehold]
    issues: list[Issue]
    row_count: int
    rejected_households: int
    unknown_headers: list[str]


def _shown(field_name: str, raw: Any) -> str:
    if v.is_blank(raw):
        return ""
    text = str(raw)
    if field_name == "id_number":
        return mask(v.idnumber.normalize(text)) if len(text) >= 8 else text
    if field_name in ("phone", "person_phone"):
        return mask_phone(text)
    return text[:200]


@dataclass
class _Row:
    number: int
    code: str
    village_code: str
    grid_code: str
    person: dict[str, Any] | None
    household_raw: dict[str, Any]
    income_raw: dict[str, Any]


def validate_table(
    table: Table,
    *,
    scope_area: Area | None,
    progress: Callable[[int, int], None] = lambda d, t: None,
) -> ValidationResult:
    mapping, missing, unknown = map_headers(table.header)
    if missing:
        raise InvalidInput("表头缺少必填列：" + "、".join(missing) + "（第1行应为列名，请使用规定的导入模板）")
    issues: list[Issue] = []
    rows: list[_Row] = []
    count = 0
    for number, values, numeric in table.rows:
        if not any(not v.is_blank(x) for x in values):
            continue
        count += 1
        rows.append(_parse_row(number, values, numeric, mapping, issues))
        if count % 2000 == 0:
            progress(count, table.row_count_hint)
    progress(count, count)
    households = _group(rows, issues)
    _check_areas(households, scope_area, issues)
    issues.extend(check_registry(households))
    bad = {i.household_code for i in issues if i.household_code}
    staged = [h for h in households if h.code not in bad]
    return ValidationResult(
        staged, sorted(issues, key=lambda i: (i.row, i.column)), count, len(households) - len(staged), unknown
    )


def _cell(values: list[Any], mapping: dict[str, int], name: str) -> Any:
    idx = mapping.get(name)
    if idx is None or idx >= len(values):
        return None
    return values[idx]


def _parse_row(
    number: int, values: list[Any], numeric: frozenset[int], mapping: dict[str, int], issues: list[Issue]
) -> _Row:
    code = str(_cell(values, mapping, "national_household_code") or "").strip()
    if isinstance(_cell(values, mapping, "national_household_code"), float):
        code = str(int(_cell(values, mapping, "national_household_code")))
    if not code:
        issues.append(Issue(number, "户编号", "", "户编号为空，本行无法归户"))
    village = _cell(values, mapping, "village_code")
    village_code = str(int(village)) if isinstance(village, float) else str(village or "").strip()
    grid = _cell(values, mapping, "grid_code")
    grid_code = str(int(grid)) if isinstance(grid, float) else str(grid or "").strip()
    raw_person = {f: _cell(values, mapping, f) for f in PERSON_FIELDS if f in mapping and f != "person_phone"}
    if "person_phone" in mapping:
        raw_person["phone"] = _cell(values, mapping, "person_phone")
    numeric_fields = {"id_number"} if mapping.get("id_number") in numeric else set()
    person: dict[str, Any] | None = None
    try:
        person = clean_person_data(raw_person, partial=False, numeric_fields=numeric_fields)
        person["row"] = number
    except PersonDataError as exc:
        for name, message in exc.field_errors.items():
            col = BY_FIELD.get("person_phone" if name == "phone" else name)
            header = col.header if col else name
            issues.append(Issue(number, header, _shown(name, raw_person.get(name)), message, code))
    household_raw = {f: _cell(values, mapping, f) for f in HOUSEHOLD_FIELDS if f in mapping}
    household_raw = {k: x for k, x in household_raw.items() if not v.is_blank(x)}
    income_raw = {f: _cell(values, mapping, f) for f in INCOME_FIELDS if f in mapping}
    income_raw = {k: x for k, x in income_raw.items() if not v.is_blank(x)}
    return _Row(number, code, village_code, grid_code, person, household_raw, income_raw)


def _group(rows: Iterable[_Row], issues: list[Issue]) -> list[StagedHousehold]:
    by_code: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.code:
            by_code[row.code].append(row)
    seen_ids: dict[str, int] = {}
    staged: list[StagedHousehold] = []
    for code, group in by_code.items():
        first = group[0]
        for row in group[1:]:
            if row.village_code != first.village_code:
                issues.append(
                    Issue(
                        row.number,
                        "行政区划代码",
                        row.village_code,
                        f"同一户（{code}）各成员的行政区划代码不一致（第{first.number}行为{first.village_code}）",
                        code,
                    )
                )
        household = _merge_household(code, group, issues)
        snapshot = _merge_income(code, group, issues)
        persons = [r.person for r in group if r.person is not None]
        for person in persons:
            other = seen_ids.get(person["id_number"])
            if other is not None:
                issues.append(
                    Issue(
                        person["row"],
                        "证件号码",
                        mask(person["id_number"]),
                        f"与第{other}行的证件号码重复，同一人只能出现一次",
                        code,
                    )
                )
            else:
                seen_ids[person["id_number"]] = person["row"]
        heads = [p for p in persons if p["relationship"] == Relationship.HEAD]
        if len(persons) == len(group) and len(heads) != 1:
            message = (
                "该户没有户主（与户主关系为“户主”或“本人”的成员）"
                if not heads
                else ("该户有多名户主：第" + "、".join(str(p["row"]) for p in heads) + "行")
            )
            issues.append(Issue(first.number, "与户主关系", "", message, code))
        staged.append(
            StagedHousehold(
                code, first.village_code, first.grid_code, household, persons, snapshot, [r.number for r in group]
            )
        )
    return staged


def _merge_household(code: str, group: list[_Row], issues: list[Issue]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    origin: dict[str, int] = {}
    for row in group:
        for key, raw in row.household_raw.items():
            if key in merged and str(merged[key]).strip() != str(raw).strip():
                issues.append(
                    Issue(
                        row.number,
                        BY_FIELD[key].header,
                        _shown(key, raw),
                        f"与本户第{origin[key]}行填写的“{_shown(key, merged[key])}”不一致",
                        code,
                    )
                )
            else:
                merged.setdefault(key, raw)
                origin.setdefault(key, row.number)
    anchor = next(
        (r.number for r in group if r.person and r.person["relationship"] == Relationship.HEAD), group[0].number
    )
    try:
        return clean_household_data({**merged, "national_household_code": code}, partial=False)
    except HouseholdDataError as exc:
        for name, message in exc.field_errors.items():
            header = BY_FIELD[name].header if name in BY_FIELD else name
            issues.append(
                Issue(
                    origin.get(name, anchor),
                    header,
                    _shown(name, merged.get(name)),
                    message + ("（户级信息填在户主行）" if name not in merged else ""),
                    code,
                )
            )
        return {}


def _merge_income(code: str, group: list[_Row], issues: list[Issue]) -> dict[str, Any] | None:
    with_income = [r for r in group if r.income_raw]
    if not with_income:
        return None
    if len(with_income) > 1:
        for row in with_income[1:]:
            issues.append(
                Issue(row.number, "收入年度", "", f"收支信息只能填在一行（已在第{with_income[0].number}行填写）", code)
            )
    row = with_income[0]
    raw = {**row.income_raw}
    raw.setdefault("household_size", len(group))  # blank: the members listed in the file
    try:
        return clean_snapshot_data(raw)
    except SnapshotDataError as exc:
        for name, message in exc.field_errors.items():
            header = BY_FIELD[name].header if name in BY_FIELD else name
            issues.append(Issue(row.number, header, _shown(name, row.income_raw.get(name)), message, code))
        return None


def _check_areas(households: list[StagedHousehold], scope_area: Area | None, issues: list[Issue]) -> None:
    codes = {h.village_code for h in households} | {h.grid_code for h in households if h.grid_code}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    for h in households:
        village = areas.get(h.village_code)
        if village is None or village.level != AreaLevel.VILLAGE:
            issues.append(
                Issue(h.rows[0], "行政区划代码", h.village_code, "不是系统中已有的村级区划代码（12位）", h.code)
            )
            continue
        if scope_area is not None and not scope_area.contains(village):
            issues.append(Issue(h.rows[0], "行政区划代码", h.village_code, "该村不在您的管辖范围内", h.code))
        if h.grid_code:
            grid = areas.get(h.grid_code)
            if grid is None or grid.level != AreaLevel.GRID or grid.parent_id != village.pk:
                issues.append(Issue(h.rows[0], "网格编码", h.grid_code, "不是该村下已有的网格", h.code))


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


@dataclass(frozen=True)
class _Registered:
    household_code: str
    name: str
    status: str


@dataclass(frozen=True)
class _Member:
    id_number: str
    name: str
    birth_date: Any
    relationship: str


@dataclass
class _Registry:
    """What the registry holds for the households and IDs of a file."""

    households: dict[str, tuple[int, str, str]]  # code -> (pk, village code, status)
    persons: dict[str, _Registered]  # ID number -> where and who
    members: dict[int, list[_Member]]  # household pk -> active members


def _registry_of(households: list[StagedHousehold]) -> _Registry:
    found: dict[str, tuple[int, str, str]] = {}
    for chunk in _chunks([h.code for h in households]):
        for code, pk, village_code, status in Household.objects.filter(national_household_code__in=chunk).values_list(
            "national_household_code", "pk", "village_code", "status"
        ):
            found[code] = (pk, village_code, status)
    persons: dict[str, _Registered] = {}
    for chunk in _chunks([p["id_number"] for h in households for p in h.persons]):
        for id_number, code, name, status in Person.objects.filter(id_number__in=chunk).values_list(
            "id_number", "household__national_household_code", "name", "status"
        ):
            persons[id_number] = _Registered(code, name, status)
    members: dict[int, list[_Member]] = defaultdict(list)
    for chunk in _chunks([pk for pk, _, _ in found.values()]):
        rows = Person.objects.filter(household_id__in=chunk, status=PersonStatus.ACTIVE).values_list(
            "household_id", "id_number", "name", "birth_date", "relationship"
        )
        for household_id, id_number, name, birth_date, relationship in rows:
            members[household_id].append(_Member(id_number, name, birth_date, relationship))
    return _Registry(found, persons, members)


def check_registry(households: list[StagedHousehold]) -> list[Issue]:
    """Every row the write would refuse, or that would break a database constraint, given
    what is registered now: one household code per village, one ID per person, one person
    per household, one active head per household. Used by validation and again by the
    write, inside its transaction, for what changed in between."""
    registry = _registry_of(households)
    issues: list[Issue] = []
    for h in households:
        _check_household(h, registry, issues)
    return issues


def _check_household(h: StagedHousehold, registry: _Registry, issues: list[Issue]) -> None:
    existing = registry.households.get(h.code)
    if existing is not None:
        _, village_code, status = existing
        if village_code != h.village_code:
            message = "该户已登记在其他村；户迁移请在系统中使用“迁移到其他村”操作"
            issues.append(Issue(h.rows[0], "行政区划代码", h.village_code, message, h.code))
            return
        if status != HouseholdStatus.ACTIVE:
            label = str(HouseholdStatus(status).label)
            message = f"该户在系统中{label}，不能再通过导入更新或增加成员"
            issues.append(Issue(h.rows[0], "户编号", h.code, message, h.code))
            return
    members = registry.members.get(existing[0], []) if existing else []
    listed = {p["id_number"] for p in h.persons}
    for p in h.persons:
        _check_person(h, p, registry.persons.get(p["id_number"]), members, listed, issues)
    heads = [p for p in h.persons if p["relationship"] == Relationship.HEAD]
    if existing is not None and len(heads) == 1:
        _check_head(h, heads[0], registry, members, listed, issues)


def _check_person(
    h: StagedHousehold,
    p: dict[str, Any],
    registered: _Registered | None,
    members: list[_Member],
    listed: set[str],
    issues: list[Issue],
) -> None:
    """One ID, one person: a name corrected on its own ID is an update, but an ID that the
    registry gives to another member, or a member who comes with another ID, is not."""
    shown = mask(p["id_number"])
    message = ""
    if registered is not None and registered.household_code != h.code:
        message = "此人已登记在其他户；成员转户请在系统中使用“转入他户”操作"
    elif registered is not None and registered.name != p["name"]:
        if any(m.name == p["name"] and m.id_number != p["id_number"] for m in members):
            message = (
                f"该证件号码在系统中登记的是本户另一名成员，不是“{p['name']}”（本户的“{p['name']}”另有证件号码）："
                "同一证件号只能对应一人；证件号码填错了请改正，确需更正请先在系统中修改该成员信息"
            )
    elif registered is None and any(
        (m.name, m.birth_date) == (p["name"], p["birth_date"]) and m.id_number not in listed for m in members
    ):
        message = (
            "本户已登记同名、同出生日期的成员（证件号码不同），导入会把同一人登记两次；"
            "如系更正证件号码，请先在系统中修改该成员的证件号码"
        )
    if message:
        issues.append(Issue(p["row"], "证件号码", shown, message, h.code))


def _check_head(
    h: StagedHousehold,
    head: dict[str, Any],
    registry: _Registry,
    members: list[_Member],
    listed: set[str],
    issues: list[Issue],
) -> None:
    """A change of head is done by the write when the file lists both heads (the old one
    with the relationship it takes); anything else would leave two heads, or none."""
    label = str(Relationship.HEAD.label)
    registered = registry.persons.get(head["id_number"])
    if registered is not None and registered.status != PersonStatus.ACTIVE:
        status = str(PersonStatus(registered.status).label)
        message = f"此人在系统中已减员（{status}），不能作为户主；导入不恢复已减员的成员"
        issues.append(Issue(head["row"], "与户主关系", label, message, h.code))
        return
    current = next((m for m in members if m.relationship == Relationship.HEAD), None)
    if current is not None and current.id_number != head["id_number"] and current.id_number not in listed:
        message = (
            "系统中本户的户主是另一名成员，文件中没有列出此人：导入不减员，不能另立户主。"
            "变更户主请在文件中同时列出原户主（填写其与新户主的关系），或先在系统中使用“变更户主”操作"
        )
        issues.append(Issue(head["row"], "与户主关系", label, message, h.code))
