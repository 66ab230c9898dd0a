"""Recomputing open deadlines when an official holiday schedule changes: each moved clue,
case or running notice gets its new due date and a timeline event. [issue 12]"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.monitoring import rules
from fangpin.monitoring.choices import ClueStatus, NoticeKind
from fangpin.monitoring.models import (
    CLOSED_CASE_STATUSES,
    CLOSED_ELIMINATION_STATUSES,
    EliminationCase,
    IdentificationCase,
    PublicNotice,
    RiskClue,
)
from fangpin.monitoring.services.common import record_event, time_limit, today
from fangpin.policy.events import calendar_changed
from fangpin.policy.selectors import work_calendar

ACTION = "deadline_recomputed"
PROVISIONAL = "（暂按周末推算）"


def _label(due: rules.Due) -> str:
    return f"{due.on:%Y-%m-%d}{PROVISIONAL if due.provisional else ''}"


def _in_area(qs: QuerySet[Any], area: Area | None) -> QuerySet[Any]:
    return qs if area is None else qs.filter(village_code__startswith=area.prefix)


def _touches(qs: QuerySet[Any], start_field: str, due_field: str, years: set[int]) -> QuerySet[Any]:
    """Rows whose counted days, (start, due], may lie in one of the changed years."""
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    return qs.filter(**{f"{start_field}__lte": last, f"{due_field}__gte": first})


def _event(obj: Any, machine: str, changes: list[tuple[str, rules.Due, rules.Due]], actor: Actor) -> None:
    """One timeline event for everything that moved on `obj`."""
    record_event(
        machine=machine,
        obj=obj,
        action=ACTION,
        from_state=obj.status,
        to_state=obj.status,
        actor=actor,
        reason="；".join(
            f"{what}按新录入的放假安排重新计算：原 {_label(old)}，现 {_label(new)}" for what, old, new in changes
        ),
        notify=False,
        audit_changes={what: [_label(old), _label(new)] for what, old, new in changes},
    )


CLUE_DUES = (("受理时限", "clue_accept_limit", "accept_due"), ("核实时限", "clue_verify_limit", "verify_due"))


def _clues(area: Area | None, years: set[int], actor: Actor) -> int:
    open_clues = _in_area(RiskClue.objects.exclude(status=ClueStatus.CLOSED), area)
    moved = 0
    for clue in _touches(open_clues, "received_at__date", "verify_due", years).select_for_update(of=("self",)):
        day = timezone.localdate(clue.received_at)
        calendar = work_calendar(area=clue.village)
        changes, fields = [], []
        for what, key, field in CLUE_DUES:
            old = rules.Due(getattr(clue, field), getattr(clue, f"{field}_provisional"))
            new = rules.add_limit(day, time_limit(key, area=clue.village, on=day), calendar)
            if old.on is not None and new != old:
                setattr(clue, field, new.on)
                setattr(clue, f"{field}_provisional", new.provisional)
                changes.append((what, old, new))
                fields += [field, f"{field}_provisional"]
        if changes:
            clue.save(update_fields=fields)
            _event(clue, "clue", changes, actor)
            moved += 1
    return moved


# machine, model, closed states, start field, time-limit parameter
CASES = (
    ("identification", IdentificationCase, CLOSED_CASE_STATUSES, "clock_started_on", "identification_time_limit"),
    ("elimination", EliminationCase, CLOSED_ELIMINATION_STATUSES, "proposed_on", "elimination_time_limit"),
)


def _cases(area: Area | None, years: set[int], actor: Actor) -> int:
    moved = 0
    for machine, model, closed, start_field, key in CASES:
        moved += _cases_of(machine, model, closed, start_field, key, area=area, years=years, actor=actor)
    return moved


def _cases_of(machine: str, model: Any, closed: Any, start_field: str, key: str, **scope: Any) -> int:
    area, years, actor = scope["area"], scope["years"], scope["actor"]
    qs = _touches(_in_area(model.objects.exclude(status__in=closed), area), start_field, "deadline_on", years)
    moved = 0
    for case in qs.select_related("village").select_for_update(of=("self",)):
        start = getattr(case, start_field)
        old = rules.Due(case.deadline_on, case.deadline_provisional)
        new = rules.add_limit(start, time_limit(key, area=case.village, on=start), work_calendar(area=case.village))
        if new != old:
            case.deadline_on, case.deadline_provisional = new.on, new.provisional
            case.save(update_fields=["deadline_on", "deadline_provisional"])
            _event(case, machine, [("办结时限", old, new)], actor)
            moved += 1
    return moved


def _notices(area: Area | None, years: set[int], actor: Actor) -> int:
    running = PublicNotice.objects.filter(
        kind=NoticeKind.VILLAGE_NOTICE, day_unit=rules.WORKING_DAYS, ends_on__gte=today()
    )
    qs = _touches(_in_area(running, area), "posted_on", "ends_on", years)
    moved = 0
    for notice in qs.select_related("identification_case", "elimination_case").select_for_update(of=("self",)):
        old = rules.Due(notice.ends_on, notice.ends_provisional)
        limit = rules.TimeLimit(notice.min_days, notice.day_unit)
        new = rules.notice_end(notice.posted_on, limit, work_calendar(area=notice.village))
        if new != old:
            notice.ends_on, notice.ends_provisional = new.on, new.provisional
            # The posted text names the window's end ("公示期自…至…"): it moves with it.
            notice.body = notice.body.replace(f"至{old.on:%Y年%m月%d日}", f"至{new.on:%Y年%m月%d日}")
            notice.save(update_fields=["ends_on", "ends_provisional", "body"])
            case = notice.identification_case or notice.elimination_case
            machine = "identification" if notice.identification_case_id else "elimination"
            _event(case, machine, [("公示截止日期", old, new)], actor)
            moved += 1
    return moved


def deadlines_recompute(*, area: Area | None, years: set[int], actor: Actor) -> int:
    """Recompute, in the caller's transaction, the open deadlines of `area` (None = all) that
    count days of `years`, from their start and the limit in force then; one timeline event
    per moved clue or case. [issue 12]"""
    if not years:
        return 0
    return _clues(area, years, actor) + _cases(area, years, actor) + _notices(area, years, actor)


def on_calendar_changed(sender: Any, *, area: Area | None, years: set[int], actor: Actor, **kwargs: Any) -> int:
    """The receiver of policy's calendar_changed: the count of moved clues, cases and notices."""
    return deadlines_recompute(area=area, years=years, actor=actor)


calendar_changed.connect(on_calendar_changed, dispatch_uid="monitoring.deadlines_recompute")
