"""Dated migrant-work records: record a spell, end it. Each write is one
transaction with its audit record. [DOMAIN §4.14 DQ-19/20]"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log, snapshot
from fangpin.core.errors import Conflict, InvalidInput
from fangpin.core.models import AuditAction
from fangpin.registry.choices import PersonStatus
from fangpin.registry.migrant_work_data import MigrantWorkDataError, clean_migrant_work_data, clean_month
from fangpin.registry.models import MigrantWork, Person
from fangpin.registry.services.common import require, require_scope
from fangpin.registry.validation import FieldError


def _audit(actor: Actor, action: str, row: MigrantWork, changes: dict[str, Any]) -> None:
    household = row.person.household
    audit_log(
        actor=actor,
        action=action,
        object_type="migrant_work",
        object_id=row.pk,
        object_label=f"{row.person.name} 务工 {row.start_month:%Y-%m}",
        area_code=household.village_code,
        household_id=household.pk,
        changes=changes,
    )


def migrant_work_record(*, actor: Actor, person: Person, data: dict[str, Any]) -> MigrantWork:
    """Record one spell of migrant work of an active member."""
    require(actor, "registry.edit")
    require_scope(actor, person.household)
    if person.status != PersonStatus.ACTIVE:
        raise InvalidInput(f"{person.name}已不在册（{person.get_status_display()}），不能登记务工记录。")
    clean = clean_migrant_work_data(data, today=timezone.localdate())
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        spells = MigrantWork.objects.filter(person=person)
        open_spell = spells.filter(end_month__isnull=True).first()
        if clean["end_month"] is None and open_spell is not None:
            since = f"{open_spell.start_month:%Y-%m}"
            raise MigrantWorkDataError(
                {"end_month": f"{person.name}已有未结束的务工记录（{since}起），请先登记其结束月份"}
            )
        # Two spells overlap when each starts before the other ends (an open spell never ends).
        overlap = spells.filter(Q(end_month__isnull=True) | Q(end_month__gte=clean["start_month"]))
        if clean["end_month"] is not None:
            overlap = overlap.filter(start_month__lte=clean["end_month"])
        clash = overlap.order_by("start_month").first()
        if clash is not None:
            end = f"{clash.end_month:%Y-%m}" if clash.end_month else "至今"
            raise MigrantWorkDataError({"start_month": f"与已有务工记录（{clash.start_month:%Y-%m}～{end}）时间重叠"})
        try:
            with transaction.atomic():
                row = MigrantWork.objects.create(person=person, recorded_by=actor.user, **clean)
        except IntegrityError as exc:
            raise Conflict("该成员的务工记录已被他人修改，请刷新后重试。") from exc
        row.person = person
        _audit(actor, AuditAction.CREATE, row, snapshot(clean))
    return row


def migrant_work_end(
    *, actor: Actor, record: MigrantWork, end_month: Any, expected_version: int | None = None
) -> MigrantWork:
    """Close an open spell with its end month (the member came back or changed work)."""
    require(actor, "registry.edit")
    require_scope(actor, record.person.household)
    try:
        end = clean_month(end_month, required=True)
    except FieldError as exc:
        raise MigrantWorkDataError({"end_month": exc.message}) from exc
    if end is None:
        raise MigrantWorkDataError({"end_month": "不能为空"})
    if record.end_month is not None:
        raise InvalidInput(f"该务工记录已于{record.end_month:%Y-%m}结束。")
    if end < record.start_month:
        raise MigrantWorkDataError({"end_month": f"不能早于开始月份（{record.start_month:%Y-%m}）"})
    later = MigrantWork.objects.filter(person_id=record.person_id, start_month__gt=record.start_month)
    clash = later.filter(start_month__lte=end).order_by("start_month").first()
    if clash is not None:
        raise MigrantWorkDataError({"end_month": f"须早于下一条务工记录的开始月份（{clash.start_month:%Y-%m}）"})
    with transaction.atomic():
        qs = MigrantWork.objects.filter(pk=record.pk, end_month__isnull=True)
        if expected_version is not None:
            qs = qs.filter(version=expected_version)
        if not qs.update(end_month=end, version=F("version") + 1):
            raise Conflict()
        _audit(actor, AuditAction.UPDATE, record, {"end_month": [None, end.isoformat()]})
        record.refresh_from_db()
    return record

