"""What every data-quality check is built from: the context (user, area, day; narrowed to one
household for the approval guard), the check record, and the scoped querysets and EXISTS terms
the checks combine. [DOMAIN §4.14]"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast

from fangpin.assistance.models import AssistanceMeasure
from fangpin.core.scoping import visible
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.monitoring.services.quality_guard import AsEliminated
from fangpin.policy.selectors import policy_get
from fangpin.registry.choices import PersonStatus
from fangpin.registry.models import IncomeSnapshot, Person

MONITORED_CATEGORIES = ("unstable_escaped", "marginal")  # 脱贫不稳定户 / 边缘易致贫户
ACTIVE = PersonStatus.ACTIVE
LABOUR_EXPORT = "EMP-01"  # 劳务输出 in the measure catalogue (fangpin.assistance.rules)


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


def scoped_rows(model: Any, ctx: Ctx, household_field: str) -> QuerySet[Any]:
    """The model's rows the user may see; with a household, only that household's
    (a trusted caller without a user — a command — sees the household unscoped)."""
    if ctx.household_id is None:
        return visible(model, ctx.user)
    qs = model.objects.filter(**{household_field: ctx.household_id})
    return qs if ctx.user is None else visible(qs, ctx.user)


def episodes_of(ctx: Ctx) -> QuerySet[MonitoringEpisode]:
    qs = scoped_rows(MonitoringEpisode, ctx, "household_id")
    if ctx.household_id is not None:
        qs = qs.filter(pk=ctx.episode_id) if ctx.episode_id else qs.none()
    return qs


def open_episodes(ctx: Ctx) -> QuerySet[MonitoringEpisode]:
    return episodes_of(ctx).filter(status__in=list(OPEN_EPISODE_STATUSES))


def eliminated_episodes(ctx: Ctx) -> QuerySet[Any]:  # Any: the stubs cannot see elim_* annotations
    """Episodes with their elimination as elim_on / elim_mode / elim_income: the
    stored fields or, for the case being approved (ctx.as_eliminated), its
    hypothetical values."""
    h = ctx.as_eliminated
    if h is None:
        return episodes_of(ctx).annotate(
            elim_on=F("eliminated_on"), elim_mode=F("elimination_mode"), elim_income=F("income_at_elimination")
        )
    this = Q(pk=h.episode_id)
    return episodes_of(ctx).annotate(
        elim_on=Case(When(this, then=Value(h.on)), default=F("eliminated_on"), output_field=DateField()),
        elim_mode=Case(When(this, then=Value(h.mode)), default=F("elimination_mode"), output_field=CharField()),
        elim_income=Case(
            When(this, then=Value(h.income)),
            default=F("income_at_elimination"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
    )


def assisted_eliminated(ctx: Ctx) -> QuerySet[Any]:
    return eliminated_episodes(ctx).filter(elim_mode="assisted", elim_on__isnull=False)


def implemented_measure(**filters: Any) -> Exists:
    return Exists(
        AssistanceMeasure.objects.filter(plan__episode=OuterRef("pk"), implemented_on__isnull=False, **filters)
    )


def has_risk(risk: str) -> Q:
    # JSON list as text works the same on SQLite and PostgreSQL ('["illness", ...]').
    return Q(risk_text__contains=f'"{risk}"')


def with_risk_text(qs: QuerySet[MonitoringEpisode]) -> QuerySet[MonitoringEpisode]:
    return qs.annotate(risk_text=Cast("risk_types", TextField()))


def has_member(**filters: Any) -> Exists:
    return Exists(Person.objects.filter(household=OuterRef("household_id"), status=ACTIVE, **filters))


def persons_of(ctx: Ctx) -> QuerySet[Person]:
    return scoped_rows(Person, ctx, "household_id").filter(status=ACTIVE)


def escaped_persons(ctx: Ctx) -> QuerySet[Person]:
    return persons_of(ctx).filter(household__household_type="escaped")


def has_snapshot(kind: str, **filters: Any) -> Exists:
    return Exists(IncomeSnapshot.objects.filter(household=OuterRef("household_id"), kind=kind, **filters))
