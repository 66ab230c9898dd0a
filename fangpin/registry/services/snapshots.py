"""Income-and-expense snapshots: dated rows, never overwritten. [DOMAIN §2.5]"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log, snapshot
from fangpin.core.errors import InvalidInput
from fangpin.core.models import AuditAction
from fangpin.registry.models import Household, IncomeSnapshot
from fangpin.registry.services.common import require, require_scope
from fangpin.registry.snapshot_data import clean_snapshot_data


def snapshot_add(*, actor: Actor, household: Household, data: dict[str, Any]) -> IncomeSnapshot:
    """Record one assessment of income and expenses for a household."""
    require(actor, "registry.edit")
    require_scope(actor, household)
    clean = clean_snapshot_data(data)
    try:
        with transaction.atomic():
            row = IncomeSnapshot.objects.create(household=household, recorded_by=actor.user, **clean)
            audit_log(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="income_snapshot",
                object_id=row.pk,
                object_label=f"{household.national_household_code} {row.year}",
                area_code=household.village_code,
                household_id=household.pk,
                changes=snapshot(
                    {**clean, "net_income": row.net_income, "per_capita_net_income": row.per_capita_net_income}
                ),
            )
    except IntegrityError as exc:
        raise InvalidInput("该户同一类型、同一截止日的收支记录已存在。") from exc
    return row
