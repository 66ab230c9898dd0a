"""Effective-dated, area-scoped policy parameters. [DOMAIN §2.24]"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PolicyParameter(models.Model):
    key = models.CharField(_("参数"), max_length=64, db_index=True)
    # Null area = national default; otherwise a province, city or county.
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.JSONField(_("取值"))
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    source_document = models.CharField(_("依据文件"), max_length=300, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "area", "effective_from"], name="policy_unique_start"),
            models.UniqueConstraint(
                fields=["key", "effective_from"],
                condition=models.Q(area__isnull=True),
                name="policy_unique_national_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.area_id or 'national'} {self.effective_from}"


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class HolidayYear(models.Model):
    """One year's official schedule (放假安排) for an area: the statutory clock reads only
    these rows. The most specific area above a village that has the year wins. [issue 12]"""

    year = models.PositiveSmallIntegerField(_("年份"))
    # Null area = the national schedule; a province, city or county row replaces it below.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_document = models.CharField(_("依据文件"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    # Bumped by every change of the year or its days: the clock's cache key.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("放假安排")
        verbose_name_plural = _("放假安排")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["year", "area"], name="holiday_year_unique_area"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(area__isnull=True), name="holiday_year_unique_national"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}@{self.area_id or 'national'}"


class HolidayDay(models.Model):
    calendar_year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=HolidayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("放假安排日期")
        verbose_name_plural = _("放假安排日期")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["calendar_year", "day"], name="holiday_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
