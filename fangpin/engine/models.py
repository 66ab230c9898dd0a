"""The engine's tables: the one event row of every machine (timeline, clock input and
notification outbox at once) and the outbox rows it fans out to. The tables keep the names
they had in monitoring (moved with SeparateDatabaseAndState: no data moves)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.core.masking import mask_phone
from fangpin.core.scoping import AreaScope, ScopedQuerySet
from fangpin.engine.choices import SmsStatus

SCOPE = AreaScope(village="village_code", grid="household__grid_id")
USER = settings.AUTH_USER_MODEL


class CaseEvent(models.Model):
    """Every transition of every case: the timeline, the clock's input and the
    notification outbox at once (Healthchecks' Flip). [STYLE.md]"""

    area_scope = SCOPE

    case_kind = models.CharField(_("对象"), max_length=16)  # the machine's name
    case_id = models.BigIntegerField(_("对象ID"))
    village_code = models.CharField(_("村区划代码"), max_length=12, db_index=True)
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    channel = models.CharField(_("途径"), max_length=10, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # Outbox: set by the dispatcher after the writing transaction committed (never inside it).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "monitoring_caseevent"
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case_kind", "case_id", "at"])]

    def __str__(self) -> str:
        return f"{self.case_kind}:{self.case_id} {self.action}"


class Notification(models.Model):
    """An in-app notification for one user. [issue 3 item 9]"""

    # Every role sees only its own notifications.
    area_scope = AreaScope(village="village_code", readers=frozenset(), others=lambda user: Q(user=user))

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    village_code = models.CharField(max_length=12, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # One "due soon" / "overdue" reminder per user, case and kind.
    dedupe_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001  (NULL: no dedupe)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "monitoring_notification"
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_unique_dedupe"),
        ]

    def __str__(self) -> str:
        return self.title


class SmsOutbox(models.Model):
    """An SMS waiting for the pluggable sender (feedback to the source). [DOMAIN §2.6]"""

    area_scope = AreaScope(village="village_code", readers=frozenset({"county_admin"}))

    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    village_code = models.CharField(max_length=12, blank=True)
    phone = models.CharField(_("手机号"), max_length=20)
    body = models.CharField(_("内容"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "monitoring_smsoutbox"
        verbose_name = _("短信发件箱")
        verbose_name_plural = _("短信发件箱")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.status}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
