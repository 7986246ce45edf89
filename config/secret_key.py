"""Which SECRET_KEY Driftwatch may run on.

The key signs sessions and derives the key that encrypts the targets' stored connection strings
(unless DRIFTWATCH_ENCRYPTION_KEY is set), so a published key hands every stored password to
anyone holding a database dump. With DEBUG off the settings refuse a missing, known or weak key.
The zero-setup local demo (`bin/start`, DRIFTWATCH_LOCAL_DEMO=true) instead gets a random key
generated once and kept in the var dir, so it needs no configuration and publishes nothing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MIN_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 5
# Keys that were ever written in this repository (settings, compose) or Django's own template.
KNOWN_KEYS = frozenset({
    "driftwatch-insecure-demo-key-change-me",
    "change-me-in-production",
    "change-me",
    "changeme",
    "secret",
})
LOCAL_KEY_FILE = "secret_key"


def secret_key_problem(key: str) -> str | None:
    """Why `key` must not protect a real deployment, or None when it may."""
    if not key:
        return "SECRET_KEY is not set."
    if key in KNOWN_KEYS or key.startswith("django-insecure"):
        return "SECRET_KEY is a published default."
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return (f"SECRET_KEY is too weak: it needs at least {MIN_LENGTH} characters and "
                f"{MIN_DISTINCT_CHARACTERS} different ones.")
    return None


def new_secret_key() -> str:
    return secrets.token_urlsafe(64)


def local_secret_key(var_dir: Path) -> str:
    """The local demo's key: read from the var dir, or generated there once (owner-only file).

    Written to a private temporary file and linked into place, so processes starting together
    (web, worker, beat) never read a half-written file and all end up with the one key.
    """
    path = var_dir / LOCAL_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    temporary = var_dir / f".{LOCAL_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(new_secret_key() + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process won the race: its key is the one
    finally:
        temporary.unlink()
    return path.read_text().strip()
