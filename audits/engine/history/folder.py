"""A Prisma migrations folder as data: its migrations in Prisma's order, with their checksums.

Prisma applies the sub-folders of ``migrations/`` in byte order of their names (Rust's ``str``
ordering, which is code-point order: ``"20240126184148_new_models copy"`` sorts after
``"20240126184148_new_models"``), and stores for each one the SHA-256 of ``migration.sql`` in
lower-case hex. When it checks a stored checksum it also accepts the file with its line endings
flipped (CRLF -> LF, LF -> CRLF), because git rewrites line endings on checkout, and the
un-padded hex that an old Prisma version wrote (prisma-engines issue 1887).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from audits.engine.confine import Roots, check
from audits.engine.errors import HistoryError

MIGRATION_FILE = "migration.sql"
LOCK_FILE = "migration_lock.toml"
_CHECKSUM_LENGTH = 64
_PROVIDER = re.compile(r'^\s*provider\s*=\s*"([^"]*)"', re.MULTILINE)


class ChecksumMatch(StrEnum):
    EXACT = "exact"  # the stored checksum is the file's, byte for byte
    LINE_ENDINGS = "line_endings"  # the file differs only in CRLF/LF, which Prisma accepts
    NONE = "none"  # the file was edited since it was applied


@dataclass(frozen=True)
class Migration:
    """One ``<name>/migration.sql`` of a folder."""

    name: str
    sql: bytes
    checksum: str  # Prisma's checksum of the file as it is on disk

    @property
    def text(self) -> str:
        return self.sql.decode("utf-8", errors="replace")

    def matches(self, stored: str) -> ChecksumMatch:
        return checksum_match(self.sql, stored)


@dataclass(frozen=True)
class MigrationsFolder:
    path: Path
    provider: str | None  # from migration_lock.toml; None when the file is absent
    migrations: tuple[Migration, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(migration.name for migration in self.migrations)

    @property
    def content_hash(self) -> str:
        """A hash of everything that decides what the folder builds, for caching replays."""
        return content_hash(self.migrations, self.provider)

    def get(self, name: str) -> Migration | None:
        for migration in self.migrations:
            if migration.name == name:
                return migration
        return None


def read_folder(path: str | Path, roots: Roots | None = None) -> MigrationsFolder:
    """Read ``path`` (a Prisma ``migrations`` folder); HistoryError when it cannot be used.

    With ``roots``, every file read must resolve under them (``OutsideRoots`` if one does not:
    a ``migration.sql`` linked to ``/proc/self/environ`` would be replayed, and the replay
    error would quote it)."""
    root = Path(path)
    check(roots, root, "the migrations folder")
    if not root.is_dir():
        raise HistoryError(f"migrations folder {root} does not exist or is not a folder")
    migrations = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=_prisma_order):
        file = folder / MIGRATION_FILE
        if not file.is_file():
            raise HistoryError(
                f"migration {folder.name!r} in {root} has no {MIGRATION_FILE}; Prisma refuses "
                "such a folder, so this history cannot be replayed"
            )
        sql = check(roots, file, f"{folder.name}/{MIGRATION_FILE}").read_bytes()
        migrations.append(Migration(name=folder.name, sql=sql, checksum=prisma_checksum(sql)))
    return MigrationsFolder(path=root, provider=_provider(root, roots),
                            migrations=tuple(migrations))


def _prisma_order(folder: Path) -> bytes:
    # surrogateescape keeps undecodable names sortable by their raw bytes
    return folder.name.encode("utf-8", errors="surrogateescape")


def _provider(root: Path, roots: Roots | None) -> str | None:
    lock = root / LOCK_FILE
    if not lock.is_file():
        return None
    text = check(roots, lock, LOCK_FILE).read_text(encoding="utf-8", errors="replace")
    found = _PROVIDER.search(text)
    return found.group(1) if found else None


def prisma_checksum(sql: bytes) -> str:
    """What Prisma writes to ``_prisma_migrations.checksum`` for this migration.sql."""
    return hashlib.sha256(sql).hexdigest()


def line_ending_variants(sql: bytes) -> tuple[bytes, bytes]:
    """The two rewrites Prisma also accepts: CRLF -> LF, and LF -> CRLF (both, as Prisma does)."""
    return sql.replace(b"\r\n", b"\n"), sql.replace(b"\n", b"\r\n")


def _unpadded(digest: bytes) -> str:
    return "".join(f"{byte:x}" for byte in digest)


def _matches(sql: bytes, stored: str) -> bool:
    digest = hashlib.sha256(sql).digest()
    if stored and len(stored) != _CHECKSUM_LENGTH:
        return _unpadded(digest) == stored
    return digest.hex() == stored


def checksum_match(sql: bytes, stored: str) -> ChecksumMatch:
    """How ``stored`` relates to ``sql``, by Prisma's rules (see the module docstring)."""
    stored = stored.strip().lower()
    if _matches(sql, stored):
        return ChecksumMatch.EXACT
    if any(_matches(variant, stored) for variant in line_ending_variants(sql)):
        return ChecksumMatch.LINE_ENDINGS
    return ChecksumMatch.NONE


def content_hash(migrations: tuple[Migration, ...] | list[Migration],
                 provider: str | None = None) -> str:
    """SHA-256 over the names and checksums, in order: equal hashes build equal schemas."""
    hasher = hashlib.sha256(f"provider={provider or ''}\n".encode())
    for migration in migrations:
        hasher.update(migration.name.encode("utf-8", errors="surrogateescape"))
        hasher.update(b"\0")
        hasher.update(migration.checksum.encode())
        hasher.update(b"\n")
    return hasher.hexdigest()


__all__ = [
    "ChecksumMatch",
    "LOCK_FILE",
    "MIGRATION_FILE",
    "Migration",
    "MigrationsFolder",
    "checksum_match",
    "content_hash",
    "line_ending_variants",
    "prisma_checksum",
    "read_folder",
]
