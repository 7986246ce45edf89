"""What a migrations folder builds: replay it into a scratch database, introspect, drop it.

PostgreSQL: a database ``driftwatch_shadow_<random>`` is created on the SHADOW server (a DSN the
caller configures, e.g. settings ``DRIFTWATCH_SHADOW_DATABASE_URL``), the migrations run on one
connection inside one transaction, committed only where Prisma's own semantics need it, and
the result is introspected by the engine (``shadow`` has the rules). The database then becomes
a template that a later replay sharing a prefix of the history starts from (``templates``
are kept per server, the oldest dropped in the background), or is dropped (``templates=0``,
and always on failure). A history that fails is replayed again the way every replay ran before
(each statement in autocommit, no transaction around the history), so its error, line and
partial state read exactly as they did. The shadow server is never the target's own server
unless the caller allows it. SQLite: a temporary file, deleted afterwards.

The result is cached by the content hash of the replayed migrations: in memory, and as JSON in
a cache folder the caller gives, so a second audit of the same folder does not replay it.
With ``step_by_step`` the schema is introspected after each migration, so each object is
attributed to the migration that created or last changed it (objects a later migration dropped
have no owner: they are not expected anywhere).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg

from audits.engine.connect import (
    POSTGRESQL,
    SQLITE,
    ReadOnlyPostgres,
    dialect_of,
    redact_dsn,
)
from audits.engine.errors import EngineError, HistoryError
from audits.engine.history.folder import Migration, MigrationsFolder, content_hash
from audits.engine.history.objects import (
    Attribution,
    attribute_step,
    attribution_from_plain,
    attribution_to_plain,
    flatten,
)
from audits.engine.history.shadow import (
    SHADOW_PREFIX,
    TEMPLATES_KEPT,
    Batch,
    BatchFailed,
    Start,
    autocommit,
    longest_template,
    run_statement_by_statement,
    scratch_database,
    template_names,
)
from audits.engine.introspect import introspect
from audits.engine.introspect.postgres import read_schema
from audits.engine.model import Schema, from_plain, to_plain

CACHE_VERSION = 1
MEMORY_ENTRIES = 32  # parsed replays kept per process
DISK_ENTRIES = 64  # replays kept in the cache folder (a langfuse-sized one is ~250 KiB)
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class _Built:
    """What one replay produced: kept in memory, and as JSON on disk."""

    schema: Schema
    attribution: Attribution | None
    seconds: float
    error: str | None = None  # the migration that failed, and why (keep_going replays only)


_memory: dict[str, _Built] = {}


@dataclass(frozen=True)
class Replay:
    schema: Schema
    content_hash: str  # of the replayed migrations (the cache key's main part)
    migrations: tuple[str, ...]
    attribution: Attribution | None  # object -> migration; only after a step-by-step replay
    seconds: float  # what the replay itself took (the original one, for a cached result)
    cached: bool  # served from the memory or disk cache, without replaying
    # with keep_going: "migration M fails at line N of migration.sql: ..."; the schema is then
    # what the history builds up to and including M's statements that ran before the failure
    error: str | None = None


def replay(
    folder: MigrationsFolder,
    shadow_dsn: str | None = None,
    *,
    names: Sequence[str] | None = None,
    dialect: str | None = None,
    namespaces: Sequence[str] = ("public",),
    step_by_step: bool = False,
    cache_dir: str | Path | None = None,
    target_dsn: str | None = None,
    allow_target_server: bool = False,
    keep_going: bool = False,
    templates: int = TEMPLATES_KEPT,
) -> Replay:
    """The schema ``folder`` builds (only the migrations in ``names``, when given).

    ``shadow_dsn`` names a PostgreSQL database on the shadow server that may create databases
    (e.g. ``postgresql://driftwatch@shadow/postgres``). With ``target_dsn`` given, a shadow on
    the same host and port is refused unless ``allow_target_server``. SQLite needs no server.
    A failing migration raises HistoryError, or with ``keep_going`` ends the replay there and
    is reported in ``Replay.error`` (a history audit still has something to compare).
    ``templates``: how many template databases to keep on the shadow server (0: none, each
    replay's database is dropped at its end).
    """
    chosen = _chosen(folder, names)
    dialect = dialect or _dialect(folder, target_dsn)
    key = _cache_key(chosen, folder.provider, dialect, namespaces)
    built = _cached(key, cache_dir, step_by_step, keep_going)
    cached = built is not None
    if built is None:
        started = time.perf_counter()
        def prefix(migrations: list[Migration]) -> _Built | None:
            """A cached error-free step-by-step replay of a prefix of ``chosen``."""
            found = _cached(_cache_key(migrations, folder.provider, dialect, namespaces),
                            cache_dir, True, True)
            return found if found is not None and found.error is None else None

        schema, attribution, error = _run(chosen, dialect, namespaces, step_by_step, shadow_dsn,
                                          target_dsn, allow_target_server, keep_going,
                                          templates, prefix)
        built = _Built(schema, attribution, round(time.perf_counter() - started, 3), error)
        _store(key, cache_dir, built)
    return Replay(
        schema=built.schema,
        content_hash=content_hash(chosen, folder.provider),
        migrations=tuple(migration.name for migration in chosen),
        attribution=None if built.attribution is None else dict(built.attribution),
        seconds=built.seconds,
        cached=cached,
        error=built.error,
    )


def clear_memory_cache() -> None:
    _memory.clear()


def _chosen(folder: MigrationsFolder, names: Sequence[str] | None) -> list[Migration]:
    if names is None:
        return list(folder.migrations)
    wanted = set(names)
    unknown = wanted - set(folder.names)
    if unknown:
        raise HistoryError(f"migrations not in {folder.path}: {', '.join(sorted(unknown))}")
    return [migration for migration in folder.migrations if migration.name in wanted]


def _dialect(folder: MigrationsFolder, target_dsn: str | None) -> str:
    if folder.provider in (POSTGRESQL, SQLITE):
        return folder.provider
    if folder.provider == "postgres":
        return POSTGRESQL
    if folder.provider:
        raise HistoryError(f"{folder.path}: provider {folder.provider!r} cannot be replayed")
    return dialect_of(target_dsn) if target_dsn else POSTGRESQL


# --- cache ----------------------------------------------------------------------------------


def _cache_key(chosen: list[Migration], provider: str | None, dialect: str,
               namespaces: Sequence[str]) -> str:
    text = (f"v{CACHE_VERSION}|{_reader_fingerprint()}|{dialect}|{','.join(namespaces)}|"
            f"{content_hash(chosen, provider)}")
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def _reader_fingerprint() -> str:
    """A hash of the code that turns a database into a Schema: when introspection or the model
    changes, replays cached by an older version are not used (they may read differently)."""
    from audits.engine import model
    from audits.engine.history import objects
    from audits.engine.introspect import postgres, sqlite

    hasher = hashlib.sha256()
    for module in (model, objects, postgres, sqlite):
        hasher.update(Path(str(module.__file__)).read_bytes())
    return hasher.hexdigest()[:16]


def _cached(key: str, cache_dir: str | Path | None, step_by_step: bool,
            keep_going: bool) -> _Built | None:
    built = _memory.get(key)
    if built is None and cache_dir is not None:
        built = _read_disk(Path(cache_dir) / f"{key}.json")
        if built is not None:
            _memory[key] = built
    if built is None or (step_by_step and built.attribution is None):
        return None
    if built.error is not None and not keep_going:
        raise HistoryError(built.error)  # as the replay that was cached would have
    return built


def _read_disk(path: Path) -> _Built | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or entry.get("version") != CACHE_VERSION:
            return None
        plain = entry.get("attribution")
        return _Built(
            schema=from_plain(Schema, entry["schema"]),
            attribution=None if plain is None else attribution_from_plain(plain),
            seconds=float(entry.get("seconds", 0.0)),
            error=entry.get("error"),
        )
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        return None  # absent or damaged: replay again and rewrite it


def _store(key: str, cache_dir: str | Path | None, built: _Built) -> None:
    _memory[key] = built
    while len(_memory) > MEMORY_ENTRIES:
        del _memory[next(iter(_memory))]  # the oldest first
    if cache_dir is None:
        return
    entry = {
        "version": CACHE_VERSION,
        "schema": to_plain(built.schema),
        "attribution": None if built.attribution is None
        else attribution_to_plain(built.attribution),
        "seconds": built.seconds,
        "error": built.error,
    }
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{key}.{uuid.uuid4().hex}.tmp"
    partial.write_text(json.dumps(entry, separators=(",", ":")), encoding="utf-8")
    os.replace(partial, folder / f"{key}.json")  # readers never see half a file
    _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the newest DISK_ENTRIES replays; another process may prune at the same time."""
    entries = []
    for path in folder.glob("*.json"):
        try:
            entries.append((path.stat().st_mtime, path))
        except OSError:
            continue
    for _mtime, path in sorted(entries, reverse=True)[DISK_ENTRIES:]:
        path.unlink(missing_ok=True)


# --- running --------------------------------------------------------------------------------


def _run(chosen: list[Migration], dialect: str, namespaces: Sequence[str], step_by_step: bool,
         shadow_dsn: str | None, target_dsn: str | None, allow_target_server: bool,
         keep_going: bool, templates: int,
         prefix: Callable[[list[Migration]], _Built | None],
         ) -> tuple[Schema, Attribution | None, str | None]:
    if not chosen:  # nothing applied yet: the empty schema, no server needed
        empty = Schema(dialect=dialect, namespaces=tuple(namespaces))
        return empty, ({} if step_by_step else None), None
    if dialect == SQLITE:
        with _sqlite_scratch() as path:
            return _replay_into(chosen, step_by_step, keep_going,
                                lambda migration: _run_sqlite(path, migration),
                                lambda: _introspect(path, namespaces))
    if not shadow_dsn:
        raise HistoryError("no shadow server configured to replay the migrations on "
                           "(set DRIFTWATCH_SHADOW_DATABASE_URL or pass --shadow-url)")
    _refuse_target_server(shadow_dsn, target_dsn, allow_target_server)
    try:
        return _run_batched(chosen, namespaces, step_by_step, shadow_dsn, templates, prefix)
    except BatchFailed:
        pass  # replayed again below, the exact old way, so the failure reads as it always did
    with scratch_database(shadow_dsn) as scratch, autocommit(scratch.dsn) as conn, \
            _postgres_reader(scratch.dsn, namespaces) as read:
        return _replay_into(chosen, step_by_step, keep_going,
                            lambda migration: run_statement_by_statement(conn, migration), read)


def _run_batched(chosen: list[Migration], namespaces: Sequence[str], step_by_step: bool,
                 shadow_dsn: str, templates: int,
                 prefix: Callable[[list[Migration]], _Built | None],
                 ) -> tuple[Schema, Attribution | None, None]:
    """The fast path (``shadow``): one transaction, from the longest template that holds a
    prefix of ``chosen`` (for a step-by-step replay, only one whose replay is cached, as its
    attribution is where this one continues)."""
    known: dict[int, _Built] = {}

    def usable(count: int) -> bool:
        if not step_by_step:
            return True
        built = prefix(chosen[:count])
        if built is not None:
            known[count] = built
        return built is not None

    start = longest_template(shadow_dsn, chosen, usable) if templates > 0 else None
    try:
        return _batch_from(chosen, namespaces, step_by_step, shadow_dsn, templates, start,
                           known.get(start.count) if start else None)
    except HistoryError:
        if start is None:
            raise
    # the template was dropped meanwhile (pruned by another replay): from the beginning
    return _batch_from(chosen, namespaces, step_by_step, shadow_dsn, templates, None, None)


def _batch_from(chosen: list[Migration], namespaces: Sequence[str], step_by_step: bool,
                shadow_dsn: str, templates: int, start: Start | None, before_built: _Built | None,
                ) -> tuple[Schema, Attribution | None, None]:
    attribution: Attribution | None = None
    before: dict[tuple[str, ...], str] = {}
    if step_by_step:
        attribution = {}
        if before_built is not None and before_built.attribution is not None:
            attribution = dict(before_built.attribution)
            before = flatten(before_built.schema)
    done = start.count if start else 0
    with scratch_database(shadow_dsn, start.template if start else None, templates) as scratch, \
            autocommit(scratch.dsn) as conn:
        batch = Batch(conn, scratch.dsn)
        schema: Schema | None = None
        for migration in chosen[done:]:
            batch.run(migration)
            if attribution is not None:
                schema = batch.read(namespaces)
                after = flatten(schema)
                attribute_step(attribution, before, after, migration.name)
                before = after
        if schema is None:
            schema = batch.read(namespaces)
        batch.finish()
        scratch.keep_as = template_names(chosen)[-1]
    return schema, attribution, None


def _replay_into(chosen: list[Migration], step_by_step: bool, keep_going: bool,
                 run: Callable[[Migration], None], read: Callable[[], Schema]
                 ) -> tuple[Schema, Attribution | None, str | None]:
    attribution: Attribution | None = {} if step_by_step else None
    before: dict[tuple[str, ...], str] = {}
    schema: Schema | None = None
    error: str | None = None
    for migration in chosen:
        try:
            run(migration)
        except HistoryError as exc:
            if not keep_going:
                raise
            error = str(exc)
        if attribution is not None or error is not None:
            schema = read()
        if attribution is not None and schema is not None:
            after = flatten(schema)
            attribute_step(attribution, before, after, migration.name)
            before = after
        if error is not None:
            break
    return (schema if schema is not None else read()), attribution, error


def _introspect(dsn: str, namespaces: Sequence[str]) -> Schema:
    try:
        return introspect(dsn, tuple(namespaces), statement_timeout_ms=120000)
    except EngineError as exc:
        raise HistoryError(f"the replayed history cannot be read back: {exc}") from None


@contextmanager
def _postgres_reader(dsn: str, namespaces: Sequence[str]) -> Iterator[Callable[[], Schema]]:
    """Introspect the scratch database on one connection, reused after each migration.

    The scratch database is ours, so the read-only layers of ``readonly_postgres`` are not
    needed; one connection instead of one per step halves a step-by-step replay. Each reading
    is its own read-only transaction, ended before the next migration runs (an open snapshot
    would make ``CREATE INDEX CONCURRENTLY`` wait for it).
    """
    with autocommit(dsn) as conn:
        def read() -> Schema:
            try:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    return read_schema(ReadOnlyPostgres(conn, dsn, 120000, 2000), namespaces)
                finally:
                    conn.execute("ROLLBACK")
            except (EngineError, psycopg.Error) as exc:
                raise HistoryError(f"the replayed history cannot be read back: {exc}") from None

        yield read


def same_server(first: str, second: str) -> bool:
    """Whether two PostgreSQL DSNs point at the same server (host and port)."""
    return _server(first) == _server(second)


def _server(dsn: str) -> tuple[str, str]:
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        raise HistoryError(f"{redact_dsn(dsn)}: the PostgreSQL URL cannot be parsed") from None
    host = str(params.get("host") or os.environ.get("PGHOST") or "").lower()
    if host in _LOCAL_HOSTS or host.startswith("/"):
        host = "local"
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    return host, port


def is_local_server(dsn: str) -> bool:
    return _server(dsn)[0] == "local"


@dataclass(frozen=True)
class ShadowChoice:
    dsn: str | None  # None: no server needed (a SQLite target)
    allow_target_server: bool


def choose_shadow(target_dsn: str, configured: str | None = None) -> ShadowChoice:
    """Where to replay a target's history: the policy the CLI and the tasks share.

    A SQLite target needs no server. A configured shadow server is used, but never the
    target's own server unless the target is on this machine (a developer's database).
    Nothing configured: a local target's own server (its ``postgres`` database, to create
    scratch databases from); a remote target is refused rather than loaded with scratch work.
    """
    if dialect_of(target_dsn) == SQLITE:
        return ShadowChoice(dsn=None, allow_target_server=False)
    local = is_local_server(target_dsn)
    if configured:
        return ShadowChoice(dsn=configured, allow_target_server=local)
    if local:
        try:
            own = psycopg.conninfo.make_conninfo(target_dsn, dbname="postgres")
        except psycopg.Error:
            raise HistoryError(f"{redact_dsn(target_dsn)}: the PostgreSQL URL cannot be "
                               "parsed") from None
        return ShadowChoice(dsn=own, allow_target_server=True)
    raise HistoryError(
        f"no shadow server is configured to replay the history of {redact_dsn(target_dsn)}: "
        "set DRIFTWATCH_SHADOW_DATABASE_URL (or --shadow-url) to a PostgreSQL server "
        "where Driftwatch may create scratch databases"
    )


def _refuse_target_server(shadow_dsn: str, target_dsn: str | None, allowed: bool) -> None:
    if target_dsn and not allowed and dialect_of(target_dsn) == POSTGRESQL \
            and same_server(shadow_dsn, target_dsn):
        raise HistoryError(
            f"the shadow server {redact_dsn(shadow_dsn)} is the target's own server; replaying "
            "there creates and drops databases on it, so configure another shadow server "
            "(or allow it explicitly)"
        )


@contextmanager
def _sqlite_scratch() -> Iterator[str]:
    handle, path = tempfile.mkstemp(prefix=SHADOW_PREFIX, suffix=".db")
    os.close(handle)
    try:
        yield path
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)


def _run_sqlite(path: str, migration: Migration) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(migration.text)
        conn.commit()
    except sqlite3.Error as exc:
        raise HistoryError(f"migration {migration.name} fails: {exc}") from None
    finally:
        conn.close()


__all__ = ["CACHE_VERSION", "Replay", "SHADOW_PREFIX", "ShadowChoice", "choose_shadow",
           "clear_memory_cache", "is_local_server", "replay", "same_server"]
