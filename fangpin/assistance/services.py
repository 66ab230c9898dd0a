"""The only code that writes plans, measures, evidence and visits: one transaction,
a row lock, the workflow table, an audit row. [DOMAIN §2.11, §2.12, §3.6]"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fangpin.assistance import catalogue, rules, workflow
from fangpin.assistance.models import (
    AssistanceMeasure,
    AssistancePlan,
    MeasureEvidence,
    MeasureStatus,
    Visit,
    VisitMode,
    VisitorRole,
)
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log, diff, snapshot
from fangpin.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionRefused
from fangpin.core.models import AuditAction
from fangpin.core.scoping import visible
from fangpin.engine.machine import Machine, register
from fangpin.engine.service import Step, transition
from fangpin.monitoring import services as monitoring_services
from fangpin.monitoring.choices import OPEN_EPISODE_STATUSES, RiskType
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.policy.selectors import policy_get
from fangpin.registry.choices import PersonStatus
from fangpin.registry.models import Household, Person

PLAN_FIELDS = ["risk_analysis", "goals", "contact_name", "contact_phone", "next_review_on"]
MEASURE_FIELDS = [
    "measure_code",
    "category",
    "is_developmental",
    "person_id",
    "responsible_department",
    "start_date",
    "end_date",
    "amount",
    "description",
    "status",
    "implemented_on",
]
# Evidence: scanned forms and photos. Magic bytes, not the client's content type, decide.
EVIDENCE_TYPES = {
    b"%PDF": ("application/pdf", ".pdf"),
    b"\x89PNG": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


def _require(actor: Actor, perm: str) -> None:
    if actor.user is not None and not actor.user.can(perm):
        raise Forbidden()


def _require_scope(actor: Actor, household: Household) -> None:
    if actor.user is not None and not visible(Household.objects.filter(pk=household.pk), actor.user).exists():
        raise NotFound()


def _audit(
    actor: Actor, action: str, obj: Any, household: Household, changes: dict[str, Any], reason: str = ""
) -> None:
    audit_log(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_label=str(obj),
        area_code=household.village_code,
        household_id=household.pk,
        changes=changes,
        reason=reason,
    )


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------- plans


def plan_create(*, actor: Actor, episode: MonitoringEpisode, data: dict[str, Any]) -> AssistancePlan:
    """Open the household plan of a monitoring episode (一户一方案). [R-AS-1]"""
    _require(actor, "assistance.edit")
    household = episode.household
    _require_scope(actor, household)
    clean = _clean_plan(data)
    try:
        with transaction.atomic():
            locked = MonitoringEpisode.objects.select_for_update().get(pk=episode.pk)
            if locked.status not in OPEN_EPISODE_STATUSES:
                raise TransitionRefused("该户的监测记录不在“风险未消除”或“绿色通道”状态，不能新建帮扶计划。")
            if AssistancePlan.objects.filter(episode=locked).exists():
                raise Conflict("该户本次监测已有帮扶计划（一户一方案），请在原计划中添加措施。")
            plan = AssistancePlan.objects.create(household=household, episode=locked, created_by=actor.user, **clean)
            _audit(actor, AuditAction.CREATE, plan, household, snapshot(clean))
    except IntegrityError as exc:
        raise Conflict("该户本次监测已有帮扶计划（一户一方案），请在原计划中添加措施。") from exc
    return plan


def plan_update(*, actor: Actor, plan: AssistancePlan, data: dict[str, Any], expected_version: int) -> AssistancePlan:
    _require(actor, "assistance.edit")
    _require_scope(actor, plan.household)
    clean = _clean_plan(data)
    with transaction.atomic():
        old = {f: getattr(plan, f) for f in PLAN_FIELDS}
        updated = AssistancePlan.objects.filter(pk=plan.pk, version=expected_version).update(
            **clean, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict()
        plan.refresh_from_db()
        _audit(actor, AuditAction.UPDATE, plan, plan.household, diff(old, clean))
    return plan


def _clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {f: data.get(f) for f in PLAN_FIELDS}
    for f in ("risk_analysis", "goals", "contact_name", "contact_phone"):
        clean[f] = (clean[f] or "").strip()
    if len(clean["contact_phone"]) > 20:
        raise InvalidInput("帮扶联系人电话：号码过长。")
    clean["next_review_on"] = _date_or_none(clean["next_review_on"], "下次复核日期")
    return clean


# ---------------------------------------------------------------- measures


def measure_add(*, actor: Actor, plan: AssistancePlan, data: dict[str, Any]) -> AssistanceMeasure:
    """Add a measure for one member or the whole household (一人一措施). [DOMAIN §2.11]"""
    _require(actor, "assistance.edit")
    _require_scope(actor, plan.household)
    clean = _clean_measure(plan, data)
    with transaction.atomic():
        # The plan row lock serialises adds: a double-clicked submit finds the first row.
        AssistancePlan.objects.select_for_update().get(pk=plan.pk)
        duplicate = AssistanceMeasure.objects.filter(
            plan=plan, person_id=clean["person_id"], measure_code=clean["measure_code"], start_date=clean["start_date"]
        ).exclude(status=MeasureStatus.TERMINATED)
        if duplicate.exists():
            raise Conflict("同一成员同一日期开始的同一项措施已经登记，请勿重复提交。")
        measure = AssistanceMeasure.objects.create(plan=plan, household=plan.household, created_by=actor.user, **clean)
        _audit(actor, AuditAction.CREATE, measure, plan.household, snapshot(clean))
    return measure


def _clean_measure(plan: AssistancePlan, data: dict[str, Any]) -> dict[str, Any]:
    code = (data.get("measure_code") or "").strip()
    # The catalogue in force for the household's county (policy parameter measure_catalogue).
    mtype = catalogue.measure_types(area=plan.household.village, on=_today()).get(code)
    if mtype is None:
        raise InvalidInput("帮扶措施：请从帮扶措施目录中选择。")
    if mtype.retired:
        raise InvalidInput(f"帮扶措施：“{mtype.name}”已停用，请选择其他措施。")
    person_id = data.get("person_id") or None
    if person_id is not None:
        ok = Person.objects.filter(pk=person_id, household_id=plan.household_id, status=PersonStatus.ACTIVE).exists()
        if not ok:
            raise InvalidInput("帮扶对象：该成员不是本户在册成员。")
    start = _date_or_none(data.get("start_date"), "开始日期")
    if start is None:
        raise InvalidInput("开始日期：必须填写。")
    end = _date_or_none(data.get("end_date"), "结束日期")
    if end is not None and end < start:
        raise InvalidInput("结束日期：不能早于开始日期。")
    try:
        amount = Decimal(str(data.get("amount") or "0"))
    except InvalidOperation as exc:
        raise InvalidInput("金额：须为数字。") from exc
    if amount < 0 or amount >= Decimal("1e10"):
        raise InvalidInput("金额：须为0到100亿元之间的数字。")
    department = (data.get("responsible_department") or "").strip() or mtype.department
    return {
        "measure_code": code,
        "category": mtype.category,
        "is_developmental": mtype.is_developmental,
        "person_id": int(person_id) if person_id is not None else None,
        "responsible_department": department[:60],
        "start_date": start,
        "end_date": end,
        "amount": amount.quantize(Decimal("0.01")),
        "description": (data.get("description") or "").strip()[:300],
    }


def _authorize(actor: Actor, measure: AssistanceMeasure) -> None:
    _require(actor, "assistance.edit")
    _require_scope(actor, measure.household)


def _status_reason(step: Step) -> list[str]:
    step.obj.status_reason = step.reason[:300]
    return ["status_reason"]


def _implement(step: Step) -> list[str]:
    """The implementation date: the caller's, not in the future nor before the measure starts;
    the episode's covered risk types follow once the row is saved."""
    day = step.inputs.get("on") or _today()
    if day > _today():
        raise InvalidInput("落实日期：不能晚于今天。")
    if day < step.obj.start_date:
        raise InvalidInput("落实日期：不能早于措施开始日期。")
    step.obj.implemented_on = day
    episode = step.obj.plan.episode
    step.after_event.append(lambda event: _sync_episode(episode, step.actor))
    return ["implemented_on"]


