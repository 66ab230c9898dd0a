"""Timed work: due-soon and overdue reminders with escalation, the end of the
follow-up year, dispatching the SMS outbox, and the warning that a year's holiday
schedule is not entered yet. Run by `fangpin monitoring-sweep`."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.models import User
from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.engine.events import outbox_dispatch
from fangpin.engine.machine import REGISTRY, Machine
from fangpin.monitoring import selectors
from fangpin.monitoring.choices import SmsStatus
from fangpin.monitoring.models import Notification, SmsOutbox
from fangpin.monitoring.services.common import recipients
from fangpin.monitoring.services.episodes import episode_follow_up_sweep
from fangpin.monitoring.sms import SmsSender, get_sender
from fangpin.policy.selectors import calendar_warning

logger = logging.getLogger("fangpin.monitoring.sweeps")
ESCALATE_TO = {1: ("township_staff",), 2: ("county_staff", "county_admin")}


def _escalation_users(village_code: str, level: int) -> list[User]:
    code = village_code[:9] + "000" if level == 1 else village_code[:6] + "000000"
    return list(User.objects.filter(is_active=True, role__in=ESCALATE_TO[level], area__code=code))


def _clocked() -> list[Machine]:
    """Every registered machine with a declared deadline and a model: each gets reminders
    and escalation from its declaration alone."""
    return [m for m in REGISTRY.values() if m.deadlines and m.model is not None]


def reminders_sweep(*, on: date | None = None) -> int:
    """One reminder per user, case, step and state (deduplicated by key)."""
    on = on or timezone.localdate()
    params = selectors.ParamCache(on)
    rows: list[Notification] = []
    for machine in _clocked():
        assert machine.model is not None
        qs = machine.model.objects.exclude(status__in=machine.closed)  # type: ignore[attr-defined]
        for obj in qs.select_related("village").prefetch_related(*machine.prefetch).iterator(chunk_size=500):
            rows += _reminders(machine, obj, on=on, params=params)
    with transaction.atomic():
        before = Notification.objects.count()
        Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        return Notification.objects.count() - before


def _reminders(machine: Machine, obj: Any, *, on: date, params: selectors.ParamCache) -> list[Notification]:
    """The reminders one object's clock calls for: whoever acts next, plus each level it escalated to."""
    clock = selectors.clock_of(machine, obj, on=on, params=params)
    if clock is None or clock.state == "on_track":
        return []
    users = recipients(machine.name, obj.status, obj.village_code)
    state = "即将到期" if clock.state == "due_soon" else "已超期"
    title = f"{machine.reference(obj)}：本环节{state}（时限{clock.due:%Y-%m-%d}）"
    for level in range(1, clock.escalation + 1):
        users += _escalation_users(obj.village_code, level)
    key = f"{clock.state}:{machine.name}:{obj.pk}:{obj.status}:{clock.escalation}"
    url = machine.url(obj)
    return [
        Notification(user=u, village_code=obj.village_code, title=title, url=url, dedupe_key=key[:80]) for u in users
    ]


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
