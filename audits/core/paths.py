"""When did anything under a folder last change: the cheap test the features that react to an
audit use to skip work whose input (a code tree, a migrations folder) did not change."""

from __future__ import annotations

import os
from pathlib import Path

# Folders no scanner reads and that churn on every install or build.
SKIPPED = frozenset({"node_modules", ".git", ".next", "dist", "build", "coverage", ".turbo"})


def newest_change(root: str | Path) -> float | None:
    """The newest modification time (seconds) of ``root``, its files and folders (a deleted or
    renamed file changes its folder's time); None when ``root`` cannot be read."""
    try:
        newest = os.stat(root).st_mtime
    except OSError:
        return None
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED]
        for name in (*subfolders, *files):
            try:
                newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
            except OSError:
                continue  # removed while walking: its folder's time says so
    return newest


def unchanged_since(root: str | Path, moment: float) -> bool:
    """Whether nothing under ``root`` changed after ``moment`` (a timestamp)."""
    newest = newest_change(root)
    return newest is not None and newest < moment
