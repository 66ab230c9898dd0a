"""Dashboard KPIs (DOMAIN §5) by area and period, aggregated in SQL.

One grouped query per base table (episodes, identification cases, persons,
households), grouped by the code prefix of the child areas: the number of
queries per page does not depend on the number of households.  Each KPI is a
numerator and a denominator filter on one base, so the drill-down list behind
a number uses the very same filter.

`compute` is the one definition of the figures: the page calls it live only
when no summary covers the period, and the summary refresh
(`fangpin.reports.services.summary_refresh`) calls it grouped by village for
a whole county; `summary_read` then sums those village rows per child area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear, NullIf, Substr
from django.utils.translation import gettext_lazy as _

from fangpin.areas.models import PREFIX_LENGTH, Area, AreaLevel
from fangpin.assistance import rules as arules
from fangpin.assistance.models import AssistanceMeasure, Visit
from fangpin.core.scoping import visible
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES
from fangpin.monitoring.models import IdentificationCase, MonitoringEpisode, RiskClue
from fangpin.policy.selectors import policy_get
from fangpin.registry.choices import HAS_LABOUR, HouseholdStatus, HouseholdType, LegacyPoorClass, PersonStatus
from fangpin.registry.models import Household, Person
from fangpin.reports import rules

OPEN = list(OPEN_EPISODE_STATUSES)
CHILD_LEVEL = {
    AreaLevel.PROVINCE: AreaLevel.CITY,
    AreaLevel.CITY: AreaLevel.COUNTY,
    AreaLevel.COUNTY: AreaLevel.TOWNSHIP,
    AreaLevel.TOWNSHIP: AreaLevel.VILLAGE,
    AreaLevel.VILLAGE: AreaLevel.VILLAGE,
}


@dataclass(frozen=True)
class Ctx:
    area: Area
    period: rules.Period
    today: date
    measure_days: int
    long_months: int
    # 原建档立卡脱贫户 class (DOMAIN §6.2 legacy_poor_class): "" = every household.
    legacy_class: str = ""


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Any
    base: str  # episode | case | person | household
    den: Callable[[Ctx], Q]
    num: Callable[[Ctx], Q]
    kind: str = "rate"  # rate (%) or ratio (num ÷ den)
    note: Any = ""
    stock: bool = False  # as of today, whatever the period (decision 0009): the refresh computes it once


def _q_of(**lookups: Any) -> Callable[[Ctx], Q]:
    """A numerator that is one fixed filter, whatever the period (bound now, not at call time)."""
    return lambda c: Q(**lookups)


# IN (subquery) rather than EXISTS: inside an OR, PostgreSQL evaluates an IN list once
# as a hashed subplan, where EXISTS would run once per person or household row.
def _open_households() -> QuerySet[Any]:
    return MonitoringEpisode.objects.filter(status__in=OPEN).values("household_id")


def _visited(ctx: Ctx) -> QuerySet[Any]:
    return Visit.objects.filter(visited_on__gte=ctx.period.start, visited_on__lte=ctx.period.end).values("household_id")


def _reported(ctx: Ctx) -> QuerySet[Any]:
    return RiskClue.objects.filter(
        household__isnull=False,
        received_at__date__gte=ctx.period.start,
        received_at__date__lte=ctx.period.end,
    ).values("household_id")


def _in_period(field: str, ctx: Ctx) -> Q:
    return Q(**{f"{field}__gte": ctx.period.start, f"{field}__lte": ctx.period.end})


# A reversal clears the episode's eliminated_on and keeps the elimination and reversal dates
# as one entry of reversal_history; its first REVERSALS_READ entries are read in SQL (more
# reversals of one episode is a record to correct, not a pattern). docs/monitoring.md.
REVERSALS_READ = 4
REVERSAL_WINDOW_MONTHS = 12  # DOMAIN §5 reversal_rate: "within 12 months"


def _day_key(year: Any, month: Any, day: Any) -> Any:
    """(year·12 + month)·100 + day: the same day N months later is this + 100·N (month-end
    clipping only ever moves the later day back, so "≤ key + 100·N" is "within N months")."""
    return (year * 12 + month) * 100 + day


def _text_day_key(text: Any) -> Any:
    def part(start: int, length: int) -> Any:
        return Cast(Substr(text, start, length), IntegerField())

    return _day_key(part(1, 4), part(6, 2), part(9, 2))


def _history(i: int, key: str) -> Any:
    text = KeyTextTransform(key, KeyTransform(str(i), "reversal_history"))
    return NullIf(text, Value(""), output_field=TextField())


def _eliminated_in_period(ctx: Ctx) -> Q:
    """Eliminated in the period: the current elimination, or one a later reversal undid."""
    start, end = ctx.period.start.isoformat(), ctx.period.end.isoformat()
    q = _in_period("eliminated_on", ctx)
    for i in range(REVERSALS_READ):
        q |= Q(**{f"rev{i}_eliminated__gte": start, f"rev{i}_eliminated__lte": end})
    return q


def _reversed_within_window(ctx: Ctx) -> Q:
    """Of those, reversed within 12 months of that elimination, or re-identified (a successor
    episode identified) within 12 months of the current one. [DOMAIN §5 reversal_rate]"""
    start, end = ctx.period.start.isoformat(), ctx.period.end.isoformat()
    q = _in_period("eliminated_on", ctx) & Q(has_successor_within=True)
    for i in range(REVERSALS_READ):
        q |= Q(
            **{f"rev{i}_eliminated__gte": start, f"rev{i}_eliminated__lte": end},
            **{f"rev{i}_on_key__lte": F(f"rev{i}_eliminated_key") + 100 * REVERSAL_WINDOW_MONTHS},
        )
    return q


def _reversal_annotations() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(REVERSALS_READ):
        out[f"rev{i}_eliminated"] = _history(i, "eliminated_on")
        out[f"rev{i}_eliminated_key"] = _text_day_key(_history(i, "eliminated_on"))
        out[f"rev{i}_on_key"] = _text_day_key(_history(i, "on"))
    return out


def _date_key(field: str) -> Any:
    return _day_key(ExtractYear(field), ExtractMonth(field), ExtractDay(field))


def _successor_within_window() -> Exists:
    """Needs the outer episode's `eliminated_key` annotation."""
    successors = MonitoringEpisode.objects.filter(previous_episode=OuterRef("pk"), identified_on__isnull=False)
    successors = successors.annotate(identified_key=_date_key("identified_on"))
    window_end = OuterRef("eliminated_key") + 100 * REVERSAL_WINDOW_MONTHS
    return Exists(successors.filter(identified_key__lte=window_end))


