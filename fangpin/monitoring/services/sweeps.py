"""Timed work: due-soon and overdue reminders with escalation, the end of the
follow-up year, dispatching the SMS outbox, and the warning that a year's holiday
schedule is not entered yet. Run by `fangpin monitoring-sweep`."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.engine.events import outbox_dispatch
from fangpin.monitoring import selectors
from fangpin.monitoring.choices import ClueStatus, SmsStatus
from fangpin.monitoring.models import (
    CLOSED_CASE_STATUSES,
    CLOSED_ELIMINATION_STATUSES,
    EliminationCase,
    IdentificationCase,
    Notification,
    RiskClue,
    SmsOutbox,
)
from fangpin.monitoring.services.common import recipients
from fangpin.monitoring.services.episodes import episode_follow_up_sweep
from fangpin.monitoring.sms import SmsSender, get_sender
from fangpin.policy.selectors import calendar_warning

logger = logging.getLogger("fangpin.monitoring.sweeps")
ESCALATE_TO = {1: ("township_staff",), 2: ("county_staff", "county_admin")}


def _escalation_users(village_code: str, level: int) -> list[User]:
    code = village_code[:9] + "000" if level == 1 else village_code[:6] + "000000"
    return list(User.objects.filter(is_active=True, role__in=ESCALATE_TO[level], area__code=code))


def reminders_sweep(*, on: date | None = None) -> int:
    """One reminder per user, case, step and state (deduplicated by key)."""
    on = on or timezone.localdate()
    params = selectors.ParamCache(on)
    rows: list[Notification] = []
    sources: list[tuple[str, Any, str]] = [
        ("identification", IdentificationCase.objects.exclude(status__in=CLOSED_CASE_STATUSES), "case-detail"),
        ("elimination", EliminationCase.objects.exclude(status__in=CLOSED_ELIMINATION_STATUSES), "elimination-detail"),
        ("clue", RiskClue.objects.exclude(status=ClueStatus.CLOSED), "clue-detail"),
    ]
    for machine, qs, url_name in sources:
        for obj in (
            qs.select_related("village")
            .prefetch_related(*(["notices"] if machine != "clue" else []))
            .iterator(chunk_size=500)
        ):
            clock = (
                selectors.clue_clock(obj, on=on, params=params)
                if machine == "clue"
                else selectors.case_clock(obj, on=on, params=params)
            )
            if clock is None or clock.state == "on_track":
                continue
            label = getattr(obj, "case_no", None) or obj.tracking_code
            url = reverse(f"monitoring:{url_name}", args=[obj.pk])
            users = recipients(machine, obj.status, obj.village_code)
            title = (
                f"{label}：本环节{'即将到期' if clock.state == 'due_soon' else '已超期'}（时限{clock.due:%Y-%m-%d}）"
            )
            for level in range(1, clock.escalation + 1):
                users += _escalation_users(obj.village_code, level)
            key = f"{clock.state}:{machine}:{obj.pk}:{obj.status}:{clock.escalation}"
            rows += [
                Notification(user=u, village_code=obj.village_code, title=title, url=url, dedupe_key=key[:80])
                for u in users
            ]
    with transaction.atomic():
        before = Notification.objects.count()
        Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        return Notification.objects.count() - before


def sms_dispatch(*, sender: SmsSender | None = None, limit: int = 500) -> int:
    """Send pending outbox rows through the configured sender."""
    sender = sender or get_sender()
    sent = 0
    for row in SmsOutbox.objects.filter(status=SmsStatus.PENDING).order_by("id")[:limit]:
        try:
            sender.send(row.phone, row.body)
        except Exception:  # a failing provider must not stop the batch
            SmsOutbox.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1, status=SmsStatus.FAILED if row.attempts >= 2 else SmsStatus.PENDING
            )
            continue
        SmsOutbox.objects.filter(pk=row.pk).update(
            status=SmsStatus.SENT, sent_at=timezone.now(), attempts=row.attempts + 1
        )
        sent += 1
    return sent


def calendar_sweep(*, on: date | None = None) -> list[str]:
    """One warning per county whose official holiday schedule runs out within
    `calendar_warning_days` (logged, and shown to its administrators). [issue 12]"""
    on = on or timezone.localdate()
    warnings = []
    for county in Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"):
        message = calendar_warning(area=county, on=on)
        if message:
            warnings.append(f"{county.name}（{county.code}）：{message}")
            logger.warning("%s（%s）：%s", county.name, county.code, message)
    return warnings


def monitoring_sweep(*, on: date | None = None) -> dict[str, Any]:
    return {
        "follow_up_ended": episode_follow_up_sweep(on=on, actor=Actor.system()),
        "reminders": reminders_sweep(on=on),
        "sms_sent": sms_dispatch(),
        "events_dispatched": outbox_dispatch(),  # events whose commit hook was lost (a crash)
        "calendar_warnings": calendar_sweep(on=on),
    }
