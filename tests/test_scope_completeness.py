"""No page, API route or model may skip area scoping (SECURITY T-08).

Every URL pattern's view is classified (scoped, public or global); every model
that reaches a household or a person declares an AreaScope; a new page or
table that forgets fails here, listing what is unclassified."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from fangpin.api.api import api
from fangpin.core.scoping import ACCESS_ATTR, PUBLIC, AreaScope
from fangpin.registry.models import Household, Person

# Views outside fangpin that are safe by construction, with the reason.
ALLOWED_FOREIGN = {
    "django.contrib.admin": "Django admin: superuser only, registers no household or person model",
    "django.views.static": "static files",
    "ninja": "the OpenAPI document and its docs page (no data)",
}
PUBLIC_ALLOWED = {
    "login/",
    # The farmers' self-report and its status check (code + last 4 ID digits), rate-limited.
    "monitoring/report/",
    "monitoring/report/status/",
}  # routes reachable without signing in
# Models that point at households or persons but are not read by users at all.
GLOBAL_MODELS: dict[str, str] = {}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_url_is_classified():
    unclassified, public = [], []
    for route, view in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # Django admin: is_staff only; it registers no household or person model (below)
        view = getattr(view, "func", view)  # ninja wraps its document views in functools.partial
        module = getattr(view, "__module__", "") or ""
        kind = getattr(view, ACCESS_ATTR, None) or getattr(getattr(view, "view_class", None), ACCESS_ATTR, None)
        if kind is None and any(module.startswith(m) for m in ALLOWED_FOREIGN):
            continue
        if kind is None:
            unclassified.append(f"{route} -> {module}.{getattr(view, '__name__', view)}")
        elif kind == PUBLIC:
            public.append(route)
    assert not unclassified, "URL patterns without a scope classification:\n" + "\n".join(unclassified)
    assert set(public) <= PUBLIC_ALLOWED


def test_every_api_operation_is_classified():
    missing = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                if getattr(op.view_func, ACCESS_ATTR, None) is None:
                    missing.append(f"{op.methods} {path} -> {op.view_func.__name__}")
    assert not missing, "API operations without a scope classification:\n" + "\n".join(missing)


def _reaches(model, targets, seen=None) -> bool:
    seen = seen or set()
    if model in targets:
        return True
    seen.add(model)
    for field in model._meta.get_fields():
        related = field.related_model if isinstance(field, (models.ForeignKey, models.OneToOneField)) else None
        if related is not None and related not in seen and _reaches(related, targets, seen):
            return True
    return False


def test_every_model_that_reaches_a_household_or_person_declares_its_scope():
    missing = []
    for model in apps.get_models():
        if not _reaches(model, {Household, Person}):
            continue
        label = model._meta.label
        if label in GLOBAL_MODELS:
            continue
        if not isinstance(getattr(model, "area_scope", None), AreaScope):
            missing.append(label)
    assert not missing, "Models reaching households/persons without area_scope: " + ", ".join(missing)


def test_the_admin_registers_no_personal_data():
    from django.contrib import admin

    registered = {m._meta.label for m in admin.site._registry}
    assert not any(label.startswith("registry.") for label in registered)
