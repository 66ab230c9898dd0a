"""Warning rules as data: a small, safe expression language compiled to DuckDB SQL.

A rule is `{department source, condition, population, window, cadence,
threshold parameters}`.  The condition is written like
`oop_ytd >= 0.5 * param("rural_income_per_capita_last_year")` or
`rating in ("C", "D") and renovation == "未改造"`.  It is parsed with
`ast.parse(..., mode="eval")` and only a whitelist of node types is accepted:
boolean and comparison operators, + - * /, numbers and strings, names of the
declared feed columns and registry attributes, and the functions `param`,
`age`, `is_null`.  Nothing is ever evaluated by Python and no user text reaches
SQL except as a quoted literal or a whitelisted column name.  Pure: no Django.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Each rule population as the registry `population` values it covers, and as SQL on `reg`.
POPULATION_VALUES = {
    "escaped": ("escaped",),
    "monitored": ("monitored",),
    "escaped_or_monitored": ("escaped", "monitored"),
    "ordinary": ("ordinary",),
    "all_rural": ("escaped", "monitored", "ordinary"),
}


def _population_sql(values: tuple[str, ...]) -> str:
    if set(values) == set(POPULATION_VALUES["all_rural"]):
        return "TRUE"
    if len(values) == 1:
        return f"reg.population = '{values[0]}'"
    return "reg.population IN (" + ", ".join(f"'{v}'" for v in values) + ")"


POPULATIONS = {name: _population_sql(values) for name, values in POPULATION_VALUES.items()}
WINDOWS = ("calendar_year", "academic_year", "month", "ten_days", "event", "once")
CADENCES = ("monthly", "every_10_days", "yearly", "event")

# Registry attributes a rule may use (the `reg` table of the pipeline).
REGISTRY_NAMES = {
    "population": "reg.population",
    "person_status": "reg.person_status",
    "is_dibao": "reg.is_dibao",
    "is_tekun": "reg.is_tekun",
    "hh_no_labour": "reg.hh_no_labour",
    "hh_safety_net": "reg.hh_safety_net",
    # A main labourer: 技能 or 普通劳动力 in the registry (W-CIVIL-1D: death of the main labourer).
    "is_labourer": "(reg.labour IN ('skilled', 'ordinary'))",
}


class RuleError(ValueError):
    """A condition that is not in the language; the message is Chinese."""


@dataclass(frozen=True)
class Rule:
    code: str
    source: str  # a feed source code, or "registry" for checks on the registry alone
    title: str
    condition: str
    population: str = "all_rural"
    window: str = "calendar_year"
    cadence: str = "monthly"
    metric: str = ""  # the column reported as metric_value
    threshold: str = ""  # the expression reported as threshold_value
    risk_types: tuple[str, ...] = ()
    params: tuple[str, ...] = field(default_factory=tuple)


_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if value is None:
        return "NULL"
    raise RuleError(f"不支持的常量：{value!r}")


class _Compiler:
    def __init__(
        self, columns: set[str], params: dict[str, Decimal], *, unknown: str = "", run_day: date | None = None
    ) -> None:
        self.columns = columns
        self.params = params
        # age() without an event date counts to the run day (a literal; `run_day` when not given).
        self.run_day = f"DATE '{run_day.isoformat()}'" if run_day else "run_day"
        self.used_params: set[str] = set()
        # Prefilter modes: every value of one side ("registry" or "feed") is unknown (NULL);
        # `saw_unknown` marks that the SQL just compiled read one.
        self.unknown = unknown
        self.saw_unknown = False

    def _unknown(self, side: str) -> bool:
        if self.unknown == side:
            self.saw_unknown = True
            return True
        return False

    def visit(self, node: ast.AST) -> str:
        if isinstance(node, ast.Expression):
            return self.visit(node.body)
        if isinstance(node, ast.BoolOp):
            op = " AND " if isinstance(node.op, ast.And) else " OR "
            return "(" + op.join(self.visit(v) for v in node.values) + ")"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"(NOT {self.visit(node.operand)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"(-{self.visit(node.operand)})"
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            return f"({self.visit(node.left)} {_ARITH[type(node.op)]} {self.visit(node.right)})"
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Constant):
            return _literal(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise RuleError(f"条件中不允许使用“{ast.unparse(node)}”")

    def _compare(self, node: ast.Compare) -> str:
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(right, (ast.Tuple, ast.List)) or not right.elts:
                    raise RuleError('in 后面须是一组用括号括起的取值，如 ("C", "D")')
                values = ", ".join(self.visit(e) for e in right.elts)
                neg = "NOT " if isinstance(op, ast.NotIn) else ""
                parts.append(f"({self.visit(left)} {neg}IN ({values}))")
            elif type(op) in _CMP:
                parts.append(f"({self.visit(left)} {_CMP[type(op)]} {self.visit(right)})")
            else:
                raise RuleError(f"不支持的比较：{ast.unparse(node)}")
            left = right
        return "(" + " AND ".join(parts) + ")"

    def _name(self, name: str) -> str:
        if name in ("True", "False", "None"):
            return _literal({"True": True, "False": False, "None": None}[name])
        if name in REGISTRY_NAMES:
            return "NULL" if self._unknown("registry") else REGISTRY_NAMES[name]
        if name in self.columns:
            return "NULL" if self._unknown("feed") else f"f.{name}"
        raise RuleError(f"未知的字段“{name}”")

    def _call(self, node: ast.Call) -> str:
        fn = node.func.id if isinstance(node.func, ast.Name) else ""
        if node.keywords:
            raise RuleError("函数不接受命名参数")
        if fn == "param":
            if (
                len(node.args) != 1
                or not isinstance(node.args[0], ast.Constant)
                or not isinstance(node.args[0].value, str)
            ):
                raise RuleError('param() 须写一个参数名，如 param("med_oop_threshold_escaped")')
            key = node.args[0].value
            if key not in self.params:
                raise RuleError(f"未设置政策参数“{key}”")
            self.used_params.add(key)
            return str(Decimal(str(self.params[key])))
        if fn == "age" and not node.args:
            # Reads the registry (birth date) and the feed (event date).
            if self._unknown("registry") or self._unknown("feed"):
                return "NULL"
            day = self.run_day
            return (
                f"date_diff('year', reg.birth_date, coalesce(f.event_date, {day})) - "
                f"(strftime(coalesce(f.event_date, {day}), '%m%d') < strftime(reg.birth_date, '%m%d'))::INT"
            )
        if fn == "is_null" and len(node.args) == 1:
            outer, self.saw_unknown = self.saw_unknown, False
            inner = self.visit(node.args[0])
            unknown, self.saw_unknown = self.saw_unknown, outer or self.saw_unknown
            # An unknown value is not "null": the test itself is unknown.
            return "NULL" if unknown else f"({inner} IS NULL)"
        raise RuleError(f"不支持的函数“{fn or ast.unparse(node.func)}”（可用：param、age、is_null）")


# Real rules nest a few levels; the compiler recurses once per level, so a deeper expression
# (e.g. 1,990 minus signs, within the length cap) would end in a RecursionError.
MAX_DEPTH = 100


def _parse(condition: str) -> ast.Expression:
    """The condition's syntax tree, refused in Chinese when too long, malformed or too deep."""
    if len(condition) > 2000:
        raise RuleError("条件过长")
    try:
        tree = ast.parse(condition.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"条件写法有误（第{exc.offset or 0}个字符附近）") from exc
    except (RecursionError, MemoryError) as exc:
        raise RuleError(f"条件嵌套过深（超过{MAX_DEPTH}层），请简化写法") from exc
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:  # iterative, so that measuring the depth cannot overflow itself
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RuleError(f"条件嵌套过深（超过{MAX_DEPTH}层），请简化写法")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


