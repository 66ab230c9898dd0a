"""The navigation each role sees (pages check permissions again on their own)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

MENU = [
    ("registry.view", "registry:search", _("农户查询")),
    ("registry.import", "registry:import-list", _("批量导入")),
    ("assistance.view", "assistance:deadlines", _("帮扶措施落实")),
    ("reports.view", "reports:dashboard", _("统计看板")),
    ("reports.view", "reports:quality", _("数据质量")),
    ("monitoring.view", "monitoring:clue-list", _("风险线索")),
    ("monitoring.view", "monitoring:case-list", _("识别认定")),
    ("monitoring.view", "monitoring:episode-list", _("监测对象")),
    ("monitoring.view", "monitoring:elimination-list", _("风险消除")),
    ("monitoring.view", "monitoring:notice-list", _("公示公告")),
    ("datafeeds.upload", "datafeeds:run-list", _("部门数据比对")),
    ("datafeeds.view", "datafeeds:warning-list", _("部门预警")),
    ("policy.view", "policy:list", _("政策参数")),
    ("calendar.view", "policy:calendar", _("放假安排")),
    ("audit.view", "core:audit-list", _("审计日志")),
    ("api.token", "accounts:tokens", _("API令牌")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": reverse(name), "label": label, "active": request.path.startswith(reverse(name))}
        for perm, name, label in MENU
        if user.can(perm)
    ]
    return {"nav_items": items}
