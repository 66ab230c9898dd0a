"""Reads for the data-feed pipeline and pages, always area-scoped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from fangpin.areas.models import Area
from fangpin.core.scoping import visible
from fangpin.datafeeds.core.rules import Rule, params_used
from fangpin.datafeeds.core.sources.departments import BY_CODE
from fangpin.datafeeds.models import DepartmentWarning, FeedRun, ReviewPair, ReviewStatus, WarningRule
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES
from fangpin.policy.selectors import policy_get
from fangpin.registry.choices import HAS_LABOUR, HouseholdType, PersonStatus

REG_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("household_id", pa.int64()),
        ("id18", pa.string()),
        ("name", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("village_code", pa.string()),
        ("population", pa.string()),
        ("person_status", pa.string()),
        ("is_dibao", pa.bool_()),
        ("is_tekun", pa.bool_()),
        ("labour", pa.string()),
    ]
)


def registry_frame(*, scope_code: str, chunk: int = 50_000) -> pa.Table:
    """Every person of the area (any status) as an Arrow table, read in chunks with one cursor."""
    sql = (
        "SELECT p.id, p.household_id, p.id_number, p.name, p.gender, p.birth_date, h.village_code, "
        "h.household_type, p.status, p.is_dibao, p.is_tekun, p.labour_capacity, m.household_id "
        "FROM registry_person p JOIN registry_household h ON h.id = p.household_id "
        # Under monitoring (an open episode): the rules' "monitored" population.
        "LEFT JOIN (SELECT DISTINCT household_id FROM monitoring_monitoringepisode WHERE status IN (%s, %s)) m "
        "ON m.household_id = h.id "
        "WHERE h.village_code LIKE %s ORDER BY p.id"
    )
    batches = []
    with connection.cursor() as cur:
        cur.execute(sql, [*(str(s) for s in OPEN_EPISODE_STATUSES), scope_code + "%"])
        while rows := cur.fetchmany(chunk):
            cols = list(zip(*rows, strict=True))
            births = [b if isinstance(b, date) else date.fromisoformat(str(b)) for b in cols[5]]
            population = [
                "monitored" if open_ is not None else "escaped" if t == HouseholdType.ESCAPED else "ordinary"
                for t, open_ in zip(cols[7], cols[12], strict=True)
            ]
            batches.append(
                pa.record_batch(
                    [
                        pa.array(cols[0], pa.int64()),
                        pa.array(cols[1], pa.int64()),
                        pa.array(cols[2], pa.string()),
                        pa.array(cols[3], pa.string()),
                        pa.array(cols[4], pa.string()),
                        pa.array(births, pa.date32()),
                        pa.array(cols[6], pa.string()),
                        pa.array(population, pa.string()),
                        pa.array(cols[8], pa.string()),
                        pa.array([bool(v) for v in cols[9]], pa.bool_()),
                        pa.array([bool(v) for v in cols[10]], pa.bool_()),
                        pa.array(cols[11], pa.string()),
                    ],
                    schema=REG_SCHEMA,
                )
            )
    table = pa.Table.from_batches(batches, schema=REG_SCHEMA)
    return table


HAS_LABOUR_VALUES = tuple(str(v) for v in HAS_LABOUR)
ACTIVE = str(PersonStatus.ACTIVE)


def decisions_frame(*, source: str) -> pa.Table:
    rows = list(
        ReviewPair.objects.filter(source=source)
        .exclude(status=ReviewStatus.OPEN)
        .values_list("feed_key", "person_id", "status")
    )
    cols: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[], [], []]
    return pa.table(
        {
            "feed_key": pa.array(cols[0], pa.string()),
            "person_id": pa.array(cols[1], pa.int64()),
            "verdict": pa.array(cols[2], pa.string()),
        }
    )


def scope_chain(scope_code: str) -> list[str]:
    """The rule scopes that apply to an area prefix, widest first: national "", province, city, county…"""
    return ["", *(scope_code[:n] for n in (2, 4, 6, 9, 12) if len(scope_code) >= n)]


def rule_rows_in_force(*, scope_code: str, on: date, source: str | None = None) -> dict[str, WarningRule]:
    """Per rule code, the row in force on `on` for the area: the narrowest scope wins (a county's
    own version over the provincial one over the national one)."""
    qs = (
        WarningRule.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .filter(scope_code__in=scope_chain(scope_code))
    )
    if source is not None:
        qs = qs.filter(source=source)
    chosen: dict[str, WarningRule] = {}
    for row in qs.order_by("code", "-effective_from"):
        current = chosen.get(row.code)
        if current is None or (len(row.scope_code) > len(current.scope_code)):
            chosen[row.code] = row
    return chosen


def rules_in_force(*, source: str, scope_code: str, on: date, enabled_only: bool = True) -> list[Rule]:
    """The rule version in force on `on` for the county: a county's own copy wins over the national one."""
    chosen = rule_rows_in_force(scope_code=scope_code, on=on, source=source)
    return [to_rule(r) for r in chosen.values() if r.enabled or not enabled_only]


def user_rule_scope(user: Any) -> str | None:
    """The rule scope a user reads and keeps: their area's code prefix (None: no area)."""
    area = getattr(user, "scope_area", None)
    return area.prefix if area is not None else None


def rules_visible(user: Any) -> QuerySet[WarningRule]:
    """Rules of the user's own scope and of every scope above it; nothing of a sibling county."""
    scope = user_rule_scope(user)
    if scope is None:
        return WarningRule.objects.none()
    return WarningRule.objects.filter(scope_code__in=scope_chain(scope))


