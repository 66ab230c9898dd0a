"""The monitored-household roster (监测对象花名册) as a background XLSX export, in the
column order of the national monitoring-system export [C] (docs/formats.md), with ID
and phone numbers masked, under the requester's scope at run time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from fangpin.assistance.models import AssistanceMeasure
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log
from fangpin.core.errors import Forbidden
from fangpin.core.idnumber import mask as mask_id
from fangpin.core.jobs import register
from fangpin.core.masking import mask_phone
from fangpin.core.models import AuditAction, Channel, Job
from fangpin.core.scoping import visible
from fangpin.core.xlsx import write_xlsx
from fangpin.monitoring.choices import DisasterSubtype, EliminationMode, EpisodeStatus, MonitoringCategory, RiskType
from fangpin.monitoring.models import MonitoringEpisode
from fangpin.registry.choices import PersonStatus
from fangpin.registry.models import Person

COLUMNS = [
    "序号",
    "县（市、区）",
    "乡（镇）",
    "行政村",
    "户编号",
    "户主姓名",
    "户主证件号码",
    "家庭人口数",
    "监测对象类别",
    "识别监测时间",
    "致贫返贫风险1",
    "致贫返贫风险2",
    "致贫返贫风险3",
    "致贫返贫风险4",
    "致贫返贫风险5",
    "因自然灾害子项",
    "识别时人均纯收入（元）",
    "是否绿色通道",
    "帮扶措施数",
    "实施开发式帮扶措施情况",
    "风险是否已消除",
    "风险消除方式",
    "消除监测时间",
    "消除时人均纯收入（元）",
    "监测状态",
    "监测联系人",
    "监测联系人电话",
]


def roster_path(job_id: int) -> Path:
    root = Path(settings.FANGPIN["EXPORT_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    return root / f"roster-{job_id}.xlsx"


def roster_queryset(user: Any, *, include_closed: bool = False) -> Any:
    """Episodes with everything a roster row needs, in one query (no per-row lookups)."""
    qs = visible(MonitoringEpisode, user).filter(identified_on__isnull=False)
    if not include_closed:
        qs = qs.filter(status__in=[EpisodeStatus.GREEN_CHANNEL, EpisodeStatus.MONITORED, EpisodeStatus.ELIMINATED])
    head = Person.objects.filter(household=OuterRef("household_id"), relationship="head", status=PersonStatus.ACTIVE)
    developmental = AssistanceMeasure.objects.filter(
        plan__episode=OuterRef("pk"), is_developmental=True, implemented_on__isnull=False
    )
    return (
        qs.select_related("village__parent__parent", "household")
        .annotate(
            head_name=head.values("name")[:1],
            head_id=head.values("id_number")[:1],
            members=Count("household__members", filter=Q(household__members__status=PersonStatus.ACTIVE)),
            n_measures=Count("assistance_plan__measures", distinct=True),
            developmental=Exists(developmental),
        )
        .order_by("village_code", "household_id", "id")
    )


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value


def roster_row(i: int, e: Any) -> list[Any]:
    village = e.village
    township = village.parent
    county = township.parent if township else None
    risks = [_label(RiskType, r) for r in (e.risk_types or [])][:5]
    risks += [""] * (5 - len(risks))
    return [
        i,
        county.name if county else "",
        township.name if township else "",
        village.name,
        e.household.national_household_code,
        e.head_name or "",
        mask_id(e.head_id) if e.head_id else "",
        e.members,
        _label(MonitoringCategory, e.category),
        e.identified_on.strftime("%Y%m") if e.identified_on else "",
        *risks,
        _label(DisasterSubtype, e.disaster_subtype),
        str(e.income_at_identification) if e.income_at_identification is not None else "",
        "是" if e.green_channel else "否",
        e.n_measures,
        "已实施" if e.developmental else "未实施",
        "是" if e.eliminated_on else "否",
        _label(EliminationMode, e.elimination_mode),
        e.eliminated_on.strftime("%Y%m") if e.eliminated_on else "",
        str(e.income_at_elimination) if e.income_at_elimination is not None else "",
        _label(EpisodeStatus, e.status),
        e.monitoring_contact_name,
        mask_phone(e.monitoring_contact_phone),
    ]


@register("reports.roster")
def run_roster(job: Job, progress: Any) -> dict[str, Any]:
    user = job.requested_by
    if user is None or not user.can("reports.export"):
        raise Forbidden()
    qs = roster_queryset(user, include_closed=bool(job.params.get("include_closed")))
    path = roster_path(job.pk)
    with open(path, "wb") as out:
        count = write_xlsx(
            out,
            sheet="监测对象花名册",
            header=COLUMNS,
            rows=(roster_row(i, e) for i, e in enumerate(qs.iterator(chunk_size=2000), start=1)),
        )
    with transaction.atomic():
        audit_log(
            actor=Actor(user=user, channel=Channel.WEB),
            action=AuditAction.EXPORT,
            object_type="monitoring.episode",
            object_label="监测对象花名册导出",
            area_code=user.area.code if user.area else "",
            changes={"rows": [None, count], "filters": [None, job.params]},
        )
    return {"rows": count, "file": path.name}
