"""Monitoring episodes: the household's monitoring status. [DOMAIN §2.8, §3.3, §3.5]"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse

from fangpin.core.actor import Actor
from fangpin.core.errors import Forbidden, InvalidInput, TransitionRefused
from fangpin.engine.machine import Guard, Machine, register
from fangpin.engine.service import Step, transition
from fangpin.monitoring import rules, workflow
from fangpin.monitoring.choices import EpisodeStatus, MonitoringCategory
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.monitoring.services.common import (
    bump,
    lock,
    param,
    record_event,
    require_in_area,
    role_of,
    today,
)


def _follow_up_over(step: Step) -> list[str]:
    until = step.obj.follow_up_until
    return [] if until is not None and step.on >= until else [f"跟踪期至{until}，尚未期满。"]


def _apply_changes(step: Step) -> list[str]:
    """The facts the calling service decided (the elimination's date and mode, the identification date)."""
    changes = dict(step.inputs.get("changes") or {})
    for key, value in changes.items():
        setattr(step.obj, key, value)
    return list(changes)


def _reverse(step: Step) -> list[str]:
    episode = step.obj
    episode.reversal_history = [
        *episode.reversal_history,
        {"on": str(step.on), "eliminated_on": str(episode.eliminated_on or ""), "reason": step.reason},
    ]
    episode.eliminated_on, episode.elimination_mode, episode.follow_up_until = None, "", None
    return ["reversal_history", "eliminated_on", "elimination_mode", "follow_up_until"]


EPISODE = register(
    Machine(
        name="episode",
        label="监测记录",
        rows=workflow.EPISODE_TRANSITIONS,
        action_labels=workflow.ACTION_LABELS,
        model=MonitoringEpisode,
        states=tuple(EpisodeStatus.values),
        guards={"follow_up_over": Guard(_follow_up_over, list_reasons=False)},
        effects={"apply_changes": _apply_changes, "reverse": _reverse},
        scope=lambda episode: (episode.village, episode.household),
        title=lambda episode, action: f"监测记录：{workflow.ACTION_LABELS[action]}",
        url=lambda episode: reverse("monitoring:episode-detail", args=[episode.pk]),
        today=today,
    )
)


def episode_transition(
    *,
    episode: MonitoringEpisode,
    action: str,
    actor: Actor,
    reason: str = "",
    internal: bool = False,
    expected_version: int | None = None,
    on: date | None = None,
    changes: dict[str, Any] | None = None,
) -> MonitoringEpisode:
    """Move an episode through its table (the engine). SYSTEM rows are fired only by other
    services (`internal=True`): an approved elimination, a completed identification."""
    locked: MonitoringEpisode = transition(
        machine=EPISODE,
        obj=episode,
        action=action,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        inputs={"changes": changes or {}},
        internal=internal,
        on=on,
    )
    episode.status, episode.version = locked.status, locked.version
    return locked


def episode_follow_up_sweep(*, on: date | None = None, actor: Actor | None = None) -> int:
    """End the follow-up of every eliminated episode whose period has passed. [§3.5]"""
    on = on or today()
    actor = actor or Actor.system()
    due = MonitoringEpisode.objects.filter(status=EpisodeStatus.ELIMINATED, follow_up_until__lte=on)
    count = 0
    for episode in due.iterator():
        episode_transition(episode=episode, action="end_follow_up", actor=actor, internal=True, on=on)
        count += 1
    return count


def episode_follow_up_until(*, episode: MonitoringEpisode, eliminated_on: date) -> date:
    months = int(param("post_elimination_follow_up_months", area=episode.village, on=eliminated_on))
    return rules.follow_up_until(eliminated_on=eliminated_on, months=months)


EDITABLE = ("category", "risk_types", "disaster_subtype", "monitoring_contact_name", "monitoring_contact_phone")
OPEN_FOR_EDIT = (EpisodeStatus.GREEN_CHANNEL, EpisodeStatus.MONITORED)


def episode_update(
    *,
    episode: MonitoringEpisode,
    actor: Actor,
    changes: dict[str, Any],
    reason: str,
    expected_version: int | None = None,
) -> MonitoringEpisode:
    """Change the category, risk types (1–5, disaster subtype) or monitoring
    contact of an open episode: the village proposes, the township (or county)
    confirms here, with a reason; audited. [DOMAIN §3.3 attribute change, UNCLEAR]"""
    role = role_of(actor)
    require_in_area(actor, episode.village, episode.household)
    if role not in {"township_staff", "county_staff", "county_admin"}:
        raise Forbidden("监测对象类别和风险类型的变更由乡镇（或县级）确认。")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput("不能修改：" + "、".join(sorted(unknown)))
    if not (reason or "").strip():
        raise InvalidInput("理由：变更监测信息须填写理由。")
    with transaction.atomic():
        locked = lock(MonitoringEpisode, episode.pk, expected_version)
        if locked.status not in OPEN_FOR_EDIT:
            raise TransitionRefused(f"监测状态为“{locked.get_status_display()}”，不能修改。")
        new = {f: changes.get(f, getattr(locked, f)) for f in EDITABLE}
        if "natural_disaster" not in new["risk_types"]:
            new["disaster_subtype"] = ""
        problems = rules.risk_type_problems(list(new["risk_types"]), new["disaster_subtype"])
        if new["category"] not in MonitoringCategory.values:
            problems.append("监测对象类别：无效的取值")
        if problems:
            raise InvalidInput("监测信息有误：" + "；".join(problems), reasons=problems)
        before = {f: getattr(locked, f) for f in EDITABLE}
        changed = [f for f in EDITABLE if before[f] != new[f]]
        for f in changed:
            setattr(locked, f, new[f])
        bump(locked, changed)
        record_event(
            machine="episode",
            obj=locked,
            action="update",
            from_state=locked.status,
            to_state=locked.status,
            actor=actor,
            reason=reason.strip(),
            payload={f: [before[f], new[f]] for f in changed if "phone" not in f},
            notify=False,
            audit_changes={f: [before[f], new[f]] for f in changed},
        )
    return locked