# 脱贫户 split into 继续享受政策 / 不享受政策 (DOMAIN §6.2; [C] export labels).
LEGACY_CLASS_KPIS = (
    ("continue_assistance", LegacyPoorClass.CONTINUE, _("脱贫户（继续享受政策）")),
    ("exited_assistance", LegacyPoorClass.EXITED, _("脱贫户（不享受政策）")),
)
MONITORED_CLASS_KPIS = (
    ("continue_assistance", LegacyPoorClass.CONTINUE, _("监测户中的脱贫户（继续享受政策）")),
    ("exited_assistance", LegacyPoorClass.EXITED, _("监测户中的脱贫户（不享受政策）")),
)
LEGACY_CLASS_FIELD = {
    "episode": "household__legacy_poor_class",
    "case": "household__legacy_poor_class",
    "person": "household__legacy_poor_class",
    "household": "legacy_poor_class",
}

KPIS: list[Kpi] = [
    Kpi(
        "identification_timeliness",
        _("识别及时率"),
        "case",
        lambda c: Q(status="monitored", entered_on__isnull=False) & _in_period("entered_on", c),
        lambda c: Q(entered_on__lte=F("deadline_on")),
        note=_("期内完成识别的案件中，在法定时限内完成的比例"),
    ),
    Kpi(
        "measure_timeliness",
        _("帮扶措施落实及时率"),
        "episode",
        lambda c: _in_period("identified_on", c),
        lambda c: Q(first_measure_on__lte=F("measure_due")),
        note=_("期内识别的监测户中，在时限内落实首项措施的比例"),
    ),
    Kpi(
        "assistance_rate",
        _("帮扶率"),
        "episode",
        lambda c: Q(status__in=OPEN),
        lambda c: Q(first_measure_on__isnull=False),
        note=_("风险未消除的监测户中，已有落实措施的比例"),
        stock=True,
    ),
    Kpi(
        "developmental_measure_rate",
        _("开发式帮扶覆盖率"),
        "episode",
        lambda c: Q(status__in=OPEN, has_labour=True),
        lambda c: Q(has_developmental=True),
        note=_("有劳动能力的未消除监测户中，已落实开发式措施的比例"),
        stock=True,
    ),
    Kpi(
        "measures_per_household",
        _("户均帮扶措施"),
        "episode",
        lambda c: Q(identified_on__isnull=False, identified_on__lte=c.period.end),
        lambda c: Q(),
        kind="ratio",
        note=_("已登记帮扶措施数 ÷ 监测户数（截至期末）"),
    ),
    Kpi(
        "elimination_rate",
        _("风险消除率"),
        "episode",
        lambda c: Q(identified_on__isnull=False, identified_on__lte=c.period.end),
        lambda c: Q(eliminated_on__isnull=False, eliminated_on__lte=c.period.end),
        note=_("累计监测户中已消除风险的比例（只作统计，不作考核门槛）"),
    ),
    Kpi(
        "long_unresolved_share",
        _("纳入1年以上未消除占比"),
        "episode",
        lambda c: Q(status__in=OPEN),
        lambda c: Q(has_labour=True, identified_on__lte=c.today - timedelta(days=round(c.long_months * 30.44))),
        note=_("未消除监测户中，有劳动能力且纳入满规定月数的比例"),
        stock=True,
    ),
    Kpi(
        "reversal_rate",
        _("风险消除回退率"),
        "episode",
        lambda c: _eliminated_in_period(c),
        lambda c: _reversed_within_window(c),
        note=_("期内消除风险的户中，消除后12个月内回退或重新纳入的比例"),
    ),
    *[
        Kpi(
            f"escaped_{short}",
            label,
            "household",
            lambda c: Q(household_type=HouseholdType.ESCAPED),
            _q_of(legacy_poor_class=cls),
            note=_("脱贫户中该分类管理类别的户数（截至今日）"),
            stock=True,
        )
        for short, cls, label in LEGACY_CLASS_KPIS
    ],
    *[
        Kpi(
            f"monitored_{short}",
            label,
            "episode",
            lambda c: Q(status__in=OPEN),
            _q_of(household__legacy_poor_class=cls),
            note=_("风险未消除的监测户中属于该类脱贫户的户数（截至今日）"),
            stock=True,
        )
        for short, cls, label in MONITORED_CLASS_KPIS
    ],
    Kpi(
        "insurance_rate",
        _("基本医保参保率"),
        "person",
        lambda c: Q(household__household_type="escaped") | Q(household_id__in=_open_households()),
        lambda c: Q(in_resident_medical=True) | Q(in_employee_medical=True),
        note=_("脱贫人口和监测对象中参加基本医疗保险的比例"),
        stock=True,
    ),
    Kpi(
        "monitoring_coverage",
        _("监测覆盖率"),
        "household",
        lambda c: Q(),
        lambda c: Q(pk__in=_visited(c)) | Q(pk__in=_reported(c)),
        note=_("期内有走访记录或风险线索的农户占全部农户的比例"),
    ),
]
BY_KEY = {k.key: k for k in KPIS}
BASE_CODE_FIELD = {
    "episode": "village_code",
    "case": "village_code",
    "person": "household__village_code",
    "household": "village_code",
}


