"""After every migrate, each known parameter has at least its national default row."""

from __future__ import annotations

from datetime import date
from typing import Any


def seed_national_defaults(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from fangpin.policy.catalog import CATALOG
    from fangpin.policy.models import PolicyParameter

    for spec in CATALOG.values():
        if not PolicyParameter.objects.using(using).filter(key=spec.key, area__isnull=True).exists():
            PolicyParameter.objects.using(using).create(
                key=spec.key,
                area=None,
                value=spec.default,
                unit=spec.unit,
                effective_from=date(2021, 1, 1),
                source_document=spec.source,
                note="全国默认值（可由省、市、县按年度另行设定）",
            )
