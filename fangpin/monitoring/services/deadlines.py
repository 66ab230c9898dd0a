"""Recomputing open deadlines when an official holiday schedule changes: the engine recounts
every machine's declared deadlines (clues, cases, and any machine registered later); the
running village notices (not a machine) get their new end here. One timeline event per moved
object. [issue 12]"""

from __future__ import annotations

from typing import Any

from fangpin.areas.models import Area
from fangpin.core.actor import Actor
from fangpin.engine import deadlines as engine_deadlines
from fangpin.engine.deadlines import in_area, moved_event, touches
from fangpin.monitoring import rules
from fangpin.monitoring.choices import NoticeKind
from fangpin.monitoring.models import PublicNotice
from fangpin.monitoring.services.common import today
from fangpin.policy.events import calendar_changed
from fangpin.policy.selectors import work_calendar


def _notices(area: Area | None, years: set[int], actor: Actor) -> int:
    running = PublicNotice.objects.filter(
        kind=NoticeKind.VILLAGE_NOTICE, day_unit=rules.WORKING_DAYS, ends_on__gte=today()
    )
    qs = touches(in_area(running, area.prefix if area else None), "posted_on", "ends_on", years)
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
            moved_event(case, machine, [("公示截止日期", old, new)], actor)
            moved += 1
    return moved


def deadlines_recompute(*, area: Area | None, years: set[int], actor: Actor) -> int:
    """Recompute, in the caller's transaction, the open deadlines of `area` (None = all) that
    count days of `years`, from their start and the limit in force then; one timeline event
    per moved clue or case. [issue 12]"""
    if not years:
        return 0
    prefix = area.prefix if area is not None else None
    return engine_deadlines.deadlines_recompute(prefix=prefix, years=years, actor=actor) + _notices(area, years, actor)


def on_calendar_changed(sender: Any, *, area: Area | None, years: set[int], actor: Actor, **kwargs: Any) -> int:
    """The receiver of policy's calendar_changed: the count of moved clues, cases and notices."""
    return deadlines_recompute(area=area, years=years, actor=actor)


calendar_changed.connect(on_calendar_changed, dispatch_uid="monitoring.deadlines_recompute")
