"""Who is acting and through which channel: passed to every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fangpin.core.models import Channel


@dataclass(frozen=True)
class Actor:
    user: Any  # accounts.User or None for system jobs
    channel: str = Channel.WEB
    request_id: str = ""
    ip: str = ""
    batch_ref: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: Any, channel: str = Channel.WEB) -> Actor:
        return cls(
            user=request.user if request.user.is_authenticated else None,
            channel=channel,
            request_id=getattr(request, "request_id", ""),
            ip=request.META.get("REMOTE_ADDR", ""),
        )

    @classmethod
    def command(cls, user: Any = None) -> Actor:
        return cls(user=user, channel=Channel.COMMAND)

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, channel=Channel.SYSTEM)

    def with_batch(self, batch_ref: str, channel: str = Channel.IMPORT) -> Actor:
        return Actor(
            user=self.user,
            channel=channel,
            request_id=self.request_id,
            ip=self.ip,
            batch_ref=batch_ref,
            extra=self.extra,
        )
