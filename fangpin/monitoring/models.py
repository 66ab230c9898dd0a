"""Risk clues, identification and elimination cases, notices, monitoring
episodes. The event table (timeline, clock input and outbox) is the engine's
(fangpin.engine.models); its names are re-exported here for the callers.
[DOMAIN §2.6, §2.8–2.10, §2.13, §3.1–3.5]"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.core.masking import mask_phone
from fangpin.core.scoping import AreaScope, ScopedQuerySet
from fangpin.engine.models import CaseEvent, Notification, SmsOutbox
from fangpin.monitoring.choices import (
    OPEN_EPISODE_STATUSES,
    CaseStatus,
    ClueOutcome,
    ClueSource,
    ClueStatus,
    DisasterSubtype,
    EliminationMode,
    EliminationStatus,
    EpisodeStatus,
    MonitoringCategory,
    NoticeKind,
    NoticeSubject,
    ObjectionStatus,
)

SCOPE = AreaScope(village="village_code", grid="household__grid_id")
AREA_ONLY = AreaScope(village="village_code")  # no household: grid workers see none
USER = settings.AUTH_USER_MODEL
CLOSED_CASE_STATUSES = (CaseStatus.MONITORED, CaseStatus.REJECTED)
CLOSED_ELIMINATION_STATUSES = (EliminationStatus.FLAGGED, EliminationStatus.REJECTED)


def _village_fk() -> models.ForeignKey:
    return models.ForeignKey("areas.Area", verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="+")


def _household_fk(*, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), null=null, blank=null, on_delete=models.PROTECT, related_name="+"
    )


class RiskClue(models.Model):
    """One risk clue from any channel, routed to a village. [DOMAIN §2.6, §3.1]"""

    # A department liaison reads the clues it raised (the source hears back), nothing else.
    area_scope = AreaScope(village="village_code", grid="household__grid_id", others=lambda user: Q(created_by=user))

    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    source = models.CharField(_("线索来源"), max_length=20, choices=ClueSource.choices, db_index=True)
    # The caller's own id (department warning id, hotline ticket ...); unique per source when given.
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    channel = models.CharField(_("录入途径"), max_length=10, blank=True)
    village = _village_fk()
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    household = _household_fk(null=True)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("涉及人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("线索内容"))
    risk_types = models.JSONField(_("反映的风险类型"), default=list, blank=True)
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("反映人电话"), max_length=20, blank=True)
    # Self-report only: the applicant's ID number (masked on display) for the status check.
    reporter_id_number = models.CharField(_("反映人身份证号"), max_length=18, blank=True)
    client_address = models.CharField(_("提交地址"), max_length=45, blank=True, db_index=True)
    # Self-report: when the applicant agreed to the separate notice for sensitive PI (PIPL 29–31).
    reporter_consent_at = models.DateTimeField(_("申报人同意告知书时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ClueStatus.choices, default=ClueStatus.RECEIVED)
    outcome = models.CharField(_("办理结果"), max_length=24, choices=ClueOutcome.choices, blank=True)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)
    accept_due = models.DateField(_("受理时限"), null=True, blank=True)
    verify_due = models.DateField(_("核实时限"), null=True, blank=True)
    # Counted across a year whose holiday schedule is not entered yet (暂按周末推算, issue 12).
    accept_due_provisional = models.BooleanField(_("受理时限暂按周末推算"), default=False)
    verify_due_provisional = models.BooleanField(_("核实时限暂按周末推算"), default=False)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    feedback = models.TextField(_("反馈意见"), blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    identification_case = models.ForeignKey(
        "monitoring.IdentificationCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="clues"
    )
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险线索")
        verbose_name_plural = _("风险线索")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["village_code", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"], condition=~Q(source_ref=""), name="clue_unique_source_ref"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)


class MonitoringEpisode(models.Model):
    """One inclusion of a household in monitoring. [DOMAIN §2.8, §3.3]"""

    area_scope = SCOPE

    household = _household_fk()
    village = _village_fk()
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    category = models.CharField(_("监测对象类别"), max_length=20, choices=MonitoringCategory.choices)
    risk_types = models.JSONField(_("风险类型"), default=list)
    disaster_subtype = models.CharField(_("自然灾害子项"), max_length=4, choices=DisasterSubtype.choices, blank=True)
    risk_note = models.CharField(_("风险说明"), max_length=200, blank=True)
    monitoring_contact_name = models.CharField(_("监测联系人"), max_length=50, blank=True)
    monitoring_contact_phone = models.CharField(_("监测联系人电话"), max_length=20, blank=True)
    identified_on = models.DateField(_("识别监测时间"), null=True, blank=True)
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    status = models.CharField(_("监测状态"), max_length=14, choices=EpisodeStatus.choices, db_index=True)
    eliminated_on = models.DateField(_("风险消除时间"), null=True, blank=True)
    elimination_mode = models.CharField(_("风险消除方式"), max_length=10, choices=EliminationMode.choices, blank=True)
    follow_up_until = models.DateField(_("跟踪期截止"), null=True, blank=True)
    income_at_identification = models.DecimalField(
        _("识别时人均纯收入"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    income_at_elimination = models.DecimalField(
        _("消除时人均纯收入"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reversal_history = models.JSONField(_("回退记录"), default=list, blank=True)
    previous_episode = models.ForeignKey(
        "self", verbose_name=_("上次监测记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept up to date by the assistance app through `episode_record_measures` (R-EL-3 input).
    covered_risk_types = models.JSONField(_("已落实措施覆盖的风险类型"), default=list, blank=True)
    first_measure_on = models.DateField(_("首项措施落实日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测记录")
        verbose_name_plural = _("监测记录")
        ordering = ["-identified_on", "-id"]
        indexes = [models.Index(fields=["village_code", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=[s.value for s in OPEN_EPISODE_STATUSES]),
                name="episode_one_open_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.identified_on or ''}"

    @property
    def monitoring_contact_phone_masked(self) -> str:
        return mask_phone(self.monitoring_contact_phone)


class IdentificationCase(models.Model):
    """One identification procedure (纳入程序实例). [DOMAIN §2.9, §3.2]"""

    area_scope = SCOPE

    case_no = models.CharField(_("案件编号"), max_length=20, unique=True)
    household = _household_fk()
    village = _village_fk()
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    episode = models.OneToOneField(
        MonitoringEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="identification_case"
    )
    category = models.CharField(_("拟纳入类别"), max_length=20, choices=MonitoringCategory.choices)
    risk_types = models.JSONField(_("风险类型"), default=list)
    disaster_subtype = models.CharField(_("自然灾害子项"), max_length=4, choices=DisasterSubtype.choices, blank=True)
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    monitoring_contact_name = models.CharField(_("监测联系人"), max_length=50, blank=True)
    monitoring_contact_phone = models.CharField(_("监测联系人电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=18, choices=CaseStatus.choices, default=CaseStatus.APPLIED)
    # The clock starts at the first clue (R-ID-4); deadline computed by rules.clock at creation.
    clock_started_on = models.DateField(_("计时起点"))
    deadline_on = models.DateField(_("办结时限"))
    deadline_provisional = models.BooleanField(_("办结时限暂按周末推算"), default=False)
    step_started_on = models.DateField(_("当前环节开始"), null=True, blank=True)
    recommendation = models.JSONField(_("比对建议"), default=dict, blank=True)
    consent_signed_on = models.DateField(_("签署承诺授权书"), null=True, blank=True)
    home_verified_on = models.DateField(_("入户核实"), null=True, blank=True)
    home_verification_note = models.TextField(_("核实情况"), blank=True)
    info_checked_on = models.DateField(_("信息比对返回"), null=True, blank=True)
    info_check_note = models.TextField(_("比对结果"), blank=True)
    appraised_on = models.DateField(_("民主评议"), null=True, blank=True)
    appraisal_minutes = models.TextField(_("评议记录"), blank=True)
    township_reviewed_on = models.DateField(_("乡镇审核"), null=True, blank=True)
    county_approved_on = models.DateField(_("县级审定"), null=True, blank=True)
    announced_on = models.DateField(_("结果公告"), null=True, blank=True)
    entered_on = models.DateField(_("录入系统"), null=True, blank=True)
    closed_reason = models.TextField(_("未纳入理由"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("识别认定程序")
        verbose_name_plural = _("识别认定程序")
        ordering = ["deadline_on", "id"]
        indexes = [models.Index(fields=["village_code", "status"])]
        constraints = [
            # A double-clicked "start identification" cannot open two cases for one household.
            models.UniqueConstraint(
                fields=["household"],
                condition=~Q(status__in=[s.value for s in CLOSED_CASE_STATUSES]),
                name="case_one_open_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_CASE_STATUSES


class EliminationCase(models.Model):
    """One risk-elimination procedure. [DOMAIN §2.13, §3.4, §4.5]"""

    area_scope = SCOPE

    case_no = models.CharField(_("案件编号"), max_length=20, unique=True)
    episode = models.ForeignKey(MonitoringEpisode, on_delete=models.PROTECT, related_name="elimination_cases")
    household = _household_fk()
    village = _village_fk()
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    mode = models.CharField(_("消除方式"), max_length=10, choices=EliminationMode.choices)
    # A code of the policy parameter natural_elimination_reasons (selectors.natural_reason_label).
    natural_reason = models.CharField(_("自然消除原因"), max_length=14, blank=True)
    justification = models.TextField(_("情况说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=18, choices=EliminationStatus.choices, default=EliminationStatus.PROPOSED
    )
    proposed_on = models.DateField(_("提出日期"))
    deadline_on = models.DateField(_("办结时限"))
    deadline_provisional = models.BooleanField(_("办结时限暂按周末推算"), default=False)
    step_started_on = models.DateField(_("当前环节开始"), null=True, blank=True)
    guard_failures = models.JSONField(_("未满足的条件"), default=list, blank=True)
    override_reason = models.TextField(_("县级特批理由"), blank=True)
    override_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    override_at = models.DateTimeField(null=True, blank=True)
    home_verified_on = models.DateField(_("入户核实"), null=True, blank=True)
    appraised_on = models.DateField(_("民主评议"), null=True, blank=True)
    township_reviewed_on = models.DateField(_("乡镇审核"), null=True, blank=True)
    county_approved_on = models.DateField(_("县级审定"), null=True, blank=True)
    announced_on = models.DateField(_("结果公告"), null=True, blank=True)
    flagged_on = models.DateField(_("系统标注"), null=True, blank=True)
    continuing_measures = models.TextField(_("消除后延续的措施"), blank=True)
    closed_reason = models.TextField(_("未通过理由"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险消除程序")
        verbose_name_plural = _("风险消除程序")
        ordering = ["deadline_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=~Q(status__in=[s.value for s in CLOSED_ELIMINATION_STATUSES]),
                name="elimination_one_open_per_episode",
            ),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_ELIMINATION_STATUSES


class PublicNotice(models.Model):
    """A village notice (公示) or announcement (公告) with masked items. [DOMAIN §2.10]"""

    area_scope = AREA_ONLY

    kind = models.CharField(_("类型"), max_length=16, choices=NoticeKind.choices)
    subject = models.CharField(_("事项"), max_length=16, choices=NoticeSubject.choices)
    village = _village_fk()
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    # Only the allowed fields, masked when the notice is generated (name, village, category ...).
    items = models.JSONField(_("公示名单"), default=list)
    posted_on = models.DateField(_("张贴日期"))
    ends_on = models.DateField(_("截止日期"))
    ends_provisional = models.BooleanField(_("截止日期暂按周末推算"), default=False)
    min_days = models.PositiveSmallIntegerField(_("最短天数"))
    day_unit = models.CharField(_("天数单位"), max_length=16, default="calendar_days")
    identification_case = models.ForeignKey(
        IdentificationCase, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    elimination_case = models.ForeignKey(
        EliminationCase, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        ordering = ["-posted_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Objection(models.Model):
    """An objection received during a notice window. [DOMAIN §2.10, R-ID-3]"""

    area_scope = AREA_ONLY

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"))
    raised_by_name = models.CharField(_("提出人"), max_length=50, blank=True)
    raised_by_phone = models.CharField(_("提出人电话"), max_length=20, blank=True)
    status = models.CharField(_("处理状态"), max_length=10, choices=ObjectionStatus.choices, default="pending")
    result = models.TextField(_("处理结果"), blank=True)
    handled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.received_on}"

    @property
    def raised_by_phone_masked(self) -> str:
        return mask_phone(self.raised_by_phone)


__all__ = ["CaseEvent", "Notification", "SmsOutbox"]  # re-exported: the engine owns them
