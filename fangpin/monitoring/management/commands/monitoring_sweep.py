"""`fangpin monitoring-sweep`: reminders and escalation, follow-up ends, SMS outbox, the
holiday-schedule warning per county, then `sweep_done` (reports refreshes the dashboard's KPI
summary on it); run daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fangpin.monitoring.services.sweeps import monitoring_sweep
from fangpin.monitoring.signals import sweep_done


class Command(BaseCommand):
    help = "每日运行：临期/超期提醒与逐级上报、跟踪期满、发送短信发件箱、更新统计看板汇总"

    def handle(self, *args: Any, **options: Any) -> None:
        result = monitoring_sweep()
        ended, reminders, sent = result["follow_up_ended"], result["reminders"], result["sms_sent"]
        self.stdout.write(f"跟踪期满 {ended} 户；新提醒 {reminders} 条；已发短信 {sent} 条")
        for warning in result["calendar_warnings"]:
            self.stdout.write(f"放假安排：{warning}")
        sweep_done.send(sender=self.__class__, write=self.stdout.write)
