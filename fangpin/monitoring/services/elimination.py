"""Risk elimination (风险消除程序), mirroring identification, with the guards
of §4.5 listing every failing reason; a county override needs a written
reason and is audited. [DOMAIN §2.13, §3.4, §4.5]"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from fangpin.assistance import catalogue
from fangpin.assistance import rules as arules
from fangpin.assistance.models import AssistanceMeasure
from fangpin.core.actor import Actor
from fangpin.core.errors import Conflict, InvalidInput, TransitionRefused
from fangpin.monitoring import rules, workflow
from fangpin.monitoring.choices import CaseStatus, ClueStatus, EliminationMode, EpisodeStatus, NoticeKind
from fangpin.monitoring.models import EliminationCase, IdentificationCase, MonitoringEpisode, RiskClue
from fangpin.monitoring.selectors import natural_reasons
from fangpin.monitoring.services.common import (
    add_limit,
    check_reason,
    lock,
    move_and_save,
    new_code,
    param,
    record_event,
    require_in_area,
    role_of,
    time_limit,
    today,
)
from fangpin.monitoring.services.episodes import episode_follow_up_until, episode_transition
from fangpin.monitoring.services.notices import notice_post, notice_problems
from fangpin.monitoring.services.quality_guard import AsEliminated, require_no_blocking_problems
from fangpin.policy.selectors import monitoring_income_line
from fangpin.registry.choices import LabourCapacity, PersonStatus
from fangpin.registry.figures import member_without_basic_medical_insurance
from fangpin.registry.models import IncomeSnapshot, Person

NO_LABOUR = {LabourCapacity.NONE, LabourCapacity.LOST}


def elimination_facts(
    *, episode: MonitoringEpisode, mode: str, on: date, natural_reason: str = "", justification: str = ""
) -> rules.EliminationFacts:
    """Gather the inputs of the §4.5 guards from the registry and the episode."""
    snapshots = list(IncomeSnapshot.objects.filter(household_id=episode.household_id).order_by("window_end", "id"))
    lines: dict[date, object] = {}
    points = []
    for s in snapshots:
        if s.window_end not in lines:
            lines[s.window_end] = monitoring_income_line(area=episode.village, on=s.window_end)
        points.append(rules.IncomePoint(on=s.window_end, per_capita=s.per_capita_net_income, line=lines[s.window_end]))
    latest = snapshots[-1] if snapshots else None
    members = Person.objects.filter(household_id=episode.household_id, status=PersonStatus.ACTIVE)
    capacities = list(members.values_list("labour_capacity", flat=True))
    area = episode.village
    return rules.EliminationFacts(
        mode=mode,
        today=on,
        identified_on=episode.identified_on,
        risk_types=list(episode.risk_types),
        covered_risk_types=_covered_risk_types(episode, area=area, on=on),
        income_points=points,
        house_unsafe=latest.house_unsafe if latest else None,
        water_unsafe=latest.water_unsafe if latest else None,
        child_out_of_school=latest.child_out_of_school if latest else None,
        # From the members' own insurance fields, as the household page shows them (§2.5, §4.6.2).
        member_without_medical_insurance=member_without_basic_medical_insurance(episode.household_id),
        whole_household_without_labour=bool(capacities) and all(c in NO_LABOUR for c in capacities),
        min_months=int(param("elimination_min_months", area=area, on=on)),
        stable_months=int(param("income_stable_months", area=area, on=on)),
        natural_reason=natural_reason,
        justification=justification,
        latest_net_income=latest.net_income if latest else None,
        latest_out_of_pocket=latest.eligible_out_of_pocket if latest else None,
        rigid_spending_max_share=Decimal(str(param("elimination_rigid_spending_max_share", area=area, on=on))),
        open_risks=open_risks(episode),
    )


def _covered_risk_types(episode: MonitoringEpisode, *, area: object, on: date) -> list[str]:
    """R-EL-3: the risk types the implemented measures cover by the county's risk ↔
    measure table in force today; an episode whose measures were recorded only
    as a summary (episode_record_measures, no measure rows) keeps that summary."""
    implemented = set(
        AssistanceMeasure.objects.filter(plan__episode=episode, implemented_on__isnull=False).values_list(
            "category", flat=True
        )
    )
    if not implemented:
        return list(episode.covered_risk_types)
    table = catalogue.risk_coverage(area=area, on=on)
    return arules.covered_risk_types(episode.risk_types, implemented, table)


def open_risks(episode: MonitoringEpisode) -> list[str]:
    """The household's risk signals still being handled: clues not closed and
    identification cases not finished (other than the one that opened this
    episode). [§4.5.1 item 5 "no new risk"]"""
    clues = RiskClue.objects.filter(household_id=episode.household_id).exclude(status=ClueStatus.CLOSED)
    cases = (
        IdentificationCase.objects.filter(household_id=episode.household_id)
        .exclude(status__in=[CaseStatus.MONITORED, CaseStatus.REJECTED])
        .exclude(episode_id=episode.pk)
    )
    return [
        *(f"风险线索{c.tracking_code}（{c.get_status_display()}）" for c in clues.order_by("id")),
        *(f"识别认定程序{c.case_no}（{c.get_status_display()}）" for c in cases.order_by("id")),
    ]


def elimination_check(
    *, episode: MonitoringEpisode, mode: str, natural_reason: str = "", justification: str = "", on: date | None = None
) -> list[str]:
    """Every reason the elimination may not proceed today ([] = may)."""
    facts = elimination_facts(
        episode=episode, mode=mode, on=on or today(), natural_reason=natural_reason, justification=justification
    )
    return rules.elimination_refusals(facts)


def elimination_propose(
    *,
    episode: MonitoringEpisode,
    mode: str,
    actor: Actor,
    natural_reason: str = "",
    justification: str = "",
    continuing_measures: str = "",
    exception_request: str = "",
) -> EliminationCase:
    """The village proposes. A proposal failing the §4.5 guards (the same as home
    verification) is refused listing every reason, before any clock starts,
    unless the proposer asks the county for an exception with a written reason
    (`exception_request`): the case is then opened, the failures stored, and
    verification still waits for the county's override. [§3.4]"""
    role = role_of(actor)
    require_in_area(actor, episode.village, episode.household)
    if role not in workflow.VILLAGE | workflow.TOWNSHIP:
        raise TransitionRefused("风险消除由村提出（乡镇可代为提出）。")
    if mode not in EliminationMode.values:
        raise InvalidInput("消除方式：请选择帮扶消除或自然消除")
    on = today()
    if mode == EliminationMode.NATURAL:
        _check_natural_reason(episode, natural_reason, justification, on)
    if episode.status != EpisodeStatus.MONITORED:
        raise TransitionRefused(f"监测状态为“{episode.get_status_display()}”，不能提出风险消除。")
    exception_request = (exception_request or "").strip()
    failures = elimination_check(
        episode=episode, mode=mode, natural_reason=natural_reason, justification=justification, on=on
    )
    if failures and not exception_request:
        raise TransitionRefused(
            "不符合风险消除条件，不能提出风险消除（确有特殊情况的，请填写申请县级特批的理由）：", reasons=failures
        )
    due = add_limit(on, time_limit("elimination_time_limit", area=episode.village, on=on), area=episode.village)
    with transaction.atomic():
        case = EliminationCase(
            case_no=new_code("XC", 8),
            episode=episode,
            household_id=episode.household_id,
            village=episode.village,
            village_code=episode.village_code,
            mode=mode,
            natural_reason=natural_reason if mode == EliminationMode.NATURAL else "",
            justification=(justification or "").strip(),
            continuing_measures=(continuing_measures or "").strip(),
            proposed_on=on,
            deadline_on=due.on,
            deadline_provisional=due.provisional,
            step_started_on=on,
            guard_failures=failures,
            created_by=actor.user,
        )
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError as exc:
            raise Conflict("该监测记录已有正在办理的风险消除程序。") from exc
        record_event(
            machine="elimination",
            obj=case,
            action="create",
            from_state="",
            to_state=case.status,
            actor=actor,
            reason=exception_request if failures else "",
            payload={"guard_failures": case.guard_failures, "exception_requested": bool(failures)},
            title=f"风险消除 {case.case_no}：待入户核实",
            url=reverse("monitoring:elimination-detail", args=[case.pk]),
        )
    return case


