"""Domain errors: each carries a Chinese message a user can act on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every refusal a service can raise; never shows a stack trace."""

    status = 400
    default_message = _("操作未能完成。")

    def __init__(self, message: object = None, *, reasons: Iterable[object] = ()) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.reasons = [str(r) for r in reasons]
        super().__init__(self.message)


class NotFound(DomainError):
    status = 404
    default_message = _("找不到该记录，或您无权查看。")


class Forbidden(DomainError):
    status = 403
    default_message = _("您的角色无权执行此操作。")


class Conflict(DomainError):
    status = 409
    default_message = _("该记录已被他人修改，请刷新后重试。")


class InvalidInput(DomainError):
    status = 400
    default_message = _("输入有误。")


class FieldErrors(InvalidInput):
    """Input refused field by field: `field_errors` maps each field to its reason; the message names
    each field by the subclass's Chinese `labels`."""

    labels: Mapping[str, str] = {}

    def __init__(self, field_errors: dict[str, str]) -> None:
        self.field_errors = field_errors
        super().__init__("；".join(f"{self.labels.get(k, k)}：{m}" for k, m in field_errors.items()))


class TransitionRefused(DomainError):
    status = 409
    default_message = _("当前状态下不允许此操作。")
