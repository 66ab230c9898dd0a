"""Data-quality checks DQ-01 … DQ-20 as set-based queries over the user's area.

Each check is ONE query (the rows) or one COUNT; nothing loops over households in
Python.  Thresholds and the severity come from policy parameters. The same
queries, narrowed to one household, are the blocking guard of the county
approval steps (`household_blocking_problems`). [DOMAIN §4.14]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncMonth
from django.utils.translation import gettext_lazy as _

from fangpin.areas.models import Area
from fangpin.assistance import catalogue
from fangpin.assistance import rules as arules
from fangpin.assistance.models import AssistanceMeasure
from fangpin.core.scoping import visible
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.policy.selectors import policy_get, policy_get_many
from fangpin.registry import rules as rrules
from fangpin.registry.choices import HAS_LABOUR, LabourCapacity, PersonStatus, SnapshotKind
from fangpin.registry.models import IncomeSnapshot, MigrantWork, Person
from fangpin.reports import rules

MONITORED_CATEGORIES = ("unstable_escaped", "marginal")  # 脱贫不稳定户 / 边缘易致贫户
ACTIVE = PersonStatus.ACTIVE
LABOUR_EXPORT = "EMP-01"  # 劳务输出 in the measure catalogue (fangpin.assistance.rules)


@dataclass(frozen=True)
class AsEliminated:
    """The elimination being approved, as the checks should see it: as if it were
    done today (mode, date, per-capita income at elimination). The checks on
    eliminated households (DQ-02 … DQ-05) then judge the case before it is
    approved, not after it is flagged. [R-EL-1, R-EL-2, R-EL-4, R-EL-5]"""

    episode_id: int
    mode: str
    on: date
    income: Decimal | None


@dataclass(frozen=True)
class Ctx:
    user: Any
    area: Any
    today: date
    # Set: every check is narrowed to this one household (the approval guard) and,
    # of its episodes, to the one being decided (none: episode checks find nothing).
    household_id: int | None = None
    episode_id: int | None = None
    # Set: the elimination being approved, judged as if it were done (see AsEliminated).
    as_eliminated: AsEliminated | None = None

    def param(self, key: str) -> Any:
        return policy_get(key, area=self.area, on=self.today).value

    def date_param(self, key: str) -> date:
        return date.fromisoformat(str(self.param(key)))


@dataclass(frozen=True)
class Check:
    code: str
    title: Any
    level: str  # "household" (episode rows) or "person"
    query: Callable[[Ctx], QuerySet[Any]] | None
    note: Any = ""


# ------------------------------------------------------------------ building blocks


def _scoped(model: Any, ctx: Ctx, household_field: str) -> QuerySet[Any]:
    """The model's rows the user may see; with a household, only that household's
    (a trusted caller without a user — a command — sees the household unscoped)."""
    if ctx.household_id is None:
        return visible(model, ctx.user)
    qs = model.objects.filter(**{household_field: ctx.household_id})
    return qs if ctx.user is None else visible(qs, ctx.user)


def _episodes(ctx: Ctx) -> QuerySet[MonitoringEpisode]:
    qs = _scoped(MonitoringEpisode, ctx, "household_id")
    if ctx.household_id is not None:
        qs = qs.filter(pk=ctx.episode_id) if ctx.episode_id else qs.none()
    return qs


def _open(ctx: Ctx) -> QuerySet[MonitoringEpisode]:
    return _episodes(ctx).filter(status__in=list(OPEN_EPISODE_STATUSES))


def _eliminated(ctx: Ctx) -> QuerySet[MonitoringEpisode]:
    """Episodes with their elimination as elim_on / elim_mode / elim_income: the
    stored fields or, for the case being approved (ctx.as_eliminated), its
    hypothetical values."""
    h = ctx.as_eliminated
    if h is None:
        return _episodes(ctx).annotate(
            elim_on=F("eliminated_on"), elim_mode=F("elimination_mode"), elim_income=F("income_at_elimination")
        )
    this = Q(pk=h.episode_id)
    return _episodes(ctx).annotate(
        elim_on=Case(When(this, then=Value(h.on)), default=F("eliminated_on"), output_field=DateField()),
        elim_mode=Case(When(this, then=Value(h.mode)), default=F("elimination_mode"), output_field=CharField()),
        elim_income=Case(
            When(this, then=Value(h.income)),
            default=F("income_at_elimination"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
    )


def _assisted_eliminated(ctx: Ctx) -> QuerySet[MonitoringEpisode]:
    return _eliminated(ctx).filter(elim_mode="assisted", elim_on__isnull=False)


def _implemented(**filters: Any) -> Exists:
    return Exists(
        AssistanceMeasure.objects.filter(plan__episode=OuterRef("pk"), implemented_on__isnull=False, **filters)
    )


def _has_risk(risk: str) -> Q:
    # JSON list as text works the same on SQLite and PostgreSQL ('["illness", ...]').
    return Q(risk_text__contains=f'"{risk}"')


def _with_risk_text(qs: QuerySet[MonitoringEpisode]) -> QuerySet[MonitoringEpisode]:
    return qs.annotate(risk_text=Cast("risk_types", TextField()))


def _member(**filters: Any) -> Exists:
    return Exists(Person.objects.filter(household=OuterRef("household_id"), status=ACTIVE, **filters))


def _persons(ctx: Ctx) -> QuerySet[Person]:
    return _scoped(Person, ctx, "household_id").filter(status=ACTIVE)


def _escaped_persons(ctx: Ctx) -> QuerySet[Person]:
    return _persons(ctx).filter(household__household_type="escaped")


def _snapshot(kind: str, **filters: Any) -> Exists:
    return Exists(IncomeSnapshot.objects.filter(household=OuterRef("household_id"), kind=kind, **filters))


# ------------------------------------------------------------------ the checks


def dq01(ctx: Ctx) -> QuerySet[Any]:
    days = int(ctx.param("measure_deadline_days"))
    return (
        _open(ctx)
        .filter(category__in=MONITORED_CATEGORIES, identified_on__lte=ctx.today - timedelta(days=days))
        .exclude(_implemented())
    )


def dq02(ctx: Ctx) -> QuerySet[Any]:
    minimum = int(ctx.param("elimination_min_months"))
    months = (ExtractYear("elim_on") - ExtractYear("identified_on")) * 12 + (
        ExtractMonth("elim_on") - ExtractMonth("identified_on")
    )
    short = Case(
        When(Q(eliminated_day__lt=F("identified_day")), then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return (
        _assisted_eliminated(ctx)
        .filter(elim_on__gte=ctx.date_param("dq02_eliminations_from"), identified_on__isnull=False)
        .annotate(eliminated_day=ExtractDay("elim_on"), identified_day=ExtractDay("identified_on"))
        .annotate(months=months - short)
        .filter(months__lt=minimum)
    )


def _elimination_snapshot(ctx: Ctx) -> QuerySet[IncomeSnapshot]:
    """The household's latest 风险消除时 snapshot up to the elimination (or today)."""
    return IncomeSnapshot.objects.filter(
        household=OuterRef("household_id"),
        kind=SnapshotKind.ELIMINATION,
        window_end__lte=Coalesce(OuterRef("elim_on"), Value(ctx.today)),
    ).order_by("-window_end", "-id")