def compile_condition(
    condition: str, *, columns: set[str], params: dict[str, Decimal], run_day: date | None = None
) -> str:
    """The condition as a DuckDB boolean expression over `f` (feed) and `reg` (registry)."""
    return _Compiler(columns, params, run_day=run_day).visit(_parse(condition))


def _known_part(condition: str, compiler: _Compiler) -> str:
    """The conjuncts (and all-known disjunctions) of `condition` that read no unknown value; TRUE if
    none.  FALSE only where `condition` is FALSE whatever the unknown values are."""

    def known(node: ast.AST) -> str | None:
        if isinstance(node, ast.BoolOp):
            parts = [known(v) for v in node.values]
            if isinstance(node.op, ast.And):
                kept = [p for p in parts if p is not None]
                return "(" + " AND ".join(kept) + ")" if kept else None
            return None if None in parts else "(" + " OR ".join(p for p in parts if p) + ")"
        compiler.saw_unknown = False
        sql = compiler.visit(node)
        return None if compiler.saw_unknown else sql

    return known(_parse(condition).body) or "TRUE"


def feed_prefilter(condition: str, *, columns: set[str], params: dict[str, Decimal]) -> str:
    """A test on the feed row alone that is FALSE only where `condition` is FALSE for every registry
    person: the conjuncts (and all-known disjunctions) that read no registry value; TRUE if none."""
    return _known_part(condition, _Compiler(columns, params, unknown="registry"))


