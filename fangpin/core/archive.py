"""The zip-bomb guard of every XLSX the platform opens (registry imports and department feeds).

An XLSX is a zip archive: a 0.3 MB file can declare a sheet of 1.7 GB.  Before any reader
opens one, its central directory is checked against three limits: the number of entries, the
total expanded size, and the ratio of that size to the file's own size.  Pure (no Django), so
the feed reader, which imports no Django, can use it; the limits are set from the settings
(FANGPIN_ZIP_MAX_*, README) when the core app starts.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
# Below this expansion the ratio is not judged: a small workbook can compress very well and
# cannot exhaust anything.
RATIO_FLOOR = 16 * MB


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int = 2 * 1024 * MB
    max_ratio: int = 100
    max_entries: int = 1000


LIMITS = ZipLimits()


class ArchiveRefused(ValueError):
    """The archive is refused; the message is Chinese and names the limit."""


def configure(limits: ZipLimits) -> None:
    global LIMITS  # set once at start-up from the settings
    LIMITS = limits


def check_zip(path: Path | str, limits: ZipLimits | None = None) -> list[zipfile.ZipInfo]:
    """The archive's entries if it is within the limits; `ArchiveRefused` otherwise
    (`zipfile.BadZipFile` when it is no zip at all)."""
    limits = limits or LIMITS
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveRefused(
            f"Excel文件内含{len(infos)}个部件，超过{limits.max_entries}个的上限，疑似损坏或恶意文件，已拒绝。"
        )
    expanded = sum(i.file_size for i in infos)
    if expanded > limits.max_bytes:
        sizes = f"{expanded // MB}MB，上限{limits.max_bytes // MB}MB"
        raise ArchiveRefused(f"Excel文件解压后过大（{sizes}），疑似损坏或恶意文件，已拒绝。")
    packed = max(os.path.getsize(path), 1)
    if expanded > RATIO_FLOOR and expanded > limits.max_ratio * packed:
        ratio = f"压缩比{expanded // packed}倍，上限{limits.max_ratio}倍"
        raise ArchiveRefused(f"Excel文件解压后过大（{ratio}），疑似损坏或恶意文件，已拒绝。")
    return infos