def _lines_by_village(ctx: Ctx, village_ids: list[int]) -> dict[Decimal, list[int]]:
    """Villages grouped by the monitoring line in force for each on the day of the check. [R-MON-2]"""
    villages = list(Area.objects.filter(pk__in=village_ids))
    if not villages:
        return {}
    lines = policy_get_many("monitoring_income_threshold", areas=villages, on=ctx.today)
    dibao: dict[int, Any] = {}
    if any(r.value["mode"] != "fixed_amount" for r in lines.values()):
        dibao = policy_get_many("dibao_standard_monthly", areas=villages, on=ctx.today)
    grouped: dict[Decimal, list[int]] = {}
    for v in villages:
        line = lines[v.pk].value
        amount = (
            Decimal(line["amount"])
            if line["mode"] == "fixed_amount"
            else (Decimal(line["multiple"]) * Decimal(str(dibao[v.pk].value)) * 12).quantize(Decimal("0.01"))
        )
        grouped.setdefault(amount, []).append(v.pk)
    return grouped


def dq03(ctx: Ctx) -> QuerySet[Any]:
    """Assisted eliminations whose 风险消除时 per-capita net income is below the current
    year's monitoring line of the household's own area (R-EL-4: "低于本省当年监测范围")."""
    snap = _elimination_snapshot(ctx)
    net = F("wage_income") + F("business_income") + F("property_income") + F("transfer_income")
    if str(ctx.param("household_size_rule")) == rrules.ACTIVE_MEMBERS:  # the divisor the registry uses
        size: Any = Subquery(
            Person.objects.filter(household=OuterRef("household_id"), status=ACTIVE)
            .values("household")
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        )
    else:
        size = Subquery(snap.values("household_size")[:1])
    qs = _assisted_eliminated(ctx).annotate(
        snap_net=Subquery(snap.annotate(net=net - F("business_expense")).values("net")[:1]),
        snap_size=Coalesce(size, Value(0)),
    )
    village_ids = list(qs.order_by().values_list("village_id", flat=True).distinct())
    below = Q(snap_net__isnull=True) | Q(snap_size__lte=0)
    for line, villages in _lines_by_village(ctx, village_ids).items():
        # Per capita rounds half up to the cent (registry rules.per_capita): it is below
        # the line exactly when the unrounded value is below line − ½ cent.
        below |= Q(village_id__in=villages, snap_net__lt=(line - Decimal("0.005")) * F("snap_size"))
    return qs.filter(below)


