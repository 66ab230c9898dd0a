"""The pipelines turn transparent huge pages off for their process, unless told not to."""

from __future__ import annotations

import os
import subprocess
import sys

from fangpin.core.memory import no_huge_pages

# A process with THP as the system sets it (the flag is inherited: the test process may have turned
# it off, so it is turned back on first), then its THP-disabled flag (PR_GET_THP_DISABLE = 42)
# before and after the call, and what the call returned.
PROBE = """
import ctypes
libc = ctypes.CDLL(None)
libc.prctl(41, 0, 0, 0, 0)
from fangpin.core.memory import no_huge_pages
before = libc.prctl(42, 0, 0, 0, 0)
print(before, no_huge_pages(), libc.prctl(42, 0, 0, 0, 0))
"""


def _probe(**env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env={**os.environ, **env}
    )
    return done.stdout.strip()


def test_a_pipeline_process_runs_without_transparent_huge_pages():
    if not sys.platform.startswith("linux"):  # no such setting elsewhere: the call says it did nothing
        assert no_huge_pages() is False
        return
    assert _probe(FANGPIN_HUGE_PAGES="0") == "0 True 1"


def test_fangpin_huge_pages_1_leaves_the_system_setting_alone():
    if not sys.platform.startswith("linux"):
        assert no_huge_pages() is False
        return
    assert _probe(FANGPIN_HUGE_PAGES="1") == "0 False 0"
