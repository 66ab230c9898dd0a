"""Data-quality checks DQ-01 … DQ-20 as set-based queries over the user's area.

Each check is ONE query (the rows) or one COUNT; nothing loops over households in
Python.  Thresholds and the severity come from policy parameters. The same
queries, narrowed to one household, are the blocking guard of the county
approval steps (`selectors.household_blocking_problems`). [DOMAIN §4.14]
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncMonth
from django.utils.translation import gettext_lazy as _

from fangpin.areas.models import Area
from fangpin.assistance import catalogue
from fangpin.assistance import rules as arules
from fangpin.assistance.models import AssistanceMeasure
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.policy.selectors import policy_get_many
from fangpin.quality import rules
from fangpin.quality.blocks import (
    ACTIVE,
    LABOUR_EXPORT,
    MONITORED_CATEGORIES,
    Check,
    Ctx,
    assisted_eliminated,
    eliminated_episodes,
    episodes_of,
    escaped_persons,
    has_member,
    has_risk,
    has_snapshot,
    implemented_measure,
    open_episodes,
    persons_of,
    with_risk_text,
)
from fangpin.registry import rules as rrules
from fangpin.registry.choices import HAS_LABOUR, LabourCapacity, SnapshotKind
from fangpin.registry.models import IncomeSnapshot, MigrantWork, Person

# ------------------------------------------------------------------ the checks


def dq01(ctx: Ctx) -> QuerySet[Any]:
    days = int(ctx.param("measure_deadline_days"))
    return (
        open_episodes(ctx)
        .filter(category__in=MONITORED_CATEGORIES, identified_on__lte=ctx.today - timedelta(days=days))
        .exclude(implemented_measure())
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
        assisted_eliminated(ctx)
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
    qs = assisted_eliminated(ctx).annotate(
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
    return assisted_eliminated(ctx).exclude(implemented_measure(is_developmental=True))


def dq05(ctx: Ctx) -> QuerySet[Any]:
    # Basic medical insurance is not asked of the snapshot: it is read from the
    # members' own fields (fangpin.registry.figures), so it is never missing.
    complete = has_snapshot(
        SnapshotKind.ELIMINATION,
        house_unsafe__isnull=False,
        child_out_of_school__isnull=False,
        water_unsafe__isnull=False,
    )
    return eliminated_episodes(ctx).filter(elim_on__isnull=False).filter(Q(elim_income__isnull=True) | ~complete)


def dq06(ctx: Ctx) -> QuerySet[Any]:
    mismatch: Any = Q()  # Q | (Q & ~Exists) is a Combinable to the stubs, a Q at run time
    table = catalogue.risk_coverage(area=ctx.area, on=ctx.today)  # the county's R-EL-3 table in force
    for risk in arules.DQ06_RISKS:
        cats = sorted(arules.categories_covering(risk, table))
        mismatch |= has_risk(risk) & ~implemented_measure(category__in=cats)
    return with_risk_text(open_episodes(ctx)).filter(mismatch)


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
    return persons_of(ctx).filter(in_open, labour_capacity__in=list(HAS_LABOUR)).exclude(developmental)


def dq08(ctx: Ctx) -> QuerySet[Any]:
    return (
        open_episodes(ctx)
        .filter(household__no_labour_safety_net=False)
        .exclude(has_member(labour_capacity__in=list(HAS_LABOUR)))
        .filter(has_member(is_dibao=True) | has_member(is_tekun=True))
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
    qs = _labour_counts(with_risk_text(open_episodes(ctx)).filter(has_risk("lack_of_labour")))
    return qs.filter(Q(n_able__gt=F("n_total") * share) | Q(n_any=F("n_total"), n_total__gt=0))


def dq10(ctx: Ctx) -> QuerySet[Any]:
    return (
        with_risk_text(open_episodes(ctx))
        .filter(has_risk("unstable_employment"))
        .exclude(has_member(labour_capacity__in=list(HAS_LABOUR)))
    )


def dq11(ctx: Ctx) -> QuerySet[Any]:
    zero = has_snapshot(SnapshotKind.IDENTIFICATION, eligible_out_of_pocket=Decimal("0"))
    return with_risk_text(episodes_of(ctx)).filter(has_risk("illness")).filter(zero)


def dq12(ctx: Ctx) -> QuerySet[Any]:
    line = Decimal(str(ctx.param("dq_high_income_line")))
    since = ctx.date_param("dq12_identified_from")
    return episodes_of(ctx).filter(identified_on__gte=since, income_at_identification__gt=line)


def dq13(ctx: Ctx) -> QuerySet[Any]:
    unsafe = has_snapshot(SnapshotKind.IDENTIFICATION, water_unsafe=True)
    return with_risk_text(open_episodes(ctx)).filter(unsafe).exclude(has_risk("unsafe_water"))


def dq14(ctx: Ctx) -> QuerySet[Any]:
    return with_risk_text(episodes_of(ctx)).filter(has_risk("natural_disaster"), disaster_subtype="")


def dq15(ctx: Ctx) -> QuerySet[Any]:
    cutoff = int(ctx.param("premium_subsidy_cutoff_month"))
    subsidy = Exists(
        AssistanceMeasure.objects.filter(plan__episode=OuterRef("pk"), measure_code=arules.PREMIUM_SUBSIDY).exclude(
            status="terminated"
        )
    )
    qs = episodes_of(ctx).filter(category__in=MONITORED_CATEGORIES, identified_on__isnull=False)
    qs = qs.annotate(identified_month=ExtractMonth("identified_on"))
    return qs.filter((Q(identified_month__lte=cutoff) & ~subsidy) | (Q(identified_month__gt=cutoff) & subsidy))


def dq16(ctx: Ctx) -> QuerySet[Any]:
    earliest, latest = rules.birth_date_bounds(ctx.today, 16, 59)
    return escaped_persons(ctx).filter(
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
        escaped_persons(ctx)
        .filter(labour_capacity__in=[LabourCapacity.NONE, LabourCapacity.LOST])
        .filter(~Q(work_location="") | Q(work_months__gt=0) | Q(plans_to_work=True))
    )


def dq18(ctx: Ctx) -> QuerySet[Any]:
    return escaped_persons(ctx).filter(in_serious_illness=False)


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
        persons_of(ctx)
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
        episodes_of(ctx)
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