def _check_natural_reason(episode: MonitoringEpisode, code: str, justification: str, on: date) -> None:
    """A code of the list in force for the village, not retired, with a written justification. [§4.5.5]"""
    entries = {e.code: e for e in natural_reasons(area=episode.village, on=on)}
    entry = entries.get(code)
    if entry is None:
        raise InvalidInput("自然消除原因：请从代码表中选择原因")
    if entry.retired:
        raise InvalidInput(f"自然消除原因“{entry.label}”已停用，请选择其他原因")
    if not (justification or "").strip():
        raise InvalidInput("情况说明：自然消除须填写情况说明")


def elimination_transition(
    *,
    case: EliminationCase,
    action: str,
    actor: Actor,
    reason: str = "",
    expected_version: int | None = None,
) -> EliminationCase:
    """Move an elimination case through ELIMINATION_TRANSITIONS; the guards
    refuse listing ALL failing reasons unless the county overrode them. [§4.5]"""
    role = role_of(actor)
    require_in_area(actor, case.village, case.household)
    on = today()
    with transaction.atomic():
        locked = lock(EliminationCase, case.pk, expected_version)
        row = workflow.transition_for("elimination", state=locked.status, action=action, role=role)
        reason = check_reason(row, reason)
        fields: list[str] = []
        guards = workflow.guards_of(row)
        if "elimination_guards" in guards:
            failures = elimination_check(
                episode=locked.episode,
                mode=locked.mode,
                natural_reason=locked.natural_reason,
                justification=locked.justification,
                on=on,
            )
            locked.guard_failures = failures
            fields.append("guard_failures")
            if failures and not locked.override_reason:
                raise TransitionRefused("不符合风险消除条件：", reasons=failures)
        elif "notice_complete" in guards:
            problems = notice_problems(locked, on)
            if problems:
                raise TransitionRefused("尚不能进入下一环节：" + "；".join(problems), reasons=problems)
        if "dq_blocking" in guards:  # the county's own data-quality rules; the override does not lift them
            require_no_blocking_problems(
                household=locked.household,
                episode_id=locked.episode_id,
                actor=actor,
                on=on,
                as_eliminated=AsEliminated(
                    episode_id=locked.episode_id,
                    mode=locked.mode,
                    on=on,
                    income=income_at_elimination(locked.household_id),
                ),
            )
        fields += _apply(locked, action, reason=reason, on=on, actor=actor)
        from_state = move_and_save(locked, target=row.target, on=on, fields=fields)
        record_event(
            machine="elimination",
            obj=locked,
            action=action,
            from_state=from_state,
            to_state=locked.status,
            actor=actor,
            reason=reason,
            payload={"override": bool(locked.override_reason)} if action == "override_guards" else {},
            title=f"风险消除 {locked.case_no}：{workflow.ACTION_LABELS[action]}",
            url=reverse("monitoring:elimination-detail", args=[locked.pk]),
        )
    return locked


