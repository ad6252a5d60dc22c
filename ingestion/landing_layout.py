"""The landing folder layout: `LMS_LANDING_DIR/YYYY-MM-DD/...` holds the event files of one UTC day.

A file under a dated top-level folder belongs to that day (the Dagster partition of the same key);
any other file (at the top level, or under an undated folder) belongs to no day and is read by the
unpartitioned path, which reads the whole landing folder (ingestion is idempotent, so files already
landed by a daily run add nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingestion.readers import source_kind

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def day_of_folder(name: str) -> str | None:
    """`YYYY-MM-DD` when `name` is a valid calendar day in that form, else None."""
    if not _DAY.match(name):
        return None
    try:
        date.fromisoformat(name)
    except ValueError:
        return None
    return name


@dataclass(frozen=True)
class LandedFile:
    relative_path: str  # POSIX path relative to the landing folder
    day: str | None  # the dated top-level folder it sits in, or None
    mtime_ns: int
    size: int


def scan_landing_dir(landing_dir: Path) -> list[LandedFile]:
    """Every event file (a supported extension) under the landing folder, sorted by path."""
    if not landing_dir.is_dir():
        return []
    found = []
    for path in sorted(p for p in landing_dir.rglob("*") if p.is_file()):
        if source_kind(path) is None:
            continue
        relative = path.relative_to(landing_dir)
        day = day_of_folder(relative.parts[0]) if len(relative.parts) > 1 else None
        stat = path.stat()
        found.append(LandedFile(relative.as_posix(), day, stat.st_mtime_ns, stat.st_size))
    return found


def day_folders(landing_dir: Path, days: Iterable[str]) -> list[Path]:
    """The dated folders of `days` that exist and hold at least one event file."""
    folders = []
    for day in sorted(set(days)):
        folder = landing_dir / day
        if folder.is_dir() and any(source_kind(p) is not None for p in folder.rglob("*") if p.is_file()):
            folders.append(folder)
    return folders