def dq04(ctx: Ctx) -> QuerySet[Any]:
    return _assisted_eliminated(ctx).exclude(_implemented(is_developmental=True))


def dq05(ctx: Ctx) -> QuerySet[Any]:
    # Basic medical insurance is not asked of the snapshot: it is read from the
    # members' own fields (fangpin.registry.figures), so it is never missing.
    complete = _snapshot(
        SnapshotKind.ELIMINATION,
        house_unsafe__isnull=False,
        child_out_of_school__isnull=False,
        water_unsafe__isnull=False,
    )
    return _eliminated(ctx).filter(elim_on__isnull=False).filter(Q(elim_income__isnull=True) | ~complete)


def dq06(ctx: Ctx) -> QuerySet[Any]:
    mismatch = Q()
    table = catalogue.risk_coverage(area=ctx.area, on=ctx.today)  # the county's R-EL-3 table in force
    for risk in arules.DQ06_RISKS:
        cats = sorted(arules.categories_covering(risk, table))
        mismatch |= _has_risk(risk) & ~_implemented(category__in=cats)
    return _with_risk_text(_open(ctx)).filter(mismatch)


def dq07(ctx: Ctx) -> QuerySet[Any]:
    in_open = Exists(
        MonitoringEpisode.objects.filter(household=OuterRef("household_id"), status__in=list(OPEN_EPISODE_STATUSES))
    )
    developmental = Exists(
        AssistanceMeasure.objects.filter(
            household=OuterRef("household_id"),
            plan__episode__status__in=list(OPEN_EPISODE_STATUSES),
            is_developmental=True,
            implemented_on__isnull=False,
        ).filter(Q(person=OuterRef("pk")) | Q(person__isnull=True))
    )
    return _persons(ctx).filter(in_open, labour_capacity__in=list(HAS_LABOUR)).exclude(developmental)


def dq08(ctx: Ctx) -> QuerySet[Any]:
    return (
        _open(ctx)
        .filter(household__no_labour_safety_net=False)
        .exclude(_member(labour_capacity__in=list(HAS_LABOUR)))
        .filter(_member(is_dibao=True) | _member(is_tekun=True))
    )


def _labour_counts(qs: QuerySet[MonitoringEpisode]) -> QuerySet[MonitoringEpisode]:
    active = Q(household__members__status=ACTIVE)
    return qs.annotate(
        n_total=Count("household__members", filter=active),
        n_able=Count(
            "household__members",
            filter=active
            & Q(household__members__labour_capacity__in=[LabourCapacity.SKILLED, LabourCapacity.ORDINARY]),
        ),
        n_any=Count("household__members", filter=active & Q(household__members__labour_capacity__in=list(HAS_LABOUR))),
    )


def dq09(ctx: Ctx) -> QuerySet[Any]:
    share = float(Decimal(str(ctx.param("dq09_able_labour_share"))))
    qs = _labour_counts(_with_risk_text(_open(ctx)).filter(_has_risk("lack_of_labour")))
    return qs.filter(Q(n_able__gt=F("n_total") * share) | Q(n_any=F("n_total"), n_total__gt=0))


def dq10(ctx: Ctx) -> QuerySet[Any]:
    return (
        _with_risk_text(_open(ctx))
        .filter(_has_risk("unstable_employment"))
        .exclude(_member(labour_capacity__in=list(HAS_LABOUR)))
    )


def dq11(ctx: Ctx) -> QuerySet[Any]:
    zero = _snapshot(SnapshotKind.IDENTIFICATION, eligible_out_of_pocket=Decimal("0"))
    return _with_risk_text(_episodes(ctx)).filter(_has_risk("illness")).filter(zero)


def dq12(ctx: Ctx) -> QuerySet[Any]:
    line = Decimal(str(ctx.param("dq_high_income_line")))
    since = ctx.date_param("dq12_identified_from")
    return _episodes(ctx).filter(identified_on__gte=since, income_at_identification__gt=line)


