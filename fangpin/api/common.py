"""What every API router does the same way: permission checks, the acting
party of an API call, and offset paging with one page-size cap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.http import HttpRequest

from fangpin.core.actor import Actor
from fangpin.core.errors import Forbidden, InvalidInput
from fangpin.core.models import Channel

MAX_PAGE = 200
DB_INT_MAX = 2**63 - 1  # the databases' BIGINT
T = TypeVar("T")


def need(request: HttpRequest, perm: str) -> None:
    """Refuse (403) unless the caller's role grants `perm`."""
    need_any(request, perm)


def need_any(request: HttpRequest, *perms: str) -> None:
    """Refuse (403) unless the caller's role grants one of `perms`."""
    user = request.user
    # The routers' AUTH has answered 401 before any operation runs; an anonymous caller is refused anyway.
    if not user.is_authenticated or not any(user.can(p) for p in perms):
        raise Forbidden()


def api_actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, Channel.API)


def page_size(size: int) -> int:
    """A requested page size clamped to 1 … MAX_PAGE."""
    return max(1, min(size, MAX_PAGE))


def offset_page(qs: Sequence[T] | Any, offset: int, limit: int) -> Any:
    """Rows `offset … offset+limit` of a queryset, the limit clamped like `page_size`."""
    start = max(offset, 0)
    return qs[start : start + page_size(limit)]


def id_param(value: int | None, name: str) -> int | None:
    """An id or cursor from the query string, refused in Chinese past what the database can hold
    (SQLite raised OverflowError, PostgreSQL silently matched nothing)."""
    if value is not None and not 0 <= value <= DB_INT_MAX:
        raise InvalidInput(f"{name}：数值超出允许范围")
    return value
