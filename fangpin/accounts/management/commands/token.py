"""`fangpin token create --user NAME`: print a new personal API token."""

from django.core.management.base import BaseCommand, CommandError

from fangpin.accounts.models import User
from fangpin.accounts.services import token_create, token_revoke
from fangpin.core.actor import Actor


class Command(BaseCommand):
    help = "API令牌：create 为用户新建令牌并打印（只显示一次）；revoke 吊销"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("--user", help="用户名（create）")
        parser.add_argument("--name", default="", help="用途说明")
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认长期）")
        parser.add_argument("--id", type=int, help="令牌ID（revoke）")

    def handle(self, *args, action: str, user: str | None, name: str, days: int | None, id: int | None, **opts):
        if action == "create":
            target = User.objects.filter(username=user or "").first()
            if target is None:
                raise CommandError(f"用户不存在：{user}")
            _, key = token_create(actor=Actor.command(), user=target, name=name, days=days)
            self.stdout.write(key)
        else:
            if id is None:
                raise CommandError("请用 --id 指定令牌")
            token_revoke(actor=Actor.command(), token_id=id)
            self.stdout.write("已吊销")