def dq13(ctx: Ctx) -> QuerySet[Any]:
    unsafe = _snapshot(SnapshotKind.IDENTIFICATION, water_unsafe=True)
    return _with_risk_text(_open(ctx)).filter(unsafe).exclude(_has_risk("unsafe_water"))


def dq14(ctx: Ctx) -> QuerySet[Any]:
    return _with_risk_text(_episodes(ctx)).filter(_has_risk("natural_disaster"), disaster_subtype="")


def dq15(ctx: Ctx) -> QuerySet[Any]:
    cutoff = int(ctx.param("premium_subsidy_cutoff_month"))
    subsidy = Exists(
        AssistanceMeasure.objects.filter(plan__episode=OuterRef("pk"), measure_code=arules.PREMIUM_SUBSIDY).exclude(
            status="terminated"
        )
    )
    qs = _episodes(ctx).filter(category__in=MONITORED_CATEGORIES, identified_on__isnull=False)
    qs = qs.annotate(identified_month=ExtractMonth("identified_on"))
    return qs.filter((Q(identified_month__lte=cutoff) & ~subsidy) | (Q(identified_month__gt=cutoff) & subsidy))


def dq16(ctx: Ctx) -> QuerySet[Any]:
    earliest, latest = rules.birth_date_bounds(ctx.today, 16, 59)
    return _escaped_persons(ctx).filter(
        birth_date__gte=earliest,
        birth_date__lte=latest,
        is_chronic_ill=False,
        is_seriously_ill=False,
        is_disabled=False,
        student_status="",
        labour_capacity__in=[LabourCapacity.NONE, LabourCapacity.WEAK],
    )


def dq17(ctx: Ctx) -> QuerySet[Any]:
    """脱贫 members without or with lost labour recorded as working away or planning to."""
    return (
        _escaped_persons(ctx)
        .filter(labour_capacity__in=[LabourCapacity.NONE, LabourCapacity.LOST])
        .filter(~Q(work_location="") | Q(work_months__gt=0) | Q(plans_to_work=True))
    )


def dq18(ctx: Ctx) -> QuerySet[Any]:
    return _escaped_persons(ctx).filter(in_serious_illness=False)


def _in_open_episode() -> Exists:
    return Exists(
        MonitoringEpisode.objects.filter(household=OuterRef("household_id"), status__in=list(OPEN_EPISODE_STATUSES))
    )


def dq19(ctx: Ctx) -> QuerySet[Any]:
    """Monitored members recorded as not working (务工所在地 empty) whose latest
    migrant-work record is open or ends after this month."""
    latest = MigrantWork.objects.filter(person=OuterRef("pk")).order_by("-start_month", "-id")
    this_month = rrules.month_start(ctx.today)
    return (
        _persons(ctx)
        .filter(_in_open_episode(), work_location="")
        .annotate(
            last_work_id=Subquery(latest.values("id")[:1]),
            last_work_end=Subquery(latest.values("end_month")[:1]),
        )
        .filter(last_work_id__isnull=False)
        .filter(Q(last_work_end__isnull=True) | Q(last_work_end__gt=this_month))
    )


def dq20(ctx: Ctx) -> QuerySet[Any]:
    """Episodes with an implemented 劳务输出 measure but no member whose migrant
    work started in or after the month of identification (any start counts while
    a green-channel episode has no identification date yet)."""
    labour_export = Exists(
        AssistanceMeasure.objects.filter(
            plan__episode=OuterRef("pk"), measure_code=LABOUR_EXPORT, implemented_on__isnull=False
        )
    )
    started_after = Exists(
        MigrantWork.objects.filter(
            person__household=OuterRef("household_id"), start_month__gte=OuterRef("identified_month")
        )
    )
    return (
        _episodes(ctx)
        .filter(labour_export)
        .annotate(identified_month=Coalesce(TruncMonth("identified_on"), Value(date(1900, 1, 1))))
        .exclude(started_after)
    )


