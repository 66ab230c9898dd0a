"""The audit write path: every service appends here inside its own transaction.

Values of ID-number and phone fields are masked before they are stored, so the
log never holds a full ID (SECURITY.md T-83).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.bulk import bulk_insert
from fangpin.core.idnumber import mask as mask_id
from fangpin.core.masking import mask_phone, mask_text
from fangpin.core.models import AuditAction, AuditEvent, Channel

_CHAIN_LOCK = 4_117_001
ID_FIELDS = {"id_number", "head_id_number", "person_id_number"}
PHONE_FIELDS = {"phone", "mobile", "reporter_phone", "contact_phone"}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, float)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def mask_value(field: str, value: Any) -> Any:
    """A JSON-ready value with ID and phone numbers masked."""
    cls = value.__class__
    if value is None or cls is bool or cls is int:
        return value
    if cls is not str:
        value = _plain(value)
        if not isinstance(value, str):
            return value
    if field in ID_FIELDS:
        return mask_id(value)
    if field in PHONE_FIELDS:
        return mask_phone(value)
    # Only text long enough to hold a phone (11) or an ID number can leak one.
    return mask_text(value) if len(value) >= 11 else value


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose values differ, masked."""
    out: dict[str, list[Any]] = {}
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        if before == after and before.__class__ is after.__class__:
            continue
        if _plain(before) == _plain(after):
            continue
        out[key] = [mask_value(key, before), mask_value(key, after)]
    return out


def snapshot(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A creation record: every non-empty field as `[None, value]`."""
    return {k: [None, mask_value(k, v)] for k, v in values.items() if v not in (None, "", [], {})}


CHAIN_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "channel",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "area_code",
    "household_id",
    "changes",
    "reason",
    "success",
    "batch_ref",
)


def _canonical(row: Mapping[str, Any]) -> str:
    payload = [row["at"].isoformat(timespec="microseconds"), *(row[f] for f in CHAIN_FIELDS[1:])]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(row)).encode()).hexdigest()


def _row_of(event: AuditEvent) -> dict[str, Any]:
    return {f: getattr(event, f) for f in CHAIN_FIELDS}


def _last_hash() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = AuditEvent.objects.order_by("-seq").values_list("hash", flat=True).first()
    return last or ""


def _mask_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(k): [mask_value(str(k), pair[0]), mask_value(str(k), pair[1])]
        if isinstance(pair, (list, tuple)) and len(pair) == 2
        else mask_value(str(k), pair)
        for k, pair in changes.items()
    }


def _build(actor: Actor, *, premasked: bool = False, **fields: Any) -> dict[str, Any]:
    """One event row as a dict (field attnames), masked unless the caller already did."""
    user = actor.user
    area = getattr(user, "area", None) if user is not None else None
    changes = fields.pop("changes", None) or {}
    return {
        "at": fields.pop("at", None) or timezone.now(),
        "actor_id": getattr(user, "pk", None),
        "actor_name": (getattr(user, "username", "") or "")[:150],
        "actor_role": getattr(user, "role", "") or "",
        "actor_area": getattr(area, "code", "") or "",
        "channel": fields.pop("channel", None) or actor.channel,
        "request_id": actor.request_id,
        "ip": actor.ip,
        "batch_ref": fields.pop("batch_ref", None) or actor.batch_ref,
        "changes": dict(changes) if premasked else _mask_changes(changes),
        "object_label": mask_text(str(fields.pop("object_label", "") or ""))[:200],
        "reason": mask_text(str(fields.pop("reason", "") or "")),
        "action": fields.pop("action"),
        "object_type": fields.pop("object_type", "") or "",
        "object_id": str(fields.pop("object_id", "") or ""),
        "area_code": fields.pop("area_code", "") or "",
        "household_id": fields.pop("household_id", None),
        "success": fields.pop("success", True),
    }


def audit_log(
    *,
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: object = "",
    object_label: str = "",
    area_code: str = "",
    household_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    success: bool = True,
) -> AuditEvent:
    """Append one event, chained to the previous one, in the caller's transaction."""
    return audit_log_many(
        actor=actor,
        events=[
            {
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id or ""),
                "object_label": object_label,
                "area_code": area_code,
                "household_id": household_id,
                "changes": dict(changes or {}),
                "reason": reason,
                "success": success,
            }
        ],
    )[0]


def audit_denied(request: Any) -> AuditEvent:
    """One `denied` row for a refused request: the user, the method and path, and the reason the
    page or API gave (set on the request as `fangpin_refusal`). [SECURITY T-82]"""
    user = getattr(request, "user", None)
    actor = Actor(
        user=user if user is not None and user.is_authenticated else None,
        channel=Channel.API if request.path.startswith("/api/") else Channel.WEB,
        request_id=getattr(request, "request_id", ""),
        ip=request.META.get("REMOTE_ADDR", ""),
    )
    return audit_log(
        actor=actor,
        action=AuditAction.DENIED,
        object_type="request",
        object_label=f"{request.method} {request.path}",
        reason=getattr(request, "fangpin_refusal", "") or "403",
        success=False,
    )


def audit_log_many(*, actor: Actor, events: Iterable[Mapping[str, Any]], premasked: bool = False) -> list[AuditEvent]:
    """Append events in order, chained, in the caller's transaction.

    `premasked=True` is for callers whose change values already went through
    `diff`/`snapshot` (the import): they are not masked a second time.  Large
    lists are written with `bulk_insert` and not returned.
    """
    with transaction.atomic():
        rows = [_build(actor, premasked=premasked, **dict(e)) for e in events]
        unknown = {row["action"] for row in rows} - set(AuditAction.values)
        if unknown:
            # The column is a short code from AuditAction; what happened goes in `changes`.
            raise ValueError(f"unknown audit action(s): {sorted(unknown)}")
        prev = _last_hash()
        for row in rows:
            row["prev_hash"] = prev
            row["hash"] = prev = event_hash(prev, row)
        if len(rows) > 50:
            bulk_insert(AuditEvent, rows)
            return []
        return [AuditEvent.objects.create(**row) for row in rows]


def verify_chain(*, chunk: int = 20000) -> tuple[int, int | None]:
    """Walk the whole chain; return (rows checked, first broken seq or None)."""
    prev = ""
    checked = 0
    last_seq = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk])
        if not rows:
            return checked, None
        for event in rows:
            if event.prev_hash != prev or event_hash(prev, _row_of(event)) != event.hash:
                return checked, event.seq
            prev = event.hash
            checked += 1
            last_seq = event.seq


def chain_head() -> tuple[int, str]:
    row = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (row[0], row[1]) if row else (0, "")
