"""Plans, measures (with their transitions) and visits: the same services, scoping
and state machine as the pages. [DOMAIN §2.11, §2.12, §3.6]"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangpin.api.common import api_actor, id_param, need, page_size
from fangpin.api.schemas import ErrorOut
from fangpin.assistance import selectors, services
from fangpin.assistance.models import AssistanceMeasure, AssistancePlan, Visit
from fangpin.core.scoping import SCOPED, classify

router = Router(tags=["帮扶"])


class MeasureOut(Schema):
    id: int
    plan_id: int
    household_id: int
    person_id: int | None
    measure_code: str
    measure_name: str
    category: str
    is_developmental: bool
    responsible_department: str
    start_date: date
    end_date: date | None
    amount: Decimal
    status: str
    implemented_on: date | None
    version: int


class PlanOut(Schema):
    id: int
    household_id: int
    episode_id: int
    risk_analysis: str
    goals: str
    contact_name: str
    next_review_on: date | None
    version: int
    measures: list[MeasureOut] = []


class PlanIn(Schema):
    episode_id: int
    risk_analysis: str = ""
    goals: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    next_review_on: date | None = None


class MeasureIn(Schema):
    measure_code: str
    person_id: int | None = None
    responsible_department: str = ""
    start_date: date
    end_date: date | None = None
    amount: Decimal = Decimal("0")
    description: str = ""


class TransitionIn(Schema):
    action: str
    reason: str = ""
    on: date | None = None
    version: int | None = None


class VisitIn(Schema):
    household_id: int
    visited_on: date
    mode: str = "on_site"
    visitor_role: str = ""
    findings: str
    income_changed: bool = False
    guarantee_problem: bool = False
    water_problem: bool = False
    new_risk: bool = False
    risk_types: list[str] = []
    household_signed: bool = False


class VisitOut(Schema):
    id: int
    household_id: int
    plan_id: int | None
    visited_on: date
    mode: str
    visitor_role: str
    findings: str
    new_risk: bool
    risk_types: list[str]
    clue_id: int | None


def _measure(m: AssistanceMeasure) -> dict[str, Any]:
    return {f: getattr(m, f) for f in MeasureOut.model_fields}


def _plan(p: AssistancePlan, measures: bool = True) -> dict[str, Any]:
    out = {f: getattr(p, f) for f in PlanOut.model_fields if f != "measures"}
    out["measures"] = [_measure(m) for m in p.measures.all()] if measures else []
    return out


def _visit(v: Visit) -> dict[str, Any]:
    return {f: getattr(v, f) for f in VisitOut.model_fields}


@router.get("/plans", response={200: list[PlanOut], 403: ErrorOut}, summary="帮扶计划列表")
@classify(SCOPED)
def list_plans(request: HttpRequest, household_id: int | None = None, after_id: int = 0, size: int = 50) -> Any:
    need(request, "assistance.view")
    qs = selectors.plan_list(user=request.user).filter(pk__gt=after_id).prefetch_related("measures")
    if household_id:
        qs = qs.filter(household_id=household_id)
    return [_plan(p) for p in qs.order_by("pk")[: page_size(size)]]


@router.post("/plans", response={201: PlanOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="新建帮扶计划")
@classify(SCOPED)
def create_plan(request: HttpRequest, body: PlanIn) -> Any:
    need(request, "assistance.edit")
    episode = selectors.episode_get(user=request.user, pk=body.episode_id)
    plan = services.plan_create(actor=api_actor(request), episode=episode, data=body.dict())
    return Status(201, _plan(plan, measures=False))


@router.get("/plans/{plan_id}", response={200: PlanOut, 403: ErrorOut, 404: ErrorOut}, summary="帮扶计划详情")
@classify(SCOPED)
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    need(request, "assistance.view")
    return _plan(selectors.plan_get(user=request.user, pk=plan_id))


@router.post(
    "/plans/{plan_id}/measures",
    response={201: MeasureOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="添加帮扶措施",
)
@classify(SCOPED)
def add_measure(request: HttpRequest, plan_id: int, body: MeasureIn) -> Any:
    need(request, "assistance.edit")
    plan = selectors.plan_get(user=request.user, pk=plan_id)
    return Status(201, _measure(services.measure_add(actor=api_actor(request), plan=plan, data=body.dict())))


@router.get("/measures/{measure_id}", response={200: MeasureOut, 403: ErrorOut, 404: ErrorOut}, summary="帮扶措施详情")
@classify(SCOPED)
def get_measure(request: HttpRequest, measure_id: int) -> Any:
    need(request, "assistance.view")
    return _measure(selectors.measure_get(user=request.user, pk=measure_id))


@router.post(
    "/measures/{measure_id}/transitions",
    response={200: MeasureOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="帮扶措施状态流转（开始实施、落实、持续、完成、终止）",
)
@classify(SCOPED)
def transition_measure(request: HttpRequest, measure_id: int, body: TransitionIn) -> Any:
    need(request, "assistance.edit")
    measure = selectors.measure_get(user=request.user, pk=measure_id)
    done = services.measure_transition(
        actor=api_actor(request),
        measure=measure,
        action=body.action,
        reason=body.reason,
        on=body.on,
        expected_version=body.version,
    )
    return _measure(done)


@router.get("/visits", response={200: list[VisitOut], 403: ErrorOut}, summary="走访记录")
@classify(SCOPED)
def list_visits(request: HttpRequest, household_id: int | None = None, after_id: int = 0, size: int = 50) -> Any:
    need(request, "assistance.view")
    household_id, after_id = id_param(household_id, "household_id"), id_param(after_id, "after_id") or 0
    qs = selectors.visit_list(user=request.user, household_id=household_id).filter(pk__gt=after_id)
    return [_visit(v) for v in qs.order_by("pk")[: page_size(size)]]


@router.post(
    "/visits", response={201: VisitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="记录走访"
)
@classify(SCOPED)
def create_visit(request: HttpRequest, body: VisitIn) -> Any:
    need(request, "assistance.visit")
    household = selectors.household_get(user=request.user, pk=body.household_id)
    data = body.dict()
    data.pop("household_id")
    visit = services.visit_record(actor=api_actor(request), household=household, data=data)
    return Status(201, _visit(visit))