def income_at_elimination(household_id: int) -> Decimal | None:
    """The per-capita net income recorded as the elimination's: the latest snapshot
    (the same value the county-approval checks judge beforehand)."""
    snapshot = IncomeSnapshot.objects.filter(household_id=household_id).order_by("-window_end", "-id").first()
    return snapshot.per_capita_net_income if snapshot else None


def _apply(case: EliminationCase, action: str, *, reason: str, on: date, actor: Actor) -> list[str]:
    if action == "override_guards":
        case.override_reason, case.override_by, case.override_at = reason, actor.user, timezone.now()
        return ["override_reason", "override_by", "override_at"]
    if action == "verify":
        case.home_verified_on = on
        return ["home_verified_on"]
    if action == "appraise":
        case.appraised_on = on
        return ["appraised_on"]
    if action == "post_notice":
        notice_post(case=case, kind=NoticeKind.VILLAGE_NOTICE, actor=actor, posted_on=on)
        return []
    if action == "uphold_objection":
        case.appraised_on = None
        return ["appraised_on"]
    if action == "review":
        case.township_reviewed_on = on
        return ["township_reviewed_on"]
    if action == "approve":
        case.county_approved_on = on
        return ["county_approved_on"]
    if action == "announce":
        case.announced_on = on
        notice_post(case=case, kind=NoticeKind.ANNOUNCEMENT, actor=actor, posted_on=on)
        return ["announced_on"]
    if action == "flag":
        case.flagged_on = on
        episode = case.episode
        episode_transition(
            episode=episode,
            action="eliminate",
            actor=actor,
            internal=True,
            changes={
                "eliminated_on": on,
                "elimination_mode": case.mode,
                "follow_up_until": episode_follow_up_until(episode=episode, eliminated_on=on),
                "income_at_elimination": income_at_elimination(case.household_id),
            },
        )
        return ["flagged_on"]
    if action == "reject":
        case.closed_reason = reason
        return ["closed_reason"]
    return []
