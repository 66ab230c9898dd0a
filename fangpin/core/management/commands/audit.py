"""`fangpin audit verify|anchor|purge`: check and keep the audit chain."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log, chain_head, verify_chain
from fangpin.core.dbguard import audit_guard_open
from fangpin.core.models import AuditAction, AuditEvent

MIN_RETENTION_DAYS = 3 * 365  # PIPL art. 56: processing records kept at least three years


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链；anchor 把链头写到外部文件；purge 清理超过保留期的日志"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor", "purge"])
        parser.add_argument("--anchor-file", default=str(settings.FANGPIN["AUDIT_ANCHOR_FILE"]))
        parser.add_argument("--older-than-days", type=int, default=MIN_RETENTION_DAYS)

    def handle(self, *args, action: str, anchor_file: str, older_than_days: int, **opts):
        if action == "verify":
            checked, broken = verify_chain()
            if broken is not None:
                raise CommandError(f"审计日志哈希链在第 {broken} 条处断裂（已校验 {checked} 条）")
            self._check_anchor(Path(anchor_file))
            self.stdout.write(f"审计日志完整：{checked} 条")
        elif action == "anchor":
            seq, digest = chain_head()
            with open(anchor_file, "a") as fh:
                fh.write(f"{timezone.now().isoformat()} {seq} {digest}\n")
            self.stdout.write(f"链头 {seq} {digest} 已写入 {anchor_file}")
        else:
            self._purge(older_than_days)

    def _check_anchor(self, path: Path) -> None:
        if not path.exists():
            return
        lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
        for _at, seq, digest in lines[-1:]:
            row = AuditEvent.objects.filter(seq=int(seq)).values_list("hash", flat=True).first()
            if row != digest:
                raise CommandError(f"审计日志与外部锚点不符：第 {seq} 条缺失或被改动（日志可能被截断）")

    def _purge(self, days: int) -> None:
        if days < MIN_RETENTION_DAYS:
            raise CommandError(f"保留期不能短于 {MIN_RETENTION_DAYS} 天")
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic(), audit_guard_open():
            count, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
            audit_log(
                actor=Actor.command(),
                action=AuditAction.PURGE,
                object_type="audit",
                changes={"deleted": [None, count], "before": [None, cutoff.isoformat()]},
            )
        self.stdout.write(f"已清理 {count} 条 {cutoff:%Y-%m-%d} 之前的审计日志")
