"""Which files a target may make Driftwatch read: only under DRIFTWATCH_PATH_ROOTS, capped.

Whoever may edit a target names its schema, code and migrations paths, and the workers read
them and show what they find (a schema version, a parse error). Unconfined, `/etc/passwd`
became a stored schema version and `/proc/self/environ` put the worker's secrets into a parse
error. So each path is resolved (symlinks, `..`) and must lie under one of the roots, when the
target is saved and again at audit time (a symlink may change in between); a file is read only
up to DRIFTWATCH_MAX_FILE_BYTES, as UTF-8 text without NUL bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

from audits.core import conf
from audits.core.errors import TargetConfigError

WHAT = {"schema_path": "schema path", "code_path": "code path",
        "migrations_path": "migrations path"}


def roots() -> list[Path]:
    return [Path(os.path.realpath(root)) for root in conf.path_roots()]


def roots_text() -> str:
    return ":".join(str(root) for root in roots()) or "(none)"


def confined(raw: str | os.PathLike[str], what: str = "path") -> Path:
    """`raw` resolved, when it lies under a root; else a TargetConfigError that says so."""
    text = os.fspath(raw)
    if "\x00" in text:
        raise TargetConfigError(f"the {what} holds a NUL character")
    try:
        resolved = Path(os.path.realpath(text))
    except (UnicodeError, ValueError) as exc:
        raise TargetConfigError(f"the {what} is not a valid path") from exc
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots()):
        raise TargetConfigError(
            f"the {what} {text} is outside the folders Driftwatch may read "
            f"(DRIFTWATCH_PATH_ROOTS: {roots_text()})"
        )
    return resolved


def read_text(path: Path, what: str = "file", *, confine: bool = True) -> str:
    """A file's text, capped in size, UTF-8, no NUL bytes (no binary file passes); with
    `confine`, only under the roots (checked on the resolved file: a symlink inside a root
    that points out is refused)."""
    if confine:
        path = confined(path, what)
    limit = conf.max_file_bytes()
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TargetConfigError(f"the {what} {path.name} is larger than {limit:,} bytes")
    if b"\x00" in data:
        raise TargetConfigError(f"the {what} {path.name} is not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TargetConfigError(f"the {what} {path.name} is not UTF-8 text") from exc


def stored_error(message: str, limit: int = 2000) -> str:
    """What of an error may be stored and shown: its first line, shortened.

    Driver errors go on with DETAIL/CONTEXT/LINE lines that quote the server's data, and a
    parser may quote the text it read; the first line names the problem and where it is.
    """
    first = message.strip().splitlines()[0] if message.strip() else message
    return first if len(first) <= limit else first[: limit - 1] + "…"