# What the rule list shows for the codes a rule row stores (the rule language keeps the codes).
POPULATION_LABELS = {
    "escaped": _("脱贫人口"),
    "monitored": _("监测对象"),
    "escaped_or_monitored": _("脱贫人口和监测对象"),
    "ordinary": _("一般农户"),
    "all_rural": _("全体农村人口"),
}
WINDOW_LABELS = {
    "calendar_year": _("自然年累计"),
    "academic_year": _("学年"),
    "month": _("当月"),
    "ten_days": _("每旬"),
    "event": _("按事件"),
    "once": _("一次性"),
}
CADENCE_LABELS = {"monthly": _("每月"), "yearly": _("每年"), "every_10_days": _("每10天"), "event": _("随事件")}


def rule_source_label(source: str) -> str:
    """A rule's source as its department's name ("registry": checks on the registry alone)."""
    if source == "registry":
        return str(_("农户信息库（自查）"))
    found = BY_CODE.get(source)
    return found.label if found is not None else source


def rule_labels(rule: WarningRule) -> dict[str, str]:
    return {
        "source": rule_source_label(rule.source),
        "population": str(POPULATION_LABELS.get(rule.population, rule.population)),
        "window": str(WINDOW_LABELS.get(rule.window, rule.window)),
        "cadence": str(CADENCE_LABELS.get(rule.cadence, rule.cadence)),
    }


def rule_list_rows(user: Any, *, on: date) -> list[dict[str, Any]]:
    """The rule list of an area: the version in force per code, its level, and whether the
    area's own version overrides one from above."""
    scope = user_rule_scope(user)
    if scope is None:
        return []
    chosen = rule_rows_in_force(scope_code=scope, on=on)
    above = {
        code
        for code, scope_code in WarningRule.objects.filter(scope_code__in=scope_chain(scope)[:-1]).values_list(
            "code", "scope_code"
        )
    }
    return [
        {
            "rule": row,
            "labels": rule_labels(row),
            "level": rule_level_label(row.scope_code, own=scope),
            "overridden": row.scope_code == scope and row.code in above,
        }
        for row in sorted(chosen.values(), key=lambda r: r.code)
    ]


def rule_level_label(scope_code: str, *, own: str | None = None) -> str:
    if scope_code == "":
        return "全国"
    if own is not None and scope_code == own:
        return {2: "本省", 4: "本市"}.get(len(scope_code), "本县")
    return {2: "省", 4: "市"}.get(len(scope_code), "县")


def to_rule(row: WarningRule) -> Rule:
    return Rule(
        code=row.code,
        source=row.source,
        title=row.title,
        condition=row.condition,
        population=row.population,
        window=row.window,
        cadence=row.cadence,
        metric=row.metric,
        threshold=row.threshold,
        risk_types=tuple(row.risk_types or ()),
    )


def rule_params(rules: list[Rule], *, area: Area | None, on: date) -> dict[str, Decimal]:
    keys: set[str] = set()
    for rule in rules:
        for text in (rule.condition, rule.metric, rule.threshold):
            if text:
                keys |= params_used(text)
    return {k: Decimal(str(policy_get(k, area=area, on=on).value)) for k in sorted(keys)}


def run_list(user: Any) -> QuerySet[FeedRun]:
    return visible(FeedRun.objects.select_related("created_by"), user)


def warning_list(user: Any, *, source: str = "", status: str = "") -> QuerySet[DepartmentWarning]:
    qs = visible(DepartmentWarning.objects.select_related("person", "household", "run"), user)
    if source:
        qs = qs.filter(source=source)
    if status:
        qs = qs.filter(status=status)
    return qs


def review_queue(user: Any) -> QuerySet[ReviewPair]:
    return visible(ReviewPair.objects.select_related("person", "person__household"), user).filter(
        status=ReviewStatus.OPEN
    )


def rule_titles(*, scope_code: str = "") -> dict[str, str]:
    """Rule titles as the area reads them: its own version's wording over the one above, and never
    another county's."""
    rows = WarningRule.objects.filter(scope_code__in=scope_chain(scope_code)).values_list("code", "title", "scope_code")
    return {code: title for code, title, _ in sorted(rows, key=lambda r: len(r[2]))}


FINISHED = ("no_risk", "included", "policy_issue_referred", "feedback_sent", "closed")


def feedback_rates(user: Any) -> dict[str, list[dict[str, Any]]]:
    """Share of warnings with a verification result, per department and per township. [DOMAIN §2.7 feedback]"""
    qs = visible(DepartmentWarning.objects.all(), user)
    by_source = qs.values("source").annotate(total=Count("id"), done=Count("id", filter=Q(status__in=FINISHED)))
    by_township = (
        qs.annotate(township=Substr("village_code", 1, 9))
        .values("township")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status__in=FINISHED)))
    )
    names = dict(Area.objects.filter(level="township").values_list("code", "name"))
    labels = {s.code: s.label for s in BY_CODE.values()}

    def rate(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "rate": round(100 * row["done"] / row["total"], 1) if row["total"] else 0.0}

    return {
        "sources": [rate({**r, "label": labels.get(r["source"], r["source"])}) for r in by_source.order_by("source")],
        "townships": [
            rate({**r, "label": names.get(r["township"].ljust(12, "0"), r["township"])})
            for r in by_township.order_by("township")
        ],
    }
