"""What the data-feed services share: where the files are stored, a run's county and period end."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

from fangpin.areas.models import Area
from fangpin.datafeeds.models import FeedRun

CHUNK = 5000  # persons / warnings per query or UPDATE batch


def store_dir() -> Path:
    path = Path(settings.FANGPIN["IMPORT_DIR"]).parent / "feeds"
    path.mkdir(parents=True, exist_ok=True)
    return path


def period_end(period: str) -> date:
    start = date(int(period[:4]), int(period[5:7]), 1)
    return (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def county_area(run: FeedRun) -> Area | None:
    return Area.objects.filter(code=run.scope_code.ljust(12, "0")).first()
