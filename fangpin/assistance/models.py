"""Household plans (一户一方案), per-person measures (一人一措施), their evidence,
and visits (走访). [DOMAIN §2.11, §2.12, §3.6]"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.assistance import catalogue, rules
from fangpin.core.scoping import AreaScope, ScopedQuerySet

MEASURE_CHOICES = [(t.code, f"{t.code} {t.name}") for t in rules.MEASURE_TYPES.values()]
CATEGORY_CHOICES = list(rules.CATEGORIES.items())


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    IN_PROGRESS = "in_progress", _("实施中")
    IMPLEMENTED = "implemented", _("已落实")
    ONGOING = "ongoing", _("持续帮扶中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")


class VisitMode(models.TextChoices):
    ON_SITE = "on_site", _("入户走访")
    PHONE = "phone", _("电话回访")
    VIDEO = "video", _("视频走访")


class VisitorRole(models.TextChoices):
    ASSISTANCE_CONTACT = "assistance_contact", _("帮扶联系人")
    VILLAGE_CADRE = "village_cadre", _("村干部")
    WORK_TEAM = "work_team", _("驻村工作队")
    GRID_WORKER = "grid_worker", _("网格员")
    TOWNSHIP_CADRE = "township_cadre", _("乡镇干部")
    INSPECTOR = "inspector", _("督导检查人员")


class AssistancePlan(models.Model):
    """One plan per household per monitoring episode. [R-AS-1, DOMAIN §2.11]"""

    area_scope = AreaScope(village="household__village_code", grid="household__grid_id")

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="assistance_plans"
    )
    episode = models.OneToOneField(
        "monitoring.MonitoringEpisode",
        verbose_name=_("监测记录"),
        on_delete=models.PROTECT,
        related_name="assistance_plan",
    )
    risk_analysis = models.TextField(_("风险分析"), blank=True)
    goals = models.TextField(_("帮扶目标"), blank=True)
    contact_name = models.CharField(_("帮扶联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("帮扶联系人电话"), max_length=20, blank=True)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶计划（一户一方案）")
        verbose_name_plural = _("帮扶计划（一户一方案）")

    def __str__(self) -> str:
        return f"{self.household_id}/{self.episode_id}"


class AssistanceMeasure(models.Model):
    """One measure for one person (or the household). [一人一措施, DOMAIN §2.11, §3.6]"""

    area_scope = AreaScope(village="household__village_code", grid="household__grid_id")

    plan = models.ForeignKey(
        AssistancePlan, verbose_name=_("帮扶计划"), on_delete=models.PROTECT, related_name="measures"
    )
    # Denormalised from the plan so that scoping and the reports are one indexed join.
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("帮扶对象（成员）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assistance_measures",
    )
    measure_code = models.CharField(_("帮扶措施"), max_length=10, choices=MEASURE_CHOICES)
    category = models.CharField(_("措施类别"), max_length=24, choices=CATEGORY_CHOICES, db_index=True)
    is_developmental = models.BooleanField(_("开发式帮扶措施"), default=False)
    responsible_department = models.CharField(_("责任单位"), max_length=60)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, default=Decimal("0"))
    description = models.CharField(_("措施说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    implemented_on = models.DateField(_("落实日期"), null=True, blank=True)
    status_reason = models.CharField(_("状态变更说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶措施（一人一措施）")
        verbose_name_plural = _("帮扶措施（一人一措施）")
        ordering = ["plan_id", "id"]
        indexes = [models.Index(fields=["household", "category"])]

    def __str__(self) -> str:
        return f"{self.measure_code} #{self.pk}"

    @property
    def measure_name(self) -> str:
        """The name in the national seed, else in the county's catalogue (a measure it added)."""
        seeded = rules.MEASURE_TYPES.get(self.measure_code)
        if seeded is not None:
            return seeded.name
        return catalogue.measure_name(self.measure_code, area=self.household.village, on=timezone.localdate())


class MeasureEvidence(models.Model):
    """A file proving a measure (stored under FANGPIN_VAR_DIR, never in the static tree)."""

    area_scope = AreaScope(village="measure__household__village_code", grid="measure__household__grid_id")

    measure = models.ForeignKey(AssistanceMeasure, on_delete=models.PROTECT, related_name="evidence")
    file_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.file_name


class Visit(models.Model):
    """A visit to a household (走访); a finding can raise a risk clue. [DOMAIN §2.12]"""

    area_scope = AreaScope(village="household__village_code", grid="household__grid_id")

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="visits"
    )
    plan = models.ForeignKey(
        AssistancePlan,
        verbose_name=_("帮扶计划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visitor_role = models.CharField(_("走访人身份"), max_length=20, choices=VisitorRole.choices)
    visited_on = models.DateField(_("走访日期"))
    mode = models.CharField(_("走访方式"), max_length=10, choices=VisitMode.choices, default=VisitMode.ON_SITE)
    findings = models.TextField(_("走访情况"))
    income_changed = models.BooleanField(_("收入明显变化"), default=False)
    guarantee_problem = models.BooleanField(_("“三保障”出现问题"), default=False)
    water_problem = models.BooleanField(_("饮水出现问题"), default=False)
    new_risk = models.BooleanField(_("发现新的风险"), default=False)
    risk_types = models.JSONField(_("发现的风险类型"), default=list, blank=True)
    household_signed = models.BooleanField(_("农户签字认可"), default=False)
    clue = models.ForeignKey(
        "monitoring.RiskClue",
        verbose_name=_("生成的风险线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"