CHECKS: list[Check] = [
    Check("DQ-01", _("监测户识别1个月后仍无已落实的帮扶措施"), "household", dq01),
    Check("DQ-02", _("帮扶消除距识别不足规定月数（2022年4月起消除）"), "household", dq02),
    Check("DQ-03", _("帮扶消除时人均纯收入低于当年监测范围"), "household", dq03),
    Check("DQ-04", _("帮扶消除但未落实开发式帮扶措施"), "household", dq04),
    Check("DQ-05", _("已消除风险户缺少消除后收支或“三保障”饮水信息"), "household", dq05),
    Check("DQ-06", _("风险类型与已落实措施不匹配（因病/因学/住房/饮水）"), "household", dq06),
    Check("DQ-07", _("未消除风险户中有劳动能力成员无开发式帮扶措施"), "person", dq07),
    Check("DQ-08", _("整户无劳动力且享受低保特困，未标注兜底保障户"), "household", dq08),
    Check("DQ-09", _("风险为缺劳动力，但劳动力占比超过四分之一或全员有劳动能力"), "household", dq09),
    Check("DQ-10", _("风险为务工就业不稳，但全家无劳动力"), "household", dq10),
    Check("DQ-11", _("风险为因病，但识别时合规自付支出为0"), "household", dq11),
    Check("DQ-12", _("2023年以来识别时人均纯收入偏高"), "household", dq12),
    Check("DQ-13", _("饮水不安全但未记录因安全饮水风险"), "household", dq13),
    Check("DQ-14", _("因自然灾害未填写灾害子项"), "household", dq14),
    Check("DQ-15", _("医保个人缴费补贴措施与识别时间不符"), "household", dq15),
    Check("DQ-16", _("脱贫户16–59岁健康非在校成员登记为无劳动力或弱劳动力"), "person", dq16),
    Check("DQ-17", _("脱贫人口无劳动力或丧失劳动力却登记务工或计划务工"), "person", dq17),
    Check("DQ-18", _("脱贫户成员未参加大病保险"), "person", dq18),
    Check("DQ-19", _("监测对象登记未务工，但最近一条务工记录未结束或结束月份在本月之后"), "person", dq19),
    Check("DQ-20", _("登记劳务输出措施，但识别后无家庭成员开始务工"), "household", dq20),
]
BY_CODE = {c.code: c for c in CHECKS}


def context_for(user: Any, today: date) -> Ctx:
    return Ctx(user=user, area=getattr(user, "scope_area", None), today=today)


def check_rows(check: Check, ctx: Ctx) -> QuerySet[Any]:
    """The rows of one check as plain values: household, village, member, detail."""
    if check.query is None:
        return Person.objects.none().values()
    qs = check.query(ctx)
    if check.level == "person":
        return qs.values(
            "household_id",
            hh_code=F("household__national_household_code"),
            village_name=F("household__village__name"),
            person_name=F("name"),
        ).order_by("household__village_code", "household_id", "id")
    return qs.values(
        "household_id",
        hh_code=F("household__national_household_code"),
        village_name=F("village__name"),
        person_name=Value("", output_field=CharField()),
    ).order_by("village_code", "household_id", "id")


def check_count(check: Check, ctx: Ctx) -> int | None:
    return None if check.query is None else check.query(ctx).count()


def summary(user: Any, today: date) -> list[dict[str, Any]]:
    """One row per check, blocking checks first: code, title, severity, count."""
    ctx = context_for(user, today)
    blocking = rules.blocking_checks(str(ctx.param("dq_blocking_checks")))
    rows = [
        {
            "code": c.code,
            "title": c.title,
            "note": c.note,
            "severity": rules.severity(c.code, blocking),
            "count": check_count(c, ctx),
        }
        for c in CHECKS
    ]
    return sorted(rows, key=lambda r: (r["severity"] != rules.BLOCKING, r["code"]))


def household_blocking_problems(
    *, household: Any, user: Any, today: date, episode_id: int | None = None, as_eliminated: AsEliminated | None = None
) -> list[str]:
    """Every blocking check the household fails, in Chinese (the county-approval
    guard of identification and elimination). The set-based queries of the
    report, narrowed to the household's members and to the episode being
    decided (`episode_id`; earlier, closed episodes are history the approval
    cannot correct); thresholds and the blocking list are those in force for
    the household's village. `as_eliminated`: the elimination being approved,
    judged as if it were done."""
    ctx = Ctx(
        user=user,
        area=household.village,
        today=today,
        household_id=household.pk,
        episode_id=episode_id,
        as_eliminated=as_eliminated,
    )
    blocking = rules.blocking_checks(str(ctx.param("dq_blocking_checks")))
    problems = []
    for check in CHECKS:
        if check.code not in blocking or check.query is None:
            continue
        rows = list(check_rows(check, ctx))
        if not rows:
            continue
        names = list(dict.fromkeys(r["person_name"] for r in rows if r["person_name"]))
        who = f"（{'、'.join(names)}）" if names else ""
        problems.append(f"{check.code} {check.title}{who}")
    return problems
