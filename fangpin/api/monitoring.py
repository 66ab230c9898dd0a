"""Monitoring API: clues (incl. the public self-report), identification and
elimination cases with their transitions (409 on conflict), episodes. The
same scoping, masking and services as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from fangpin.api.common import api_actor, need, need_any, offset_page
from fangpin.areas.models import Area, AreaLevel
from fangpin.core.errors import InvalidInput
from fangpin.core.masking import mask_text
from fangpin.core.scoping import PUBLIC, SCOPED, classify, visible
from fangpin.monitoring import selectors, services, workflow
from fangpin.registry.models import Household

router = Router(tags=["监测与风险消除"])


class ErrorOut(Schema):
    detail: str
    reasons: list[str] = []


class ClockOut(Schema):
    due: date
    overall_due: date | None
    state: str
    days_left: int
    escalation: int


class EventOut(Schema):
    at: datetime
    action: str
    from_state: str
    to_state: str
    actor_name: str
    reason: str


class ClueIn(Schema):
    source: str
    village_code: str
    summary: str
    household_id: int | None = None
    risk_types: list[str] = []
    source_ref: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    idempotency_key: str | None = None


# A working-day deadline counted across a year whose holiday schedule is not entered yet (issue 12).
PROVISIONAL = "时限跨入尚未录入放假安排的年份，暂按周末推算（录入后重新计算）"


class ClueOut(Schema):
    id: int
    tracking_code: str
    source: str
    source_ref: str
    village_code: str
    household_id: int | None
    summary: str
    risk_types: list[str]
    reporter_name: str
    reporter_phone_masked: str
    status: str
    outcome: str
    received_at: datetime
    accept_due: date | None
    accept_due_provisional: bool = Field(False, description=PROVISIONAL)
    verify_due: date | None
    verify_due_provisional: bool = Field(False, description=PROVISIONAL)
    feedback: str
    identification_case_id: int | None
    version: int


class SelfReportIn(Schema):
    consent: bool = Field(False, description="申报人已阅读告知并同意（个人信息保护法第29–31条），必须为true")
    village_code: str
    reporter_name: str
    id_number: str
    reporter_phone: str
    summary: str
    risk_types: list[str] = []
    idempotency_key: str | None = None


class SelfReportOut(Schema):
    tracking_code: str
    status: str
    verify_due: date | None
    verify_due_provisional: bool = Field(False, description=PROVISIONAL)


class PublicStatusOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    outcome: str
    outcome_label: str
    feedback: str


class TransitionIn(Schema):
    action: str
    version: int | None = Field(None, description="乐观并发：提交时的版本号；已被他人办理时返回409")
    reason: str = ""
    note: str = ""
    household_id: int | None = None


class StartIdentificationIn(Schema):
    version: int | None = None
    category: str
    risk_types: list[str]
    disaster_subtype: str = ""
    monitoring_contact_name: str = ""
    monitoring_contact_phone: str = ""
    green_channel: bool = False
    household_id: int | None = None
    reason: str = ""


class CaseOut(Schema):
    id: int
    case_no: str
    household_id: int
    village_code: str
    status: str
    category: str
    risk_types: list[str]
    green_channel: bool
    clock_started_on: date
    deadline_on: date
    deadline_provisional: bool = Field(False, description=PROVISIONAL)
    episode_id: int | None
    version: int
    clock: ClockOut | None = None
    allowed_actions: list[str] = []
    timeline: list[EventOut] = []


class EpisodeOut(Schema):
    id: int
    household_id: int
    village_code: str
    category: str
    risk_types: list[str]
    status: str
    identified_on: date | None
    eliminated_on: date | None
    follow_up_until: date | None
    covered_risk_types: list[str]
    first_measure_on: date | None
    monitoring_contact_name: str
    monitoring_contact_phone_masked: str
    version: int


class EliminationIn(Schema):
    mode: str
    natural_reason: str = ""
    justification: str = ""
    continuing_measures: str = ""
    exception_request: str = ""  # asks the county for an exception when the guards fail


class EliminationOut(Schema):
    id: int
    case_no: str
    episode_id: int
    status: str
    mode: str
    deadline_on: date
    deadline_provisional: bool = Field(False, description=PROVISIONAL)
    override_reason: str
    refusal_reasons: list[str] = []
    allowed_actions: list[str] = []
    version: int


def _village(code: str) -> Area:
    village = Area.objects.filter(code=code, level=AreaLevel.VILLAGE).first()
    if village is None:
        raise InvalidInput(f"village_code：找不到村“{code}”")
    return village


def _household(request: HttpRequest, pk: int | None) -> Household | None:
    if pk is None:
        return None
    household = visible(Household.objects.select_related("village"), request.user).filter(pk=pk).first()
    if household is None:
        raise InvalidInput("household_id：找不到该户，或不在您的管辖范围内")
    return household


def _clue_out(c: Any) -> dict[str, Any]:
    out = {f: getattr(c, f) for f in ClueOut.model_fields}
    out["summary"], out["feedback"] = mask_text(c.summary), mask_text(c.feedback)
    return out


def _case_out(case: Any, user: Any, detail: bool = False) -> dict[str, Any]:
    out = {f: getattr(case, f) for f in CaseOut.model_fields if f not in ("clock", "allowed_actions", "timeline")}
    if detail:
        out["clock"] = selectors.case_clock(case)
        out["allowed_actions"] = [
            t.action for t in workflow.allowed_actions("identification", state=case.status, role=user.role)
        ]
        out["timeline"] = [
            {**{f: getattr(e, f) for f in EventOut.model_fields}, "reason": mask_text(e.reason)}
            for e in selectors.timeline("identification", case.pk)
        ]
    return out


def _episode_out(e: Any) -> dict[str, Any]:
    return {f: getattr(e, f) for f in EpisodeOut.model_fields}


def _elimination_out(case: Any, user: Any) -> dict[str, Any]:
    out = {f: getattr(case, f) for f in EliminationOut.model_fields if f not in ("refusal_reasons", "allowed_actions")}
    out["refusal_reasons"] = (
        services.elimination_check(
            episode=case.episode, mode=case.mode, natural_reason=case.natural_reason, justification=case.justification
        )
        if case.is_open
        else []
    )
    out["allowed_actions"] = [
        t.action for t in workflow.allowed_actions("elimination", state=case.status, role=user.role)
    ]
    return out


# ---------------------------------------------------------------- public


@router.post(
    "/public/self-report",
    auth=None,
    response={201: SelfReportOut, 400: ErrorOut, 422: ErrorOut},
    summary="农户自主申报（无需登录，限频）",
)
@classify(PUBLIC)
def self_report(request: HttpRequest, payload: SelfReportIn) -> Any:
    clue = services.clue_self_report(
        village=_village(payload.village_code),
        reporter_name=payload.reporter_name,
        id_number=payload.id_number,
        reporter_phone=payload.reporter_phone,
        summary=payload.summary,
        risk_types=payload.risk_types,
        client_address=request.META.get("REMOTE_ADDR", "")[:45],
        idempotency_key=payload.idempotency_key,
        consent=payload.consent,
    )
    return Status(
        201,
        {
            "tracking_code": clue.tracking_code,
            "status": clue.status,
            "verify_due": clue.verify_due,
            "verify_due_provisional": clue.verify_due_provisional,
        },
    )


@router.get(
    "/public/status",
    auth=None,
    response={200: PublicStatusOut, 404: ErrorOut},
    summary="凭查询码和身份证号后4位查询进度",
)
@classify(PUBLIC)
def self_report_status(request: HttpRequest, tracking_code: str, id_last4: str) -> Any:
    clue = services.clue_public_status(tracking_code=tracking_code, id_last4=id_last4)
    if clue is None:
        return Status(404, {"detail": "没有找到：请核对查询码和身份证号后4位。", "reasons": []})
    return Status(
        200,
        {
            "tracking_code": clue.tracking_code,
            "status": clue.status,
            "status_label": clue.get_status_display(),
            "outcome": clue.outcome,
            "outcome_label": clue.get_outcome_display() if clue.outcome else "",
            "feedback": mask_text(clue.feedback),
        },
    )


# ---------------------------------------------------------------- clues


@router.get("/clues", response={200: list[ClueOut], 403: ErrorOut}, summary="风险线索列表")
@classify(SCOPED)
def clue_list(request: HttpRequest, status: str = "", source: str = "", offset: int = 0, limit: int = 50) -> Any:
    need_any(request, "monitoring.view", "monitoring.clue_create")
    qs = selectors.clue_list(user=request.user, status=status, source=source)
    return [_clue_out(c) for c in offset_page(qs, offset, limit)]


@router.post(
    "/clues",
    response={201: ClueOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="登记风险线索（部门预警、热线、督导等）",
    description="idempotency_key 只在同一调用人、同一村内去重；来源编号已被他人或其他区划登记时返回409，不返回该线索。",
)
@classify(SCOPED)
def clue_new(request: HttpRequest, payload: ClueIn) -> Any:
    need(request, "monitoring.clue_create")
    clue = services.clue_create(
        source=payload.source,
        village=_village(payload.village_code),
        summary=payload.summary,
        household=_household(request, payload.household_id),
        risk_types=payload.risk_types,
        source_ref=payload.source_ref,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        actor=api_actor(request),
        channel="api",
        idempotency_key=payload.idempotency_key,
    )
    return Status(201, _clue_out(clue))


@router.get("/clues/{clue_id}", response={200: ClueOut, 404: ErrorOut}, summary="风险线索详情")
@classify(SCOPED)
def clue_detail(request: HttpRequest, clue_id: int) -> Any:
    need_any(request, "monitoring.view", "monitoring.clue_create")
    return _clue_out(selectors.clue_get(user=request.user, pk=clue_id))


@router.post(
    "/clues/{clue_id}/transitions",
    response={200: ClueOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="办理风险线索",
)
@classify(SCOPED)
def clue_act(request: HttpRequest, clue_id: int, payload: TransitionIn) -> Any:
    need(request, "monitoring.act")
    clue = selectors.clue_get(user=request.user, pk=clue_id)
    clue = services.clue_transition(
        clue=clue,
        action=payload.action,
        actor=api_actor(request),
        reason=payload.reason,
        household=_household(request, payload.household_id),
        expected_version=payload.version,
    )
    return _clue_out(clue)


@router.post(
    "/clues/{clue_id}/identification",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="由线索启动识别程序（或绿色通道）",
)
@classify(SCOPED)
def clue_identify(request: HttpRequest, clue_id: int, payload: StartIdentificationIn) -> Any:
    need(request, "monitoring.act")
    clue = selectors.clue_get(user=request.user, pk=clue_id)
    case = services.clue_start_identification(
        clue=clue,
        actor=api_actor(request),
        category=payload.category,
        risk_types=payload.risk_types,
        disaster_subtype=payload.disaster_subtype,
        monitoring_contact_name=payload.monitoring_contact_name,
        monitoring_contact_phone=payload.monitoring_contact_phone,
        green_channel=payload.green_channel,
        household=_household(request, payload.household_id),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return Status(201, _case_out(case, request.user))


# ---------------------------------------------------------------- identification


@router.get("/cases", response={200: list[CaseOut], 403: ErrorOut}, summary="识别认定程序列表")
@classify(SCOPED)
def case_list(request: HttpRequest, status: str = "", offset: int = 0, limit: int = 50) -> Any:
    need(request, "monitoring.view")
    qs = selectors.case_list(user=request.user, status=status)
    return [_case_out(c, request.user) for c in offset_page(qs, offset, limit)]


@router.get(
    "/cases/{case_id}", response={200: CaseOut, 404: ErrorOut}, summary="识别认定程序详情（含时限和可办理操作）"
)
@classify(SCOPED)
def case_detail(request: HttpRequest, case_id: int) -> Any:
    need(request, "monitoring.view")
    return _case_out(selectors.case_get(user=request.user, pk=case_id), request.user, detail=True)


@router.post(
    "/cases/{case_id}/transitions",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="办理识别认定程序",
)
@classify(SCOPED)
def case_act(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    need(request, "monitoring.act")
    case = selectors.case_get(user=request.user, pk=case_id)
    case = services.case_transition(
        case=case,
        action=payload.action,
        actor=api_actor(request),
        reason=payload.reason,
        note=payload.note,
        expected_version=payload.version,
    )
    return _case_out(case, request.user, detail=True)


# ---------------------------------------------------------------- episodes and elimination


@router.get("/episodes", response={200: list[EpisodeOut], 403: ErrorOut}, summary="监测对象（监测记录）列表")
@classify(SCOPED)
def episode_list(request: HttpRequest, status: str = "", offset: int = 0, limit: int = 50) -> Any:
    need(request, "monitoring.view")
    qs = selectors.episode_list(user=request.user, status=status)
    return [_episode_out(e) for e in offset_page(qs, offset, limit)]


@router.get("/episodes/{episode_id}", response={200: EpisodeOut, 404: ErrorOut}, summary="监测记录详情")
@classify(SCOPED)
def episode_detail(request: HttpRequest, episode_id: int) -> Any:
    need(request, "monitoring.view")
    return _episode_out(selectors.episode_get(user=request.user, pk=episode_id))


@router.post(
    "/episodes/{episode_id}/transitions",
    response={200: EpisodeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="回退或撤销纳入（县级）",
)
@classify(SCOPED)
def episode_act(request: HttpRequest, episode_id: int, payload: TransitionIn) -> Any:
    need(request, "monitoring.act")
    episode = selectors.episode_get(user=request.user, pk=episode_id)
    episode = services.episode_transition(
        episode=episode,
        action=payload.action,
        actor=api_actor(request),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _episode_out(episode)


@router.post(
    "/episodes/{episode_id}/eliminations",
    response={201: EliminationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="提出风险消除",
)
@classify(SCOPED)
def elimination_new(request: HttpRequest, episode_id: int, payload: EliminationIn) -> Any:
    need(request, "monitoring.act")
    episode = selectors.episode_get(user=request.user, pk=episode_id)
    case = services.elimination_propose(
        episode=episode,
        mode=payload.mode,
        actor=api_actor(request),
        natural_reason=payload.natural_reason,
        justification=payload.justification,
        continuing_measures=payload.continuing_measures,
        exception_request=payload.exception_request,
    )
    return Status(201, _elimination_out(case, request.user))


@router.get(
    "/eliminations/{case_id}",
    response={200: EliminationOut, 404: ErrorOut},
    summary="风险消除程序详情（含不符合条件的全部理由）",
)
@classify(SCOPED)
def elimination_detail(request: HttpRequest, case_id: int) -> Any:
    need(request, "monitoring.view")
    return _elimination_out(selectors.elimination_get(user=request.user, pk=case_id), request.user)


@router.post(
    "/eliminations/{case_id}/transitions",
    response={200: EliminationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="办理风险消除程序",
)
@classify(SCOPED)
def elimination_act(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    need(request, "monitoring.act")
    case = selectors.elimination_get(user=request.user, pk=case_id)
    case = services.elimination_transition(
        case=case,
        action=payload.action,
        actor=api_actor(request),
        reason=payload.reason or payload.note,
        expected_version=payload.version,
    )
    return _elimination_out(case, request.user)


# ---------------------------------------------------------------- notices and objections


class NoticeOut(Schema):
    id: int
    kind: str
    subject: str
    village_code: str
    title: str
    body: str
    items: list[dict]
    posted_on: date
    ends_on: date
    ends_provisional: bool = Field(False, description=PROVISIONAL)
    min_days: int
    day_unit: str
    identification_case_id: int | None
    elimination_case_id: int | None


class ObjectionIn(Schema):
    content: str
    raised_by_name: str = ""
    raised_by_phone: str = ""


class ObjectionDecisionIn(Schema):
    upheld: bool
    result: str
    version: int | None = Field(None, description="案件版本号（异议成立时退回核实，用于并发检查）")


class ObjectionOut(Schema):
    id: int
    notice_id: int
    received_on: date
    content: str
    raised_by_name: str
    raised_by_phone_masked: str
    status: str
    result: str


def _notice_out(n: Any) -> dict[str, Any]:
    return {f: getattr(n, f) for f in NoticeOut.model_fields}


def _objection_out(o: Any) -> dict[str, Any]:
    out = {f: getattr(o, f) for f in ObjectionOut.model_fields}
    out["content"], out["result"] = mask_text(o.content), mask_text(o.result)
    return out


@router.get("/notices", response={200: list[NoticeOut], 403: ErrorOut}, summary="公示公告列表（已脱敏）")
@classify(SCOPED)
def notice_list(request: HttpRequest, offset: int = 0, limit: int = 50) -> Any:
    need(request, "monitoring.view")
    qs = selectors.notice_list(user=request.user)
    return [_notice_out(n) for n in offset_page(qs, offset, limit)]


@router.get("/notices/{notice_id}", response={200: NoticeOut, 404: ErrorOut}, summary="公示公告详情（已脱敏）")
@classify(SCOPED)
def notice_detail(request: HttpRequest, notice_id: int) -> Any:
    need(request, "monitoring.view")
    return _notice_out(selectors.notice_get(user=request.user, pk=notice_id))


@router.post(
    "/notices/{notice_id}/objections",
    response={201: ObjectionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="登记公示期异议",
)
@classify(SCOPED)
def objection_new(request: HttpRequest, notice_id: int, payload: ObjectionIn) -> Any:
    need(request, "monitoring.act")
    notice = selectors.notice_get(user=request.user, pk=notice_id)
    objection = services.objection_record(
        notice=notice,
        content=payload.content,
        actor=api_actor(request),
        raised_by_name=payload.raised_by_name,
        raised_by_phone=payload.raised_by_phone,
    )
    return Status(201, _objection_out(objection))


@router.post(
    "/objections/{objection_id}/decision",
    response={200: ObjectionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="处理异议（成立则退回核实）",
)
@classify(SCOPED)
def objection_decide(request: HttpRequest, objection_id: int, payload: ObjectionDecisionIn) -> Any:
    need(request, "monitoring.act")
    objection = selectors.objection_get(user=request.user, pk=objection_id)
    objection = services.objection_handle(
        objection=objection,
        upheld=payload.upheld,
        result=payload.result,
        actor=api_actor(request),
        expected_version=payload.version,
    )
    return _objection_out(objection)