MEASURE = register(
    Machine(
        name="measure",
        label="帮扶措施",
        rows=workflow.TRANSITIONS,
        action_labels=workflow.ACTION_LABELS,
        model=AssistanceMeasure,
        states=tuple(MeasureStatus.values),
        effects={"implement": _implement},
        authorize=_authorize,
        prepare=_status_reason,
        village_code=lambda measure: str(measure.household.village_code),
        title=lambda measure, action: f"帮扶措施：{workflow.ACTION_LABELS[action]}",
        notify=False,
        audit_type="assistancemeasure",
        messages={
            "not_in_table": "措施当前状态为“{state}”，不能执行“{action}”。",
            "role": "您的角色不能执行此操作。",
            "reason": "说明：终止措施须写明原因。",
            "conflict": "该措施已被他人处理，请刷新后查看最新状态。",
        },
    )
)


def measure_transition(
    *,
    actor: Actor,
    measure: AssistanceMeasure,
    action: str,
    reason: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> AssistanceMeasure:
    """Move a measure along the table in workflow.py (the engine); refuse anything else. [DOMAIN §3.6]"""
    locked: AssistanceMeasure = transition(
        machine=MEASURE,
        obj=measure,
        action=action,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        inputs={"on": on},
    )
    return locked


def covered_risk_types(episode: MonitoringEpisode, area: Any, on: date) -> list[str] | None:
    """R-EL-3 for the elimination guard: the risk types the implemented measures cover by the
    county's risk ↔ measure table in force on `on`; None when no measure row is implemented."""
    implemented = set(
        AssistanceMeasure.objects.filter(plan__episode=episode, implemented_on__isnull=False).values_list(
            "category", flat=True
        )
    )
    if not implemented:
        return None
    return rules.covered_risk_types(episode.risk_types, implemented, catalogue.risk_coverage(area=area, on=on))


def _sync_episode(episode: MonitoringEpisode, actor: Actor) -> None:
    """Keep the episode's covered risk types and first measure date current (MON-CORE's
    service), by the county's risk ↔ measure table in force (R-EL-3)."""
    table = catalogue.risk_coverage(area=episode.village, on=_today())
    rows = (
        AssistanceMeasure.objects.filter(plan__episode=episode, implemented_on__isnull=False)
        .order_by("implemented_on", "id")
        .values_list("category", "implemented_on", "is_developmental")
    )
    implemented = [
        monitoring_services.ImplementedMeasure(
            category=category,
            implemented_on=day,
            covers=tuple(r for r in episode.risk_types if category in rules.categories_covering(r, table)),
            developmental=developmental,
        )
        for category, day, developmental in rows
        if day is not None  # (the query already excludes them; this tells the type checker)
    ]
    monitoring_services.episode_record_measures(episode=episode, implemented_measures=implemented, actor=actor)


def measure_evidence_add(
    *, actor: Actor, measure: AssistanceMeasure, file_name: str, content: bytes
) -> MeasureEvidence:
    """Store one evidence file (PDF, PNG or JPEG, size-limited) under FANGPIN_VAR_DIR."""
    _require(actor, "assistance.edit")
    _require_scope(actor, measure.household)
    limit_mb = int(policy_get("evidence_max_mb", area=measure.household.village, on=_today()).value)
    if not content:
        raise InvalidInput("佐证材料：文件为空。")
    if len(content) > limit_mb * 1024 * 1024:
        raise InvalidInput(f"佐证材料：文件超过{limit_mb}MB。")
    kind = next((v for magic, v in EVIDENCE_TYPES.items() if content.startswith(magic)), None)
    if kind is None:
        raise InvalidInput("佐证材料：只接受PDF、JPG或PNG文件。")
    content_type, ext = kind
    stored = f"{uuid.uuid4().hex}{ext}"
    root = Path(settings.FANGPIN["EVIDENCE_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    path = root / stored
    path.write_bytes(content)
    try:
        with transaction.atomic():
            AssistanceMeasure.objects.select_for_update().get(pk=measure.pk)
            evidence = MeasureEvidence.objects.create(
                measure=measure,
                file_name=Path(file_name or "file").name[:200],
                stored_name=stored,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=actor.user,
            )
            _audit(actor, AuditAction.CREATE, evidence, measure.household, {"file_name": [None, evidence.file_name]})
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return evidence


def evidence_path(evidence: MeasureEvidence) -> Path:
    return Path(settings.FANGPIN["EVIDENCE_DIR"]) / evidence.stored_name


# ---------------------------------------------------------------- visits

ROLE_TO_VISITOR = {
    "village_cadre": VisitorRole.VILLAGE_CADRE,
    "grid_worker": VisitorRole.GRID_WORKER,
    "township_staff": VisitorRole.TOWNSHIP_CADRE,
    "county_staff": VisitorRole.INSPECTOR,
    "county_admin": VisitorRole.INSPECTOR,
}


def visit_record(*, actor: Actor, household: Household, data: dict[str, Any]) -> Visit:
    """Record a visit (走访); a new-risk finding raises a clue through monitoring. [DOMAIN §2.12, §3.1]"""
    _require(actor, "assistance.visit")
    _require_scope(actor, household)
    clean = _clean_visit(household, data, getattr(actor.user, "role", ""))
    with transaction.atomic():
        # The household row lock serialises a double-clicked submit; the second finds the first.
        Household.objects.select_for_update().get(pk=household.pk)
        same = Visit.objects.filter(
            household=household, visitor=actor.user, visited_on=clean["visited_on"], findings=clean["findings"]
        )
        if same.exists():
            raise Conflict("这次走访已经登记，请勿重复提交。")
        visit = Visit.objects.create(household=household, visitor=actor.user, **clean)
        if visit.new_risk:
            clue = monitoring_services.clue_create(
                actor=_clue_actor(actor),
                source="visit",
                village=household.village,
                household=household,
                summary=visit.findings,
                risk_types=visit.risk_types,
                source_ref=f"visit-{visit.pk}",
            )
            Visit.objects.filter(pk=visit.pk).update(clue=clue)
            visit.clue = clue
        _audit(actor, AuditAction.CREATE, visit, household, snapshot({**clean, "clue_id": visit.clue_id}))
    return visit


def _clue_actor(actor: Actor) -> Actor:
    """Who raises the clue of a visit.  A grid worker's scope is the grid, which the
    village-level clue check does not accept; the visit (already scope-checked and
    audited under the grid worker) raises the clue as the system, keeping the request."""
    if getattr(actor.user, "role", None) != "grid_worker":
        return actor
    return Actor(
        user=None,
        channel=actor.channel,
        request_id=actor.request_id,
        ip=actor.ip,
        extra={"on_behalf_of": actor.user.pk},
    )


def _clean_visit(household: Household, data: dict[str, Any], role: str) -> dict[str, Any]:
    visited_on = _date_or_none(data.get("visited_on"), "走访日期") or _today()
    if visited_on > _today():
        raise InvalidInput("走访日期：不能晚于今天。")
    findings = (data.get("findings") or "").strip()
    if not findings:
        raise InvalidInput("走访情况：必须填写。")
    mode = data.get("mode") or VisitMode.ON_SITE
    if mode not in VisitMode.values:
        raise InvalidInput("走访方式：取值无效。")
    visitor_role = data.get("visitor_role") or ROLE_TO_VISITOR.get(role, VisitorRole.VILLAGE_CADRE)
    if visitor_role not in VisitorRole.values:
        raise InvalidInput("走访人身份：取值无效。")
    risk_types = [r for r in (data.get("risk_types") or []) if r]
    unknown = [r for r in risk_types if r not in RiskType.values]
    if unknown:
        raise InvalidInput("发现的风险类型：取值无效。")
    new_risk = bool(data.get("new_risk"))
    if new_risk and not risk_types:
        raise InvalidInput("发现的风险类型：发现新风险时请至少选择一种风险类型。")
    plan = data.get("plan")
    if plan is not None and plan.household_id != household.pk:
        raise InvalidInput("帮扶计划：不属于该户。")
    return {
        "plan": plan,
        "visitor_role": visitor_role,
        "visited_on": visited_on,
        "mode": mode,
        "findings": findings[:4000],
        "income_changed": bool(data.get("income_changed")),
        "guarantee_problem": bool(data.get("guarantee_problem")),
        "water_problem": bool(data.get("water_problem")),
        "new_risk": new_risk,
        "risk_types": risk_types[:5],
        "household_signed": bool(data.get("household_signed")),
    }


def _date_or_none(value: Any, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{label}：日期格式应为 年-月-日（如 2026-03-01）。") from exc
