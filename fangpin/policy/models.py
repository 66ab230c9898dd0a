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
