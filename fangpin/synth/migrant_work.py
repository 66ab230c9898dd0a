"""Demo data for the dated migrant-work records that DQ-19/DQ-20 read (`fangpin demo-setup`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.models import AuditAction
from fangpin.registry.choices import HAS_LABOUR, MigrantWorkSource, PersonStatus
from fangpin.registry.models import MigrantWork, Person
from fangpin.registry.rules import month_start
from fangpin.synth import migrant as synth_migrant


def migrant_work_demo(*, actor: Actor, county: Any, today: date, seed: int = 2026) -> int:
    """Demo data: dated spells for the county's active members, consistent with
    their 务工 fields (fangpin.synth.migrant), in one bulk insert with one audit
    record. Idempotent: nothing when the county already has records."""
    scope = MigrantWork.objects.filter(person__household__village_code__startswith=county.prefix)
    if scope.exists():
        return 0
    members = (
        synth_migrant.Member(person_id=pk, work_location=loc, work_months=months, can_work=capacity in HAS_LABOUR)
        for pk, loc, months, capacity in Person.objects.filter(
            household__village_code__startswith=county.prefix, status=PersonStatus.ACTIVE
        )
        .order_by("id")
        .values_list("pk", "work_location", "work_months", "labour_capacity")
        .iterator(chunk_size=5000)
    )
    rows = [
        MigrantWork(
            person_id=s.person_id,
            start_month=s.start_month,
            end_month=s.end_month,
            location=s.location,
            place=s.place,
            industry=s.industry,
            monthly_income=Decimal(s.monthly_income),
            source=MigrantWorkSource.DEMO,
        )
        for s in synth_migrant.spells(members, this_month=month_start(today), seed=seed)
    ]
    with transaction.atomic():
        MigrantWork.objects.bulk_create(rows, batch_size=2000)
        audit_log(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="migrant_work",
            object_label=f"演示数据：{len(rows)} 条务工记录",
            area_code=county.code,
        )
    return len(rows)
