"""Folders the engine may read from, when its caller confines it.

The workers scan a target's code folder and read its migrations folder, both named by whoever
may edit the target and both checked to lie under DRIFTWATCH_PATH_ROOTS. A file inside them
can still be a symlink (or sit in a symlinked folder, or be reached by an import such as
``../../../x``) to ``/etc/passwd`` or ``/proc/self/environ``; what the engine reads from it can
end up in a stored route, a raw SQL literal or a replay error that every reader sees. So every
file is resolved (symlinks, ``..``) and checked against the roots just before it is read, and
one outside them stops the scan or the history check with its name (never its content).

``None`` for the roots means "no confinement": the CLI reads what the operator's own shell
names, as ``cat`` would.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from audits.engine.errors import EngineError


class OutsideRoots(EngineError):
    """A file the engine was about to read resolves outside the folders it may read."""


@dataclass(frozen=True)
class Roots:
    folders: tuple[Path, ...]

    @classmethod
    def of(cls, folders: Iterable[str | os.PathLike[str]]) -> Roots:
        return cls(tuple(Path(os.path.realpath(folder)) for folder in folders))

    def allows(self, path: str | os.PathLike[str]) -> bool:
        try:
            resolved = Path(os.path.realpath(path))
        except (OSError, ValueError):
            return False
        return any(resolved == root or resolved.is_relative_to(root) for root in self.folders)


def check(roots: Roots | None, path: Path, shown: str) -> Path:
    """``path`` when ``roots`` allow it (or there are none); else ``OutsideRoots`` naming it as
    ``shown`` (a path relative to the scanned folder: the resolved target is not repeated)."""
    if roots is not None and not roots.allows(path):
        raise OutsideRoots(f"{shown} resolves outside the folders Driftwatch may read "
                           "(DRIFTWATCH_PATH_ROOTS), so it was not read")
    return path
