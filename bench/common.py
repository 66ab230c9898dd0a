"""Shared helpers: timing, results JSON, machine facts."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as fh:
        cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median_of(n: int, fn: Callable[[], Any]) -> tuple[float, list[float]]:
    runs = [timed(fn)[0] for _ in range(n)]
    return statistics.median(runs), runs


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def write_result(
    name: str, *, ratio: float, ratio_means: str, figures: dict[str, Any], command: str, target: str = ""
) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {
        "name": name,
        "ratio": round(ratio, 4),
        "ratio_means": ratio_means,
        "target": target,
        "figures": figures,
        "command": command,
        "machine": machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
    print(json.dumps({k: payload[k] for k in ("name", "ratio", "ratio_means", "target")}, ensure_ascii=False))
    return out


def run_module(module: str, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [os.sys.executable, "-m", module, *args],
        cwd=ROOT,
        check=True,
        env={**os.environ, **(env or {})},
    )
