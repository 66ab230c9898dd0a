"""Process memory settings for the data pipelines.  No Django, no heavy imports (the benchmarks'
peers call this too, so that every peer runs under the same setting)."""

from __future__ import annotations

import ctypes
import functools
import os
import sys

_PR_SET_THP_DISABLE = 41  # linux/prctl.h


@functools.cache
def no_huge_pages() -> bool:
    """Turn transparent huge pages off for this process (Linux; idempotent; False where it cannot).

    With THP set to "always" (a common kernel default) every first touch of fresh memory faults in,
    zeroes and may compact a whole 2 MB page.  A run allocates and frees Arrow and NumPy buffers of
    a few MB by the hundred, and on a 10M-row file that cost 0.6-1.5 s of system time in 7 s
    (measured on these machines; DuckDB's own allocator is not affected).  Database vendors advise
    THP off for the same reason.  FANGPIN_HUGE_PAGES=1 leaves the system setting alone."""
    if os.environ.get("FANGPIN_HUGE_PAGES") == "1" or not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
