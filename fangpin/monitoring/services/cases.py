"""Identification (纳入程序): start from a clue, walk the table, open the
episode. The clock runs from the first clue. [DOMAIN §2.9, §3.2, §4.2]"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.errors import Conflict, InvalidInput, TransitionRefused
from fangpin.engine.machine import Deadline, Guard, Machine, register
from fangpin.engine.service import Step, transition
from fangpin.monitoring import rules, workflow
from fangpin.monitoring.choices import (
    OPEN_EPISODE_STATUSES,
    CaseStatus,
    ClueStatus,
    EpisodeStatus,
    MonitoringCategory,
)
from fangpin.monitoring.models import CLOSED_CASE_STATUSES, IdentificationCase, MonitoringEpisode, RiskClue
from fangpin.monitoring.services.clues import clue_transition
from fangpin.monitoring.services.common import (
    add_limit,
    new_code,
    record_event,
    time_limit,
    today,
)
from fangpin.monitoring.services.episodes import episode_transition
from fangpin.monitoring.services.notices import notice_problems, post_announcement, post_village_notice
from fangpin.monitoring.services.quality_guard import require_no_blocking_problems
from fangpin.policy.selectors import monitoring_income_line
from fangpin.registry.choices import HouseholdType
from fangpin.registry.figures import member_without_basic_medical_insurance
from fangpin.registry.models import Household, IncomeSnapshot


def household_recommendation(*, household: Household, risk_types: list[str], on: date) -> rules.Recommendation:
    """The R-MON-4 checklist for a household from its latest snapshot (advice only):
    the inclusion reference income per capita (R-MON-3, by the county's formula
    and size rule) against the line; insurance from the members themselves."""
    snapshot = IncomeSnapshot.objects.filter(household=household).order_by("-window_end", "-id").first()
    return rules.checklist_recommendation(
        rules.ChecklistInput(
            per_capita_income=snapshot.figures.reference_per_capita if snapshot else None,
            income_label="人均纳入监测收入参考值",
            income_line=monitoring_income_line(area=household.village, on=on),
            house_unsafe=snapshot.house_unsafe if snapshot else None,
            water_unsafe=snapshot.water_unsafe if snapshot else None,
            child_out_of_school=snapshot.child_out_of_school if snapshot else None,
            member_without_medical_insurance=member_without_basic_medical_insurance(household.pk),
            risk_types=risk_types,
            escaped_household=household.household_type == HouseholdType.ESCAPED,
        )
    )


def _case_problems(*, category: str, risk_types: list[str], disaster_subtype: str) -> list[str]:
    problems = rules.risk_type_problems(risk_types, disaster_subtype)
    if category not in MonitoringCategory.values:
        problems.append("监测对象类别：请选择脱贫不稳定户、边缘易致贫户或突发严重困难户")
    return problems


def clue_start_identification(
    *,
    clue: RiskClue,
    actor: Actor,
    category: str,
    risk_types: list[str],
    disaster_subtype: str = "",
    monitoring_contact_name: str = "",
    monitoring_contact_phone: str = "",
    green_channel: bool = False,
    household: Household | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> IdentificationCase:
    """Close the clue as "identification started" (or "green channel") and open
    the case; green channel opens the episode at once so measures may start
    while the paperwork clock keeps running. [R-ID-5, §3.3]"""
    problems = _case_problems(category=category, risk_types=risk_types, disaster_subtype=disaster_subtype)
    if problems:
        raise InvalidInput("识别信息有误：" + "；".join(problems), reasons=problems)
    action = "start_green_channel" if green_channel else "start_identification"
    with transaction.atomic():
        clue = clue_transition(
            clue=clue,
            action=action,
            actor=actor,
            reason=reason,
            feedback=reason or "已启动防返贫监测识别程序",
            household=household,
            expected_version=expected_version,
        )
        if clue.household_id is None:  # (the start guard has refused a clue without a household)
            raise TransitionRefused("请先关联农户（在农户信息库中找到该户）再启动识别程序。")
        household = Household.objects.select_related("village").get(pk=clue.household_id)
        if MonitoringEpisode.objects.filter(household=household, status__in=OPEN_EPISODE_STATUSES).exists():
            raise TransitionRefused("该户已是监测对象，无需再次识别；请以“已是监测对象”办结线索。")
        first_clue = _first_clue_of_round(household)
        started = timezone.localdate((first_clue or clue).received_at)
        limit = time_limit("identification_time_limit", area=household.village, on=started)
        due = add_limit(started, limit, area=household.village)
        case = IdentificationCase(
            case_no=new_code("SB", 8),
            household=household,
            village=household.village,
            village_code=household.village_code,
            category=category,
            risk_types=risk_types,
            disaster_subtype=disaster_subtype if "natural_disaster" in risk_types else "",
            green_channel=green_channel,
            monitoring_contact_name=monitoring_contact_name.strip()[:50],
            monitoring_contact_phone=monitoring_contact_phone.strip()[:20],
            clock_started_on=started,
            deadline_on=due.on,
            deadline_provisional=due.provisional,
            step_started_on=today(),
            recommendation=asdict(household_recommendation(household=household, risk_types=risk_types, on=today())),
            created_by=actor.user,
        )
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError as exc:
            raise Conflict("该户已有正在办理的识别程序。") from exc
        RiskClue.objects.filter(household=household).exclude(status=ClueStatus.CLOSED).update(identification_case=case)
        RiskClue.objects.filter(pk=clue.pk).update(identification_case=case)
        if green_channel:
            case.episode = _open_episode(case, status=EpisodeStatus.GREEN_CHANNEL, actor=actor)
            case.save(update_fields=["episode"])
        record_event(
            machine="identification",
            obj=case,
            action="create",
            from_state="",
            to_state=case.status,
            actor=actor,
            reason=reason,
            payload={"clue": clue.tracking_code, "green_channel": green_channel, "deadline": str(case.deadline_on)},
            title=f"新识别程序 {case.case_no}：请签署承诺授权书",
            url=reverse("monitoring:case-detail", args=[case.pk]),
        )
    return case


def _first_clue_of_round(household: Household) -> RiskClue | None:
    """The first clue since the household's last closed case starts the clock (R-ID-4)."""
    clues = RiskClue.objects.filter(household=household)
    last = (
        IdentificationCase.objects.filter(household=household, status__in=[CaseStatus.MONITORED, CaseStatus.REJECTED])
        .order_by("-updated_at")
        .first()
    )
    if last is not None:
        clues = clues.filter(received_at__gt=last.updated_at)
    return clues.order_by("received_at", "id").first()


