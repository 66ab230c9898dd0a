"""Area scoping: the ONE mechanism every page, API route, search, count,
export and job uses to decide which rows a user may see.

A model that reaches a household or a person declares how it is scoped:

    class Person(models.Model):
        area_scope = AreaScope(village="household__village_code", grid="household__grid_id")

and is read only through `visible(...)` (or the `ScopedQuerySet.visible_to`
shortcut).  It fails closed: an anonymous or inactive user, a role that does
not read the registry, or a user whose area does not fit the role gets
`.none()`.  `tests/test_scope_completeness.py` fails when a model or a URL is
not classified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from fangpin.core.arealevel import AreaLevel
from fangpin.core.roles import REGISTRY_READERS

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class AreaScope:
    """Where a model keeps the village code (and grid) of the household it belongs to."""

    village: str
    grid: str | None = None
    # Further village-code fields OR'ed with `village` (e.g. the actor's area in the audit log).
    also: tuple[str, ...] = ()
    readers: frozenset[str] = frozenset(REGISTRY_READERS)
    # Extra rule for roles outside `readers` (e.g. a liaison sees own uploads).
    others: Callable[[Any], Q | None] | None = None


def user_filter(user: Any, scope: AreaScope) -> Q | None:
    """The filter for `user` under `scope`, or None when the user may see nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    area = user.scope_area
    if area is None:
        return None
    if user.role not in scope.readers:
        return scope.others(user) if scope.others else None
    if area.level == AreaLevel.GRID:
        return Q(**{scope.grid: area.pk}) if scope.grid else None
    q = Q(**{f"{scope.village}__startswith": area.prefix})
    for name in scope.also:
        q |= Q(**{f"{name}__startswith": area.prefix})
    return q


def scope_of(model: type[models.Model]) -> AreaScope:
    scope = getattr(model, "area_scope", None)
    if not isinstance(scope, AreaScope):
        raise TypeError(f"{model.__name__} declares no area_scope")
    return scope


def visible(qs_or_model: models.QuerySet[M] | type[M], user: Any) -> models.QuerySet[M]:
    """Rows of the queryset that `user` may see; `.none()` when nothing."""
    qs = qs_or_model if isinstance(qs_or_model, models.QuerySet) else qs_or_model._default_manager.all()
    q = user_filter(user, scope_of(qs.model))
    return qs.none() if q is None else qs.filter(q)


def get_visible_or_404(qs_or_model: models.QuerySet[M] | type[M], user: Any, **lookup: Any) -> M:
    """One visible row; 404 whether it is missing or out of scope (no existence oracle)."""
    try:
        return visible(qs_or_model, user).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def area_in_scope(user: Any, area: Any) -> bool:
    """Whether `area` (a village or grid) lies inside the user's scope area."""
    scope_area = getattr(user, "scope_area", None)
    return bool(scope_area is not None and area is not None and scope_area.contains(area))


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ScopedQuerySet:
        return visible(self, user)  # type: ignore[return-value,type-var]


# View classification, read by the completeness test.
ACCESS_ATTR = "fangpin_access"
SCOPED, PUBLIC, GLOBAL = "scoped", "public", "global"


def classify(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, ACCESS_ATTR, kind)
        return view

    return mark
