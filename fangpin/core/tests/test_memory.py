"""The pipelines turn transparent huge pages off for their process, unless told not to."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """
import ctypes
from fangpin.core.memory import no_huge_pages
print(no_huge_pages(), ctypes.CDLL(None).prctl(42, 0, 0, 0, 0))  # 42: PR_GET_THP_DISABLE
"""


def _probe(**env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env={**os.environ, **env}
    )
    return done.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux process setting")
def test_a_pipeline_process_runs_without_transparent_huge_pages():
    assert _probe(FANGPIN_HUGE_PAGES="0") == "True 1"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux process setting")
def test_fangpin_huge_pages_1_leaves_the_system_setting_alone():
    assert _probe(FANGPIN_HUGE_PAGES="1") == "False 0"
