"""Roles and what each may do: one table, read by pages, API and services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangpin.core.arealevel import AreaLevel


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    COUNTY_STAFF = "county_staff", _("县级工作人员（审批）")
    TOWNSHIP_STAFF = "township_staff", _("乡镇工作人员")
    VILLAGE_CADRE = "village_cadre", _("村干部（含驻村工作队、帮扶联系人）")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPARTMENT_LIAISON = "department_liaison", _("部门联络员")
    AUDITOR = "auditor", _("审计员（只读）")
    # Above the county: keeps what every county below uses (the national and provincial
    # warning rules, the official holiday calendar) and sees no household.
    PROVINCE_ADMIN = "province_admin", _("省（市）级管理员")


# The area level a role is bound to.  A user whose area is at another level
# is treated as having no area (fail closed).
ROLE_LEVELS: dict[str, set[str]] = {
    Role.COUNTY_ADMIN: {AreaLevel.COUNTY},
    Role.COUNTY_STAFF: {AreaLevel.COUNTY},
    Role.TOWNSHIP_STAFF: {AreaLevel.TOWNSHIP},
    Role.VILLAGE_CADRE: {AreaLevel.VILLAGE},
    Role.GRID_WORKER: {AreaLevel.GRID},
    Role.DEPARTMENT_LIAISON: {AreaLevel.COUNTY},
    Role.AUDITOR: {AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY},
    Role.PROVINCE_ADMIN: {AreaLevel.PROVINCE, AreaLevel.CITY},
}

# Roles that may read the household registry within their area.
REGISTRY_READERS: set[str] = {
    Role.COUNTY_ADMIN,
    Role.COUNTY_STAFF,
    Role.TOWNSHIP_STAFF,
    Role.VILLAGE_CADRE,
    Role.GRID_WORKER,
    Role.AUDITOR,
}
_EDITORS: set[str] = {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.VILLAGE_CADRE}

PERMISSIONS: dict[str, set[str]] = {
    "registry.view": REGISTRY_READERS,
    "registry.edit": _EDITORS | {Role.GRID_WORKER},
    "registry.restructure": _EDITORS,  # split, merge, transfer, change of head
    "registry.reveal": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.VILLAGE_CADRE},
    "registry.import": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF},
    "registry.export": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.AUDITOR},
    "registry.transfer_in": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF},
    "audit.view": {Role.AUDITOR, Role.COUNTY_ADMIN},
    "policy.view": REGISTRY_READERS | {Role.DEPARTMENT_LIAISON},
    "policy.edit": {Role.COUNTY_ADMIN},
    "assistance.view": REGISTRY_READERS,
    "assistance.edit": _EDITORS,
    "assistance.visit": _EDITORS | {Role.GRID_WORKER},
    "reports.view": REGISTRY_READERS - {Role.GRID_WORKER},
    "reports.export": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.AUDITOR},
    "reports.refresh": {Role.COUNTY_ADMIN},  # start a dashboard summary refresh of the own county
    "api.token": set(Role.values),
    # Monitoring (issue 3): who may do what inside a case is in monitoring/workflow.py.
    "monitoring.view": REGISTRY_READERS,
    "monitoring.act": _EDITORS | {Role.GRID_WORKER},
    "monitoring.clue_create": _EDITORS | {Role.GRID_WORKER, Role.DEPARTMENT_LIAISON},
    "notifications.view": set(Role.values),
    # Department data comparison (issue 4): liaisons upload their own files and see no registry.
    "datafeeds.upload": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.DEPARTMENT_LIAISON},
    "datafeeds.view": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.AUDITOR},
    "datafeeds.review": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF},
    "datafeeds.rules": {Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN},
    # The official holiday calendar the statutory clock reads (issue 12).
    "calendar.view": {Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.PROVINCE_ADMIN, Role.AUDITOR},
    "calendar.edit": {Role.COUNTY_ADMIN, Role.PROVINCE_ADMIN},
}


def role_allows(role: str | None, perm: str) -> bool:
    return bool(role) and role in PERMISSIONS.get(perm, set())
