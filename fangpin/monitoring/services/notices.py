"""Village notices (公示) and announcements (公告) with masked data, and
objections during the window. [DOMAIN §2.10, R-ID-3]"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import InvalidInput, TransitionRefused
from fangpin.core.models import AuditAction
from fangpin.engine.service import Step, transition
from fangpin.monitoring import rules
from fangpin.monitoring.choices import MonitoringCategory, NoticeKind, NoticeSubject, ObjectionStatus
from fangpin.monitoring.models import EliminationCase, IdentificationCase, Objection, PublicNotice
from fangpin.monitoring.services.common import param, record_event, require_in_area, role_of, today
from fangpin.policy.selectors import work_calendar

NOTICE_TEXT = {
    (NoticeSubject.IDENTIFICATION, NoticeKind.VILLAGE_NOTICE): (
        "{village}防返贫监测对象识别民主评议结果公示",
        "经农户申请、入户核实、信息比对和村民主评议，拟将下列农户纳入防止返贫监测对象。"
        "现予公示，公示期自{start}至{end}。如有异议，请在公示期内向村委会或乡镇人民政府提出。",
    ),
    (NoticeSubject.IDENTIFICATION, NoticeKind.ANNOUNCEMENT): (
        "{village}防返贫监测对象识别认定结果公告",
        "经村级公示、乡镇审核、县级审定，下列农户纳入防止返贫监测对象，特此公告。",
    ),
    (NoticeSubject.ELIMINATION, NoticeKind.VILLAGE_NOTICE): (
        "{village}防返贫监测对象风险消除民主评议结果公示",
        "经入户核实和村民主评议，拟对下列监测对象标注风险消除。现予公示，公示期自{start}至{end}。"
        "如有异议，请在公示期内向村委会或乡镇人民政府提出。",
    ),
    (NoticeSubject.ELIMINATION, NoticeKind.ANNOUNCEMENT): (
        "{village}防返贫监测对象风险消除结果公告",
        "经村级公示、乡镇审核、县级审定，下列监测对象风险已消除，特此公告。",
    ),
}


def _items(case: IdentificationCase | EliminationCase) -> list[dict[str, Any]]:
    """Only the allowed fields, masked: name, village, category, risk types, size."""
    household = case.household
    head = household.head
    category = getattr(case, "category", "") or getattr(getattr(case, "episode", None), "category", "")
    risks = list(getattr(case, "risk_types", None) or getattr(case.episode, "risk_types", []))
    return [
        {
            "name": rules.mask_name(head.name if head else ""),
            "village": case.village.name,
            "size": len(household.active_members),
            "category": str(MonitoringCategory(category).label) if category else "",
            "risk_types": "、".join(rules.RISK_LABELS.get(r, r) for r in risks),
        }
    ]


def notice_post(
    *, case: IdentificationCase | EliminationCase, kind: NoticeKind, actor: Actor, posted_on: date | None = None
) -> PublicNotice:
    """Generate the notice for a case (called inside the case transition)."""
    subject = NoticeSubject.IDENTIFICATION if isinstance(case, IdentificationCase) else NoticeSubject.ELIMINATION
    posted_on = posted_on or today()
    limit = rules.TimeLimit.of(param("notice_min_days", area=case.village, on=posted_on))
    ends = (
        rules.notice_end(posted_on, limit, work_calendar(area=case.village))
        if kind == NoticeKind.VILLAGE_NOTICE
        else rules.Due(posted_on)
    )
    ends_on = ends.on
    title, body = NOTICE_TEXT[(subject, kind)]
    fields = {"village": case.village.full_name, "start": f"{posted_on:%Y年%m月%d日}", "end": f"{ends_on:%Y年%m月%d日}"}
    notice = PublicNotice.objects.create(
        kind=kind,
        subject=subject,
        village=case.village,
        village_code=case.village_code,
        title=title.format(**fields),
        body=body.format(**fields),
        items=_items(case),
        posted_on=posted_on,
        ends_on=ends_on,
        ends_provisional=ends.provisional,
        min_days=limit.value if kind == NoticeKind.VILLAGE_NOTICE else 0,
        day_unit=limit.unit,
        identification_case=case if isinstance(case, IdentificationCase) else None,
        elimination_case=case if isinstance(case, EliminationCase) else None,
        created_by=actor.user,
    )
    record_event(
        machine="notice",
        obj=notice,
        action="post",
        from_state="",
        to_state=kind,
        actor=actor,
        notify=False,
    )
    return notice


def notice_open_window(notice: PublicNotice, on: date) -> bool:
    return notice.kind == NoticeKind.VILLAGE_NOTICE and notice.posted_on <= on <= notice.ends_on


def notice_problems(case: IdentificationCase | EliminationCase, on: date) -> list[str]:
    """Why the notice step is not complete yet (guard `notice_complete`)."""
    notice = case.notices.filter(kind=NoticeKind.VILLAGE_NOTICE).order_by("-posted_on", "-id").first()
    if notice is None:
        return ["尚未发布村级公示"]
    problems = []
    if on <= notice.ends_on:
        problems.append(f"公示期至{notice.ends_on:%Y-%m-%d}，期满后方可审核")
    if notice.objections.filter(status=ObjectionStatus.PENDING).exists():
        problems.append("公示期内收到的异议尚未处理")
    return problems


def objection_record(
    *,
    notice: PublicNotice,
    content: str,
    actor: Actor,
    raised_by_name: str = "",
    raised_by_phone: str = "",
    received_on: date | None = None,
) -> Objection:
    """Record an objection received during the notice window. [R-ID-3]"""
    role_of(actor)
    require_in_area(actor, notice.village)
    received_on = received_on or today()
    if not (content or "").strip():
        raise InvalidInput("异议内容：不能为空")
    if not notice_open_window(notice, received_on):
        raise TransitionRefused(f"只能在公示期内（{notice.posted_on:%Y-%m-%d}至{notice.ends_on:%Y-%m-%d}）登记异议。")
    case = _notice_case(notice)
    with transaction.atomic():
        same = Objection.objects.filter(notice=notice, received_on=received_on, content=content.strip()).first()
        if same is not None:  # a double-clicked submit records one objection
            return same
        objection = Objection.objects.create(
            notice=notice,
            village_code=notice.village_code,
            received_on=received_on,
            content=content.strip(),
            raised_by_name=(raised_by_name or "").strip()[:50],
            raised_by_phone=(raised_by_phone or "").strip()[:20],
            created_by=actor.user,
        )
        record_event(
            machine="identification" if notice.identification_case_id else "elimination",
            obj=case,
            action="objection_received",
            from_state=case.status,
            to_state=case.status,
            actor=actor,
            reason=content.strip()[:500],
            title=f"{case.case_no} 公示期收到异议",
            url=_case_url(case),
        )
    return objection


def _notice_case(notice: PublicNotice) -> IdentificationCase | EliminationCase:
    """The case the notice publishes. notice_post always links one, but both links are nullable
    columns: a notice without a case gets no objection rather than an AttributeError."""
    case = notice.identification_case or notice.elimination_case
    if case is None:
        raise TransitionRefused("该公示未关联识别或消除案件，不能登记异议。")
    return case


def _case_url(case: IdentificationCase | EliminationCase) -> str:
    name = "monitoring:case-detail" if isinstance(case, IdentificationCase) else "monitoring:elimination-detail"
    return reverse(name, args=[case.pk])


def objection_handle(
    *, objection: Objection, upheld: bool, result: str, actor: Actor, expected_version: int | None = None
) -> Objection:
    """Decide an objection; an upheld one sends the case back to verification. [DOMAIN §3.2]"""
    role_of(actor)
    require_in_area(actor, objection.notice.village)
    if not (result or "").strip():
        raise InvalidInput("处理结果：不能为空")
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != ObjectionStatus.PENDING:
            raise TransitionRefused("该异议已处理。")
        locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        locked.result = result.strip()
        locked.handled_by = actor.user
        locked.handled_at = timezone.now()
        locked.save(update_fields=["status", "result", "handled_by", "handled_at"])
        notice = locked.notice
        audit_log(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="monitoring.objection",
            object_id=locked.pk,
            object_label=notice.title,
            area_code=locked.village_code,
            changes={"status": [ObjectionStatus.PENDING, locked.status]},
            reason=locked.result,
        )
        case = notice.identification_case or notice.elimination_case
        if upheld and case is not None:
            # The case's own machine, by name: the notice needs no case module (no import loop).
            transition(
                machine="identification" if notice.identification_case_id else "elimination",
                obj=case,
                action="uphold_objection",
                actor=actor,
                reason=result,
                expected_version=expected_version,
            )
    return locked


def post_village_notice(step: Step) -> list[str]:
    """Effect of a case's `post_notice` row (identification and elimination alike). [R-ID-3]"""
    notice_post(case=step.obj, kind=NoticeKind.VILLAGE_NOTICE, actor=step.actor, posted_on=step.on)
    return []


def post_announcement(step: Step) -> list[str]:
    """Effect of a case's `announce` row: the county's announcement (公告)."""
    notice_post(case=step.obj, kind=NoticeKind.ANNOUNCEMENT, actor=step.actor, posted_on=step.on)
    return []
