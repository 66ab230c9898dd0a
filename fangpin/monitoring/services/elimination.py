"""Risk elimination (风险消除程序), mirroring identification, with the guards
of §4.5 listing every failing reason; a county override needs a written
reason and is audited. [DOMAIN §2.13, §3.4, §4.5]"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from fangpin.core.actor import Actor
from fangpin.core.errors import Conflict, InvalidInput, TransitionRefused
from fangpin.engine.machine import Deadline, Guard, Machine, register
from fangpin.engine.service import Step, transition
from fangpin.monitoring import rules, workflow
from fangpin.monitoring.choices import (
    CaseStatus,
    ClueStatus,
    EliminationMode,
    EliminationStatus,
    EpisodeStatus,
)
from fangpin.monitoring.models import (
    CLOSED_ELIMINATION_STATUSES,
    EliminationCase,
    IdentificationCase,
    MonitoringEpisode,
    RiskClue,
)
from fangpin.monitoring.selectors import natural_reasons
from fangpin.monitoring.services.common import (
    add_limit,
    new_code,
    param,
    record_event,
    require_in_area,
    role_of,
    time_limit,
    today,
)
from fangpin.monitoring.services.episodes import episode_follow_up_until, episode_transition
from fangpin.monitoring.services.notices import notice_problems, post_announcement, post_village_notice
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
    lines: dict[date, Decimal] = {}
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


# Who knows the measures: assistance, the app above, fills this from its AppConfig.ready()
# (monitoring never imports it). (episode, area, on) -> the covered risk types, or None when
# the episode has no implemented measure rows.
CoverageProvider = Callable[[MonitoringEpisode, Any, date], "list[str] | None"]
COVERAGE_PROVIDERS: list[CoverageProvider] = []


def _covered_risk_types(episode: MonitoringEpisode, *, area: object, on: date) -> list[str]:
    """R-EL-3: the risk types the implemented measures cover by the county's risk ↔
    measure table in force today (the provider's answer); an episode whose measures were
    recorded only as a summary (episode_record_measures, no measure rows) keeps that summary."""
    for provider in COVERAGE_PROVIDERS:
        covered = provider(episode, area, on)
        if covered is not None:
            return covered
    return list(episode.covered_risk_types)


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


def income_at_elimination(household_id: int) -> Decimal | None:
    """The per-capita net income recorded as the elimination's: the latest snapshot
    (the same value the county-approval checks judge beforehand)."""
    snapshot = IncomeSnapshot.objects.filter(household_id=household_id).order_by("-window_end", "-id").first()
    return snapshot.per_capita_net_income if snapshot else None


def _elimination_guards(step: Step) -> list[str]:
    """§4.5: every failing reason, stored on the case; a county override lets it pass."""
    case = step.obj
    failures = elimination_check(
        episode=case.episode,
        mode=case.mode,
        natural_reason=case.natural_reason,
        justification=case.justification,
        on=step.on,
    )
    case.guard_failures = failures
    step.changed.append("guard_failures")
    return [] if case.override_reason else failures


def _dq_blocking(step: Step) -> list[str]:
    """The county's own data-quality rules; the override does not lift them."""
    case, on = step.obj, step.on
    require_no_blocking_problems(
        household=case.household,
        episode_id=case.episode_id,
        actor=step.actor,
        on=on,
        as_eliminated=AsEliminated(
            episode_id=case.episode_id, mode=case.mode, on=on, income=income_at_elimination(case.household_id)
        ),
    )
    return []


def _override(step: Step) -> list[str]:
    case = step.obj
    case.override_reason, case.override_by = step.reason, step.actor.user
    step.payload["override"] = True
    return ["override_reason", "override_by"]


def _reopen_appraisal(step: Step) -> list[str]:
    step.obj.appraised_on = None
    return ["appraised_on"]


def _eliminate_episode(step: Step) -> list[str]:
    case, on = step.obj, step.on
    episode = case.episode
    episode_transition(
        episode=episode,
        action="eliminate",
        actor=step.actor,
        internal=True,
        changes={
            "eliminated_on": on,
            "elimination_mode": case.mode,
            "follow_up_until": episode_follow_up_until(episode=episode, eliminated_on=on),
            "income_at_elimination": income_at_elimination(case.household_id),
        },
    )
    return []


def _close(step: Step) -> list[str]:
    step.obj.closed_reason = step.reason
    return ["closed_reason"]


ELIMINATION = register(
    Machine(
        name="elimination",
        label="风险消除",
        rows=workflow.ELIMINATION_TRANSITIONS,
        action_labels=workflow.ACTION_LABELS,
        model=EliminationCase,
        states=tuple(EliminationStatus.values),
        closed=frozenset(CLOSED_ELIMINATION_STATUSES),
        guards={
            "elimination_guards": Guard(_elimination_guards, heading="不符合风险消除条件：", join=False),
            "notice_complete": Guard(lambda step: notice_problems(step.obj, step.on), heading="尚不能进入下一环节："),
            "dq_blocking": Guard(_dq_blocking),
        },
        effects={
            "override": _override,
            "post_village_notice": post_village_notice,
            "post_announcement": post_announcement,
            "reopen_appraisal": _reopen_appraisal,
            "eliminate_episode": _eliminate_episode,
            "close": _close,
        },
        deadlines=(
            Deadline(
                "deadline",
                "办结时限",
                "elimination_time_limit",
                start="proposed_on",
                due="deadline_on",
                provisional_field="deadline_provisional",
            ),
        ),
        reference=lambda case: str(case.case_no),
        prefetch=("notices",),
        scope=lambda case: (case.village, case.household),
        title=lambda case, action: f"风险消除 {case.case_no}：{workflow.ACTION_LABELS[action]}",
        url=lambda case: reverse("monitoring:elimination-detail", args=[case.pk]),
        step_field="step_started_on",
        today=today,
    )
)


def elimination_transition(
    *,
    case: EliminationCase,
    action: str,
    actor: Actor,
    reason: str = "",
    expected_version: int | None = None,
) -> EliminationCase:
    """Move an elimination case through ELIMINATION_TRANSITIONS (the engine); the guards
    refuse listing ALL failing reasons unless the county overrode them. [§4.5]"""
    locked: EliminationCase = transition(
        machine=ELIMINATION, obj=case, action=action, actor=actor, reason=reason, expected_version=expected_version
    )
    return locked