def _latest_per_capita(household: Household) -> Any:
    snapshot = IncomeSnapshot.objects.filter(household=household).order_by("-window_end", "-id").first()
    return snapshot.per_capita_net_income if snapshot else None


def _open_episode(case: IdentificationCase, *, status: str, actor: Actor, on: date | None = None) -> MonitoringEpisode:
    previous = (
        MonitoringEpisode.objects.filter(
            household=case.household, status__in=[EpisodeStatus.ELIMINATED, EpisodeStatus.STABLE]
        )
        .order_by("-id")
        .first()
    )
    if previous is not None:
        episode_transition(episode=previous, action="reidentify", actor=actor, internal=True)
    episode = MonitoringEpisode(
        household=case.household,
        village=case.village,
        village_code=case.village_code,
        category=case.category,
        risk_types=case.risk_types,
        disaster_subtype=case.disaster_subtype,
        monitoring_contact_name=case.monitoring_contact_name,
        monitoring_contact_phone=case.monitoring_contact_phone,
        identified_on=on if status == EpisodeStatus.MONITORED else None,
        green_channel=case.green_channel,
        status=status,
        income_at_identification=_latest_per_capita(case.household),
        previous_episode=previous,
    )
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError as exc:
        raise Conflict("该户已有正在进行的监测记录。") from exc
    record_event(
        machine="episode",
        obj=episode,
        action="open",
        from_state="",
        to_state=status,
        actor=actor,
        title=f"新纳入监测：{case.case_no}",
        url=reverse("monitoring:episode-detail", args=[episode.pk]),
    )
    return episode


