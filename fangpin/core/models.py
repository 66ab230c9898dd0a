"""Cross-domain tables: the append-only audit log and background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangpin.core.roles import PERMISSIONS
from fangpin.core.scoping import AreaScope


class Channel(models.TextChoices):
    WEB = "web", _("页面")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    COMMAND = "command", _("命令行")
    SYSTEM = "system", _("系统任务")
    PUBLIC = "public", _("群众自主申报")


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("流程操作")
    READ = "read", _("查看完整记录")
    SEARCH = "search", _("按证件号查询")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看完整号码")
    IMPORT = "import", _("导入")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    DENIED = "denied", _("越权访问被拒")
    TOKEN = "token", _("令牌管理")
    CONFIG = "config", _("参数配置")
    PURGE = "purge", _("日志清理")


class AuditEvent(models.Model):
    """One row per change or sensitive read; never updated or deleted.

    Rows are chained: `hash` covers the row's content and the previous row's
    hash, so `fangpin audit verify` finds any edit, deletion or reordering.
    Database triggers refuse UPDATE, DELETE and TRUNCATE (migration 0002).
    """

    # Auditors read events about objects in their area or done by its users.
    area_scope = AreaScope(village="area_code", also=("actor_area",), readers=frozenset(PERMISSIONS["audit.view"]))

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    actor_role = models.CharField(_("角色"), max_length=32, blank=True)
    actor_area = models.CharField(_("操作人区划"), max_length=15, blank=True)
    channel = models.CharField(_("途径"), max_length=10, choices=Channel.choices)
    action = models.CharField(_("动作"), max_length=16, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=40, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=40, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    # The village code of the object, so the audit viewer is area-scoped too.
    area_code = models.CharField(_("对象区划"), max_length=15, blank=True, db_index=True)
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    success = models.BooleanField(_("成功"), default=True)
    request_id = models.CharField(max_length=36, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    batch_ref = models.CharField(_("批次"), max_length=40, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """A background job (import, export, feed run) with its outcome."""

    kind = models.CharField(max_length=40, db_index=True)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    pid = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"
