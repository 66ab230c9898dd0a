"""A monthly run killed inside its write transaction leaves no partial warnings; a rerun completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from fangpin.datafeeds.models import DepartmentWarning, FeedRun, RunStatus

ROOT = Path(__file__).resolve().parents[3]


def _db_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return (
        f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


def _cli(*args: str, pause: str = "0", mark: str = "") -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _db_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The worker's own file directory (uploads, job progress), as the test process sees it.
        "FANGPIN_VAR_DIR": str(Path(settings.FANGPIN["IMPORT_DIR"]).parent),
        "FANGPIN_FEEDS_PAUSE_IN_WRITE": pause,
        "FANGPIN_FEEDS_PAUSE_MARK": mark,
        "FANGPIN_JOB_MODE": "worker",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "fangpin", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_half_way_leaves_no_warnings_and_a_rerun_completes(tmp_path):
    from fangpin.accounts.models import User
    from fangpin.synth.county import write_county

    paths = write_county(tmp_path, households=600, seed=3)
    assert _cli("load-areas", str(paths["areas"])).wait(timeout=120) == 0
    assert _cli("import-registry", str(paths["registry"]), "--accept").wait(timeout=300) == 0
    from fangpin.areas.models import Area

    county = Area.objects.get(level="county")
    User.objects.create_user(username="admin_x", password="x-Password-2026", role="county_admin", area=county)
    assert (
        _cli(
            "synth", "--households", "600", "--seed", "3", "--out", str(tmp_path), "--feeds", "--feed-rows", "400"
        ).wait(timeout=300)
        == 0
    )
    feed = tmp_path / "feeds" / "medical_security-2026-10.csv"
    mark = tmp_path / "in-write"  # written by the run inside its write transaction, just before it pauses
    proc = _cli(
        "feeds", "run", str(feed), "--source", "medical_security", "--period", "2026-10", pause="120", mark=str(mark)
    )
    deadline = time.monotonic() + 240
    while not mark.exists():
        assert proc.poll() is None, proc.stdout.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert DepartmentWarning.objects.count() == 0
    rerun = _cli("feeds", "run", str(feed), "--source", "medical_security", "--period", "2026-10")
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output
    run = FeedRun.objects.get()
    assert run.status == RunStatus.DONE, output
    assert DepartmentWarning.objects.filter(run=run).count() == run.stats["new_warnings"] > 0
    again = _cli("feeds", "run", str(feed), "--source", "medical_security", "--period", "2026-10")
    assert again.wait(timeout=300) == 0
    assert FeedRun.objects.count() == 1 and DepartmentWarning.objects.count() == run.stats["new_warnings"]