def registry_prefilter(
    condition: str, *, population: str = "all_rural", columns: set[str], params: dict[str, Decimal]
) -> str:
    """A test on the registry person alone that is FALSE only where `condition` (and the rule's
    population) is FALSE for every feed row: the population and the conjuncts that read no feed value."""
    known = _known_part(condition, _Compiler(columns, params, unknown="feed"))
    parts = [p for p in (POPULATIONS[population], known) if p != "TRUE"]
    return "(" + " AND ".join(parts) + ")" if len(parts) > 1 else (parts or ["TRUE"])[0]


def params_used(condition: str) -> set[str]:
    tree = _parse(condition)
    return {
        str(n.args[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id == "param"
        and n.args
        and isinstance(n.args[0], ast.Constant)
    }


def window_key(window: str, *, period: str, event_date: date | None = None) -> str:
    """The repeat-suppression window a warning belongs to (same person, rule, window → one warning)."""
    year, month = int(period[:4]), int(period[5:7])
    if window == "calendar_year":
        return f"{year}"
    if window == "academic_year":
        start = year if month >= 9 else year - 1
        return f"{start}-{start + 1}"
    if window == "month":
        return period
    if window == "ten_days":
        day = event_date.day if event_date else 1
        return f"{period}-{min(3, (day - 1) // 10 + 1)}"
    if window == "event":
        return event_date.isoformat() if event_date else period
    if window == "once":
        return "once"
    raise RuleError(f"未知的窗口“{window}”")


def window_key_sql(window: str, *, period: str) -> str:
    """`window_key` as SQL over the feed row's event_date (column-wise)."""
    year, month = int(period[:4]), int(period[5:7])
    if window == "ten_days":
        return f"'{period}-' || least(3, (coalesce(day(f.event_date), 1) - 1) // 10 + 1)::VARCHAR"
    if window == "event":
        return f"coalesce(strftime(f.event_date, '%Y-%m-%d'), '{period}')"
    return _literal(window_key(window, period=period, event_date=date(year, month, 1)))


def cadence_key(cadence: str, *, period: str, run_day: date, run_ref: str) -> str:
    """A rule evaluates once per cadence key: a monthly rule once per period. [DOMAIN §4.4 cadence]"""
    if cadence == "monthly":
        return period
    if cadence == "yearly":
        return period[:4]
    if cadence == "every_10_days":
        return f"{run_day:%Y-%m}-{min(3, (run_day.day - 1) // 10 + 1)}"
    if cadence == "event":
        return run_ref
    raise RuleError(f"未知的频次“{cadence}”")


DIRECT = "FROM feed f JOIN links k ON k.rid = f.rid AND k.band = 'auto' JOIN reg ON reg.person_id = k.person_id"
# A hit names the person and household; the village a warning is routed to is read from the
# household in the database when the warning is written (reading `reg.village_code` for a few
# thousand persons scattered over a compressed 10M-row table cost as much as the rules themselves).
HITS_COLUMNS = (
    "rid BIGINT, person_id BIGINT, household_id BIGINT, rule_code VARCHAR, "
    "metric_value DECIMAL(14,2), threshold_value DECIMAL(14,2), event_date DATE, window_key VARCHAR"
)


def _any(tests: Iterable[str]) -> str:
    """The disjunction of `tests`, or TRUE (no filter) where it would keep nearly every row: one of
    them is TRUE, or they are population tests that together name every population."""
    tests = list(dict.fromkeys(tests))
    named = {POPULATIONS[p]: set(values) for p, values in POPULATION_VALUES.items()}
    if "TRUE" in tests or (all(t in named for t in tests) and set().union(*(named[t] for t in tests)) == named["TRUE"]):
        return "TRUE"
    return "(" + " OR ".join(tests) + ")"


def compile_rules(
    rules: list[Rule],
    *,
    columns: set[str],
    params: dict[str, Decimal],
    period: str,
    run_day: date,
) -> str:
    """All `rules` of a run as ONE DuckDB query producing the `hits` rows.

    The feed rules share one join of the auto-linked feed rows to the registry (a row in the review
    band never raises a warning): the rows some rule can flag (`feed_prefilter`, on the feed alone)
    meet the registry persons some rule can flag (`registry_prefilter`) once — DuckDB turns the small
    feed side into a filter on the registry scan, and the 10M-row registry scan is the expensive
    part — and each joined row yields one hit per rule it meets.  Registry-wide checks read `reg`
    directly.  Repeat suppression inside the run — one hit per person (per household for registry
    checks) and rule — is a single window over all of them."""

    def expr(text: str) -> str:
        return compile_condition(text, columns=columns, params=params, run_day=run_day)

    feed_rules = [r for r in rules if r.source != "registry"]
    branches = []
    if feed_rules:
        # Per rule: the test a joined row must pass, and the rule's hit columns.
        tests, values = [], []
        for rule in feed_rules:
            tests.append(f"({expr(rule.condition)}) AND {POPULATIONS[rule.population]}")
            values.append(
                (
                    _literal(rule.code),
                    f"try_cast({expr(rule.metric) if rule.metric else 'NULL'} AS DECIMAL(14,2))",
                    f"try_cast({expr(rule.threshold) if rule.threshold else 'NULL'} AS DECIMAL(14,2))",
                    window_key_sql(rule.window, period=period),
                )
            )
        if len(feed_rules) == 1:
            code, metric, threshold, window = values[0]
            branches.append(
                f"""SELECT f.rid, reg.person_id, reg.household_id, {code}, {metric}, {threshold},
                f.event_date, {window} {DIRECT} WHERE {tests[0]}"""
            )
        else:
            feed_side = _any(feed_prefilter(r.condition, columns=columns, params=params) for r in feed_rules)
            reg_side = _any(
                registry_prefilter(r.condition, population=r.population, columns=columns, params=params)
                for r in feed_rules
            )
            cases = ", ".join(
                f"CASE WHEN {test} THEN struct_pack(c := {c}, m := {m}, t := {t}, w := {w}) END"
                for test, (c, m, t, w) in zip(tests, values, strict=True)
            )
            branches.append(
                f"""SELECT rid, person_id, household_id, _h.c, _h.m, _h.t, event_date, _h.w FROM (
                SELECT f.rid, reg.person_id, reg.household_id, f.event_date, unnest([{cases}]) AS _h
                {DIRECT} WHERE {feed_side} AND {reg_side}) WHERE _h IS NOT NULL"""
            )
    for rule in rules:
        if rule.source == "registry":
            window = window_key_sql(rule.window, period=period).replace("f.event_date", "NULL")
            branches.append(
                f"""SELECT NULL::BIGINT, reg.person_id, reg.household_id, {_literal(rule.code)},
                NULL, NULL, NULL::DATE, {window} FROM reg
                WHERE reg.person_status = 'active' AND {expr(rule.condition)} AND {POPULATIONS[rule.population]}"""
            )
    typed = [c.split(" ", 1) for c in HITS_COLUMNS.split(", ")]
    names = ", ".join(name for name, _ in typed)
    if not branches:
        empty = ", ".join(f"NULL::{sql_type}" for _, sql_type in typed)
        return f"SELECT * FROM (SELECT {empty}) h({names}) WHERE FALSE"
    union = "\nUNION ALL ".join(branches)
    # The hits columns with their types: the statement can create the table (CREATE TABLE hits AS).
    columns_typed = ", ".join(f"CAST({name} AS {sql_type}) AS {name}" for name, sql_type in typed)
    return f"""SELECT {columns_typed} FROM ({union}) h({names})
        QUALIFY row_number() OVER (
            PARTITION BY rule_code, CASE WHEN rid IS NULL THEN household_id ELSE person_id END
            ORDER BY rid, person_id) = 1"""


def validate_rule(rule: Rule, *, columns: set[str], params: dict[str, Decimal]) -> None:
    if rule.population not in POPULATIONS:
        raise RuleError(f"未知的人群“{rule.population}”")
    if rule.window not in WINDOWS:
        raise RuleError(f"未知的窗口“{rule.window}”")
    if rule.cadence not in CADENCES:
        raise RuleError(f"未知的频次“{rule.cadence}”")
    compile_condition(rule.condition, columns=columns, params=params)
    if rule.metric:
        compile_condition(rule.metric, columns=columns, params=params)
