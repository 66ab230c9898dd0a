"""Vectorised generation of valid 18-digit resident ID numbers (GB 11643)."""

from __future__ import annotations

import numpy as np
import polars as pl

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = list("10X98765432")


def check_index(first17_digits: np.ndarray) -> np.ndarray:
    """Index into "10X98765432" for an (n, 17) array of digits."""
    return (first17_digits @ WEIGHTS) % 11


def assign_sequences(
    keys: np.ndarray, male: np.ndarray, part: tuple[int, int] = (0, 1)
) -> tuple[np.ndarray, np.ndarray]:
    """Unique 3-digit sequence numbers per (region, birth date): odd for men, even for women.

    `part` = (k, parts): chunk k of a county generated in `parts` chunks uses every
    parts-th number, so chunks made in separate processes never collide.
    Returns (sequence, overflow mask): overflowed rows need another region code.
    """
    group = keys * 2 + male.astype(np.int64)
    order = np.argsort(group, kind="stable")
    sorted_groups = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    run_id = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, sorted_groups.size]))
    rank_sorted = np.arange(sorted_groups.size) - starts[run_id]
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    rank = rank * part[1] + part[0]
    seq = np.where(male, 2 * rank + 1, 2 * rank + 2)
    return seq, seq > 999


def build_ids(region: np.ndarray, birth_yyyymmdd: np.ndarray, seq: np.ndarray) -> pl.Series:
    """The 18-character numbers from 6-digit regions, YYYYMMDD dates and sequences."""
    body = region.astype(np.int64) * 10**11 + birth_yyyymmdd.astype(np.int64) * 1000 + seq.astype(np.int64)
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    check = pl.Series(CHECK_CHARS, dtype=pl.Utf8).gather(pl.Series(check_index(digits)))
    return pl.select(pl.Series(body).cast(pl.Utf8).str.zfill(17) + check).to_series()
