"""Writing policy parameters: a new dated row closes the one it replaces."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from fangpin.accounts.roles import Role
from fangpin.areas.models import Area, AreaLevel
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Forbidden, InvalidInput
from fangpin.core.models import AuditAction
from fangpin.policy.catalog import CATALOG, validate_value
from fangpin.policy.models import PolicyParameter


def policy_set(
    *,
    actor: Actor,
    key: str,
    value: Any,
    area: Area | None,
    effective_from: date,
    source_document: str = "",
    note: str = "",
) -> PolicyParameter:
    """Add a version of a parameter for an area from a date. [DOMAIN §2.24]"""
    spec = CATALOG.get(key)
    if spec is None:
        raise InvalidInput(f"未知的政策参数：{key}")
    _check_may_set(actor, area)
    try:
        clean = validate_value(spec, value)
    except ValueError as exc:
        raise InvalidInput(f"{spec.label}：{exc}") from exc
    with transaction.atomic():
        same_scope = PolicyParameter.objects.select_for_update().filter(key=key, area=area)
        if same_scope.filter(effective_from=effective_from).exists():
            raise InvalidInput(f"{spec.label}在该区划已有{effective_from:%Y-%m-%d}生效的版本，请选择其他生效日期。")
        # The open version that starts before the new one ends the day before it.
        for row in same_scope.filter(effective_from__lt=effective_from, effective_to__isnull=True):
            row.effective_to = effective_from - timedelta(days=1)
            row.save(update_fields=["effective_to"])
        later = same_scope.filter(effective_from__gt=effective_from).order_by("effective_from").first()
        row = PolicyParameter.objects.create(
            key=key,
            area=area,
            value=clean,
            unit=spec.unit,
            effective_from=effective_from,
            effective_to=(later.effective_from - timedelta(days=1)) if later else None,
            source_document=source_document,
            note=note,
            created_by=actor.user if actor.user is not None else None,
        )
        audit_log(
            actor=actor,
            action=AuditAction.CONFIG,
            object_type="policy",
            object_id=row.pk,
            object_label=str(spec.label),
            area_code=area.code if area else "",
            changes={"value": [None, clean], "effective_from": [None, effective_from.isoformat()]},
        )
    return row


def _check_may_set(actor: Actor, area: Area | None) -> None:
    user = actor.user
    if user is None:  # command line / system: trusted operator
        return
    if not user.can("policy.edit") or user.role != Role.COUNTY_ADMIN:
        raise Forbidden()
    if area is None or area.level != AreaLevel.COUNTY or not user.scope_area.contains(area):
        raise Forbidden("县级管理员只能设定本县的政策参数。")
