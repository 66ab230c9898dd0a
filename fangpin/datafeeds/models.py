"""Feed runs, warning rules, department warnings and linkage review decisions.
[DOMAIN §2.7, §3.7, §4.4, §4.8]"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.core.scoping import AreaScope, ScopedQuerySet
from fangpin.datafeeds.core.sources.departments import SOURCES

SOURCE_CHOICES = [(s.code, s.label) for s in SOURCES]


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("比对中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


def _own_uploads(user: object) -> Q:
    return Q(created_by=user)


class FeedRun(models.Model):
    """One department file for one period, compared once (same file + period = same run).

    `scope_code` is the county's code prefix: county users see their county's runs,
    a department liaison only the runs of the files they uploaded."""

    area_scope = AreaScope(village="scope_code", others=_own_uploads)

    source = models.CharField(_("数据来源"), max_length=40, choices=SOURCE_CHOICES)
    period = models.CharField(_("数据期间"), max_length=7)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.BigIntegerField(default=0)
    stored_path = models.CharField(max_length=500)
    scope_code = models.CharField(max_length=15, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    message = models.TextField(blank=True)
    stats = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("比对批次")
        verbose_name_plural = _("比对批次")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "period", "file_sha256", "scope_code"], name="feedrun_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.period} #{self.pk}"


class WarningRule(models.Model):
    """A warning rule as data, effective-dated and area-scoped (`scope_code` = an area's
    code prefix; empty = national).  Rules name no household: global reference data."""

    code = models.CharField(_("规则编号"), max_length=20)
    source = models.CharField(_("数据来源"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    condition = models.TextField(_("触发条件"))
    population = models.CharField(_("适用人群"), max_length=30)
    window = models.CharField(_("统计窗口"), max_length=20)
    cadence = models.CharField(_("执行频次"), max_length=20)
    metric = models.CharField(_("指标"), max_length=200, blank=True)
    threshold = models.CharField(_("阈值"), max_length=300, blank=True)
    risk_types = models.JSONField(_("风险类型"), default=list, blank=True)
    enabled = models.BooleanField(_("已启用"), default=False)
    scope_code = models.CharField(max_length=15, blank=True, db_index=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "scope_code", "effective_from"], name="rule_unique_version"),
        ]

    def __str__(self) -> str:
        return self.code


class RuleEvaluation(models.Model):
    """A rule ran for a cadence key (a monthly rule once per period)."""

    rule_code = models.CharField(max_length=20)
    scope_code = models.CharField(max_length=15)
    cadence_key = models.CharField(max_length=40)
    run = models.ForeignKey(FeedRun, on_delete=models.CASCADE, related_name="evaluations")
    hits = models.PositiveIntegerField(default=0)
    new_warnings = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule_code", "scope_code", "cadence_key"], name="rule_eval_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.cadence_key}"


class WarningStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    DISTRIBUTED = "distributed", _("已分派核实")
    NO_RISK = "no_risk", _("核实无风险")
    INCLUDED = "included", _("已纳入监测")
    POLICY_ISSUE = "policy_issue_referred", _("已转行业部门")
    FEEDBACK_SENT = "feedback_sent", _("已反馈部门")
    CLOSED = "closed", _("已办结")


class DepartmentWarning(models.Model):
    """One department warning on one registry person. [DOMAIN §2.7, §3.7]"""

    area_scope = AreaScope(village="village_code")

    run = models.ForeignKey(FeedRun, on_delete=models.PROTECT, related_name="warnings")
    source = models.CharField(_("数据来源"), max_length=40, choices=SOURCE_CHOICES)
    rule_code = models.CharField(_("规则编号"), max_length=20)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12, db_index=True)
    metric_value = models.DecimalField(_("指标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    threshold_value = models.DecimalField(_("阈值"), max_digits=14, decimal_places=2, null=True, blank=True)
    event_date = models.DateField(_("发生日期"), null=True, blank=True)
    window_key = models.CharField(max_length=20)
    line = models.PositiveIntegerField(_("原文件行号"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=24, choices=WarningStatus.choices, default=WarningStatus.RECEIVED)
    clue_id = models.BigIntegerField(null=True, blank=True)
    verification_result = models.CharField(_("核实结果"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    distributed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    feedback_sent_at = models.DateTimeField(null=True, blank=True)
    # The transition engine's optimistic lock and change time (every engine object has them).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门预警")
        verbose_name_plural = _("部门预警")
        ordering = ["-id"]
        constraints = [
            # Repeat suppression: one warning per person, rule and window.
            models.UniqueConstraint(fields=["person", "rule_code", "window_key"], name="warning_once_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} #{self.pk}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("待核对")
    CONFIRMED = "confirmed", _("确认是同一人")
    DISMISSED = "dismissed", _("不是同一人")


class ReviewPair(models.Model):
    """A feed record and a registry person the linkage is unsure of; the decision is reused every month."""

    area_scope = AreaScope(village="village_code")

    source = models.CharField(_("数据来源"), max_length=40, choices=SOURCE_CHOICES)
    feed_key = models.CharField(max_length=32)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12, db_index=True)
    run = models.ForeignKey(FeedRun, on_delete=models.PROTECT, related_name="review_pairs")
    probability = models.FloatField(_("匹配概率"))
    feed_record = models.JSONField(default=dict)  # name, masked ID, birth date, sex, village, line
    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("疑似匹配")
        verbose_name_plural = _("疑似匹配")
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "feed_key", "person"], name="review_pair_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.feed_key} → {self.person_id}"
