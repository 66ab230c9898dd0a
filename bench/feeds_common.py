"""Shared pieces of the data-feed benchmarks: generated data, peers in subprocesses, peak memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import DATA, ROOT


def data_dir(name: str) -> Path:
    path = DATA / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_registry(n: int, *, seed: int = 1) -> Path:
    """registry.parquet with n synthetic persons (the `reg` frame)."""
    from fangpin.synth.feeds import synth_registry

    path = data_dir(f"feeds-reg-{n}") / "registry.parquet"
    if not path.exists():
        started = time.perf_counter()
        synth_registry(n, seed=seed).write_parquet(path)
        print(f"registry {n:,} written in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return path


def ensure_feed(reg_path: Path, source: str, rows: int, *, seed: int, fmt: str = "csv") -> tuple[Path, Path]:
    """A department file (CSV UTF-8 / GB18030 / XLSX / Parquet) drawn from the registry, and its truth."""
    import polars as pl

    from fangpin.synth.feeds import synth_feed

    folder = reg_path.parent
    path = folder / f"{source}-{rows}-{seed}.{fmt.replace('gb18030', 'gb.csv')}"
    truth = folder / f"{source}-{rows}-{seed}.truth.parquet"
    if not path.exists() or not truth.exists():
        started = time.perf_counter()
        reg = pl.read_parquet(reg_path)
        data = synth_feed(reg, source, rows, seed=seed)
        if fmt == "csv":
            data.frame.write_csv(path)
        elif fmt == "gb18030":
            path.write_bytes(data.frame.write_csv().encode("gb18030"))
        elif fmt == "xlsx":
            data.frame.write_excel(path)
        else:
            data.frame.write_parquet(path)
        data.truth.write_parquet(truth)
        print(f"feed {source} {rows:,} written in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return path, truth


def run_peer(module: str, peer: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one peer in its own process (so its peak RSS is its own); it prints one JSON line last."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", module, "--peer", peer, *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    sys.stderr.write(proc.stderr[-3000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - started, 2)
    print(f"  {module} {peer}: {result}", file=sys.stderr)
    return result


def peer_start() -> None:
    """Every peer runs under the memory settings the pipeline uses for itself (transparent huge
    pages off: `fangpin.core.memory.no_huge_pages`), so a ratio compares the code, not the setting."""
    from fangpin.core.memory import no_huge_pages

    no_huge_pages()


def peak_rss_mib() -> float:
    """This process's own peak RSS (VmHWM): ru_maxrss survives exec on Linux, so a child started by a
    big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peer_result(**figures: Any) -> None:
    figures["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(figures, default=str))