def make_ctx(*, area: Area, period: rules.Period, today: date, legacy_class: str = "") -> Ctx:
    measure_days = int(policy_get("measure_deadline_days", area=area, on=today).value)
    long_months = int(policy_get("long_unresolved_months", area=area, on=today).value)
    return Ctx(
        area=area,
        period=period,
        today=today,
        measure_days=measure_days,
        long_months=long_months,
        legacy_class=legacy_class,
    )


class _WholeArea:
    """Stands for "every row of ctx.area" in place of a user: only the summary refresh passes
    it (it covers a whole county; the page reads its rows for an area already checked to be
    inside the user's scope). Anything else, including None, goes through `visible`."""


WHOLE_AREA = _WholeArea()


def _rows(model: Any, user: Any) -> QuerySet[Any]:
    return model._default_manager.all() if user is WHOLE_AREA else visible(model, user)


def base_queryset(base: str, user: Any, ctx: Ctx) -> QuerySet[Any]:
    """The scoped base rows of the area, with the annotations the KPI filters use."""
    code = BASE_CODE_FIELD[base]
    if base == "episode":
        qs = _rows(MonitoringEpisode, user).filter(identified_on__isnull=False)
        qs = qs.annotate(
            measure_due=ExpressionWrapper(
                F("identified_on") + timedelta(days=ctx.measure_days), output_field=DateField()
            ),
            # Limited to households with an episode so that, when PostgreSQL hashes this
            # subplan, it reads those households' members by index, not the whole person table.
            has_labour=Exists(
                Person.objects.filter(
                    household=OuterRef("household_id"),
                    status=PersonStatus.ACTIVE,
                    labour_capacity__in=list(HAS_LABOUR),
                    household_id__in=MonitoringEpisode.objects.values("household_id"),
                )
            ),
            has_developmental=Exists(
                AssistanceMeasure.objects.filter(
                    plan__episode=OuterRef("pk"), is_developmental=True, implemented_on__isnull=False
                )
            ),
            eliminated_key=_date_key("eliminated_on"),
            **_reversal_annotations(),
            n_measures=Coalesce(
                Subquery(
                    AssistanceMeasure.objects.filter(plan__episode=OuterRef("pk"))
                    .values("plan__episode")
                    .annotate(n=Count("id"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        ).annotate(has_successor_within=_successor_within_window())
    elif base == "case":
        qs = _rows(IdentificationCase, user)
    elif base == "person":
        qs = _rows(Person, user).filter(status=PersonStatus.ACTIVE)
    else:
        qs = _rows(Household, user).filter(status=HouseholdStatus.ACTIVE)
    if ctx.legacy_class:
        qs = qs.filter(**{LEGACY_CLASS_FIELD[base]: ctx.legacy_class})
    return qs.filter(**{f"{code}__startswith": ctx.area.prefix})


def child_areas(area: Area) -> list[Area]:
    if area.level == AreaLevel.VILLAGE:
        return [area]
    level = CHILD_LEVEL[AreaLevel(area.level)]
    return list(Area.objects.filter(parent=area, level=level).order_by("code"))


BASES = ("episode", "case", "person", "household")


def compute(*, user: Any, ctx: Ctx) -> dict[str, Any]:
    """KPIs for the area (total) and each child area: {key: {child_code|"total": (num, den)}}."""
    with transaction.atomic():
        no_jit()
        return compute_grouped(user=user, ctx=ctx, length=PREFIX_LENGTH[CHILD_LEVEL[AreaLevel(ctx.area.level)]])


def no_jit() -> None:
    """PostgreSQL's JIT spends more time compiling these four aggregates than running them (see
    docs/benchmarks.md); turn it off for this transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def compute_grouped(
    *, user: Any, ctx: Ctx, length: int, kpis: list[Kpi] = KPIS
) -> dict[str, dict[str, tuple[int, int]]]:
    """`kpis` grouped by the first `length` digits of the village code, plus "total": one query per
    base table (a base none of `kpis` reads is not queried)."""
    out: dict[str, dict[str, tuple[int, int]]] = {k.key: {} for k in kpis}
    for base in BASES:
        of_base = [k for k in kpis if k.base == base]
        if not of_base:
            continue
        aggregates: dict[str, Any] = {}
        for k in of_base:
            den = k.den(ctx)
            aggregates[f"{k.key}__den"] = Count("pk", filter=den)
            if k.kind == "ratio":
                aggregates[f"{k.key}__num"] = Coalesce(Sum("n_measures", filter=den), Value(0))
            else:
                aggregates[f"{k.key}__num"] = Count("pk", filter=den & k.num(ctx))
        qs = base_queryset(base, user, ctx).annotate(child=Substr(BASE_CODE_FIELD[base], 1, length))
        for row in qs.values("child").annotate(**aggregates).order_by():
            for k in of_base:
                out[k.key][row["child"]] = (int(row[f"{k.key}__num"] or 0), int(row[f"{k.key}__den"] or 0))
    for values in out.values():
        num_total = sum(v[0] for v in values.values())
        den_total = sum(v[1] for v in values.values())
        values["total"] = (num_total, den_total)
    return out


def summary_periods(today: date) -> list[rules.Period]:
    """The periods the summary holds: this year and last year, each as a year, its quarters and
    its months, up to the current month (other periods are computed live when asked for)."""
    out: list[rules.Period] = []
    for year in (today.year, today.year - 1):
        keys = [str(year)]
        keys += [f"{year}Q{q}" for q in range(1, 5) if date(year, 3 * q - 2, 1) <= today]
        keys += [f"{year}-{m:02d}" for m in range(1, 13) if date(year, m, 1) <= today]
        out += [rules.parse_period(k, today) for k in keys]
    return out


def present(num: int, den: int, *, kind: str, suppress_below: int | None) -> dict[str, Any]:
    """Display values; at village level small non-zero counts are hidden. [CONFIG dashboard_min_cell]"""
    if suppress_below is not None and (
        arules.suppress_small(num, suppress_below) is None or arules.suppress_small(den, suppress_below) is None
    ):
        return {"num": None, "den": None, "value": None, "suppressed": True}
    ratio = (round(num / den, 1) if den else None) if kind == "ratio" else None
    value = ratio if kind == "ratio" else arules.rate(num, den)
    return {"num": num, "den": den, "value": value, "suppressed": False}


def drill_rows(*, user: Any, ctx: Ctx, kpi: Kpi, part: str) -> QuerySet[Any]:
    """The rows behind one number: the same filter as the aggregate."""
    qs = base_queryset(kpi.base, user, ctx).filter(kpi.den(ctx))
    if part == "num" and kpi.kind == "rate":
        qs = qs.filter(kpi.num(ctx))
    household = {"episode": "household", "case": "household", "person": "household", "household": None}[kpi.base]
    if household is None:
        return qs.values("pk", "national_household_code", "village__name").order_by("village_code", "pk")
    return qs.values(
        "pk", f"{household}_id", f"{household}__national_household_code", f"{household}__village__name"
    ).order_by(BASE_CODE_FIELD[kpi.base], "pk")
