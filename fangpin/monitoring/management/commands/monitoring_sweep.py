"""`fangpin monitoring-sweep`: reminders and escalation, follow-up ends, SMS outbox, the
holiday-schedule warning per county, then the dashboard's KPI summary (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fangpin.monitoring.services.sweeps import monitoring_sweep
from fangpin.reports.management.commands.reports_refresh import refresh_all


class Command(BaseCommand):
    help = "每日运行：临期/超期提醒与逐级上报、跟踪期满、发送短信发件箱、更新统计看板汇总"

    def handle(self, *args: Any, **options: Any) -> None:
        result = monitoring_sweep()
        ended, reminders, sent = result["follow_up_ended"], result["reminders"], result["sms_sent"]
        self.stdout.write(f"跟踪期满 {ended} 户；新提醒 {reminders} 条；已发短信 {sent} 条")
        for warning in result["calendar_warnings"]:
            self.stdout.write(f"放假安排：{warning}")
        # After the sweep, so that the day's figures include what it changed.
        refresh_all(write=self.stdout.write)