def _verification_problems(step: Step) -> list[str]:
    case = step.obj
    missing = []
    if not case.consent_signed_on:
        missing.append("尚未签署承诺授权书")
    if not case.home_verified_on:
        missing.append("尚未完成入户核实")
    if not case.info_checked_on:
        missing.append("信息比对结果尚未返回")
    return missing


def _dq_blocking(step: Step) -> list[str]:
    case = step.obj
    require_no_blocking_problems(household=case.household, episode_id=case.episode_id, actor=step.actor, on=step.on)
    return []


NOTE_FIELD = {
    "record_home_verification": "home_verification_note",
    "record_info_check": "info_check_note",
    "appraise": "appraisal_minutes",
}


def _record_note(step: Step) -> list[str]:
    note = str(step.inputs.get("note") or "").strip()
    if not note:
        raise InvalidInput("情况说明：请填写核实情况、比对结果或评议记录。")
    field = NOTE_FIELD[step.row.action]
    setattr(step.obj, field, note)
    return [field]


def _reopen_verification(step: Step) -> list[str]:
    step.obj.home_verified_on, step.obj.appraised_on = None, None
    return ["home_verified_on", "appraised_on"]


def _open_or_complete_episode(step: Step) -> list[str]:
    case, on, actor = step.obj, step.on, step.actor
    if case.episode_id:
        episode_transition(
            episode=case.episode,
            action="complete_identification",
            actor=actor,
            internal=True,
            changes={"identified_on": on},
        )
    else:
        case.episode = _open_episode(case, status=EpisodeStatus.MONITORED, actor=actor, on=on)
    return ["episode"]


def _close(step: Step) -> list[str]:
    case = step.obj
    case.closed_reason = step.reason
    if case.episode_id:
        episode_transition(
            episode=case.episode, action="not_included", actor=step.actor, reason=step.reason, internal=True
        )
    return ["closed_reason"]


def _notice_step_start(case: IdentificationCase) -> date | None:
    """In the notice step the step clock runs from the end of the village notice."""
    if case.status != CaseStatus.NOTICE:
        return None
    notice = next((n for n in case.notices.all() if n.kind == "village_notice"), None)
    return notice.ends_on if notice else None


IDENTIFICATION = register(
    Machine(
        name="identification",
        label="识别认定",
        rows=workflow.CASE_TRANSITIONS,
        action_labels=workflow.ACTION_LABELS,
        model=IdentificationCase,
        states=tuple(CaseStatus.values),
        closed=frozenset(CLOSED_CASE_STATUSES),
        guards={
            "verification_complete": Guard(_verification_problems, heading="尚不能进入下一环节："),
            "notice_complete": Guard(lambda step: notice_problems(step.obj, step.on), heading="尚不能进入下一环节："),
            "dq_blocking": Guard(_dq_blocking),
        },
        effects={
            "record_note": _record_note,
            "post_village_notice": post_village_notice,
            "post_announcement": post_announcement,
            "reopen_verification": _reopen_verification,
            "open_episode": _open_or_complete_episode,
            "close": _close,
        },
        deadlines=(
            Deadline(
                "deadline",
                "办结时限",
                "identification_time_limit",
                start="clock_started_on",
                due="deadline_on",
                provisional_field="deadline_provisional",
                steps="identification_step_limits",  # [R-ID-4] each step's own limit
                step_start=_notice_step_start,
            ),
        ),
        reference=lambda case: str(case.case_no),
        prefetch=("notices",),
        scope=lambda case: (case.village, case.household),
        title=lambda case, action: f"识别程序 {case.case_no}：{workflow.ACTION_LABELS[action]}",
        url=lambda case: reverse("monitoring:case-detail", args=[case.pk]),
        step_field="step_started_on",
        event_reason=lambda step: step.reason or str(step.inputs.get("note") or ""),
        today=today,
    )
)


def case_transition(
    *,
    case: IdentificationCase,
    action: str,
    actor: Actor,
    reason: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> IdentificationCase:
    """Move an identification case through CASE_TRANSITIONS (the engine), with its guards,
    notices and episode; anything not in the table is refused. [DOMAIN §3.2]"""
    return transition(  # type: ignore[no-any-return]
        machine=IDENTIFICATION,
        obj=case,
        action=action,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        inputs={"note": note},
    )
