"""Registry export: a background job writing XLSX in the national column order,
with ID and phone numbers masked, under the requester's scope at run time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Forbidden
from fangpin.core.jobs import register
from fangpin.core.models import AuditAction, Channel, Job
from fangpin.core.scoping import visible
from fangpin.core.xlsx import write_xlsx
from fangpin.registry.choices import PersonStatus
from fangpin.registry.importing.schema import COLUMNS
from fangpin.registry.models import Person

EXPORT_COLUMNS = [c for c in COLUMNS if c.level in ("key", "household", "person")]


def export_path(job_id: int) -> Path:
    root = Path(settings.FANGPIN["EXPORT_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    return root / f"registry-{job_id}.xlsx"


def exports_expire() -> int:
    """Delete export files past their time to live (residual personal data, SECURITY T-63)."""
    root = Path(settings.FANGPIN["EXPORT_DIR"])
    if not root.exists():
        return 0
    limit = time.time() - int(settings.FANGPIN["EXPORT_TTL_HOURS"]) * 3600
    removed = 0
    for path in root.glob("*.xlsx"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _row(p: Person) -> list[Any]:
    h = p.household
    health = "、".join(p.health_labels)
    values: dict[str, Any] = {
        "national_household_code": h.national_household_code,
        "village_code": h.village_code,
        "grid_code": h.grid.code if h.grid else "",
        "household_type": h.get_household_type_display(),
        "escape_year": h.escape_year or "",
        "legacy_poor_class": h.get_legacy_poor_class_display() if h.legacy_poor_class else "",
        "address": h.address,
        "natural_village": h.natural_village,
        "phone": h.phone_masked,
        "is_military_martyr_family": h.is_military_martyr_family,
        "is_relocated": h.is_relocated,
        "no_labour_safety_net": h.no_labour_safety_net,
        "house_rating": h.house_rating,
        "name": p.name,
        "id_number": p.id_number_masked,
        "relationship": p.get_relationship_display(),
        "gender": p.get_gender_display(),
        "birth_date": p.birth_date.isoformat(),
        "ethnicity": p.ethnicity,
        "political_status": p.political_status,
        "education": p.get_education_display() if p.education else "",
        "student_status": p.get_student_status_display() if p.student_status else "",
        "health": health,
        "disability_grade": p.disability_grade or "",
        "disability_type": p.get_disability_type_display() if p.disability_type else "",
        "labour_capacity": p.get_labour_capacity_display(),
        "work_location": p.get_work_location_display() if p.work_location else "",
        "work_months": p.work_months or "",
        "in_resident_medical": p.in_resident_medical,
        "in_employee_medical": p.in_employee_medical,
        "in_serious_illness": p.in_serious_illness,
        "in_commercial_medical": p.in_commercial_medical,
        "in_resident_pension": p.in_resident_pension,
        "in_employee_pension": p.in_employee_pension,
        "is_dibao": p.is_dibao,
        "is_tekun": p.is_tekun,
        "person_phone": p.phone_masked,
    }
    out = []
    for col in EXPORT_COLUMNS:
        value = values.get(col.field, "")
        out.append(("是" if value else "否") if isinstance(value, bool) else value)
    return out


@register("registry.export")
def run_export(job: Job, progress: Any) -> dict[str, Any]:
    user = job.requested_by
    if user is None or not user.can("registry.export"):
        raise Forbidden()
    exports_expire()
    qs = visible(Person.objects.select_related("household", "household__grid"), user).filter(status=PersonStatus.ACTIVE)
    if job.params.get("village_code"):
        qs = qs.filter(household__village_code=job.params["village_code"])
    if job.params.get("q"):
        qs = qs.filter(name__startswith=job.params["q"])
    qs = qs.order_by("household__village_code", "household_id", "id")
    path = export_path(job.pk)
    with open(path, "wb") as out:
        count = write_xlsx(
            out,
            sheet="农户信息",
            header=[c.header for c in EXPORT_COLUMNS],
            rows=(_row(p) for p in qs.iterator(chunk_size=2000)),
        )
    with transaction.atomic():
        audit_log(
            actor=Actor(user=user, channel=Channel.WEB),
            action=AuditAction.EXPORT,
            object_type="person",
            object_label="农户信息导出",
            area_code=user.area.code if user.area else "",
            changes={"rows": [None, count], "filters": [None, job.params]},
        )
    return {"rows": count, "file": path.name}
