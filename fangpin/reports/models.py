"""The dashboard's per-village KPI summary (DOMAIN §5), filled by the refresh job.

A refresh replaces one county's rows in one transaction: for each summarised
period and each KPI, the numerator and denominator of every village, computed
by the very same aggregate as the live dashboard.  Township and county figures
are sums of village rows, so the page reads a bounded number of small rows
whatever the number of households.  The rows hold counts only, never a
household or a person.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KpiRefresh(models.Model):
    """When a county's summary was last computed, for which periods and by which job."""

    county = models.OneToOneField(
        "areas.Area", verbose_name=_("县"), on_delete=models.CASCADE, related_name="kpi_refresh"
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    as_of = models.DateField(_("统计基准日"))
    periods = models.JSONField(_("已汇总统计期"), default=list)
    job = models.ForeignKey(
        "core.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("统计汇总更新记录")
        verbose_name_plural = _("统计汇总更新记录")

    def __str__(self) -> str:
        return f"{self.county_id}@{self.computed_at:%Y-%m-%d %H:%M}"


class KpiSummary(models.Model):
    """One KPI of one village in one period: numerator and denominator."""

    village = models.ForeignKey("areas.Area", verbose_name=_("村"), on_delete=models.CASCADE, related_name="+")
    village_code = models.CharField(_("村区划代码"), max_length=15)
    period = models.CharField(_("统计期"), max_length=10)
    kpi = models.CharField(_("指标"), max_length=40)
    num = models.BigIntegerField(_("分子"))
    den = models.BigIntegerField(_("分母"))

    class Meta:
        verbose_name = _("村级统计汇总")
        verbose_name_plural = _("村级统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["period", "village_code", "kpi"], name="reports_kpisummary_unique"),
        ]
        indexes = [
            models.Index(
                fields=["period", "village_code"],
                name="reports_kpisum_period_code",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.village_code} {self.kpi}"
