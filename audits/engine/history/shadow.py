"""The shadow server's side of a PostgreSQL replay: scratch databases, the migrations run in one
transaction, and template databases that let a history which shares a prefix with an earlier
replay start where that one ended.

One transaction, where Prisma's own semantics allow it. Prisma sends each ``migration.sql`` as
one simple query, which PostgreSQL runs as one implicit transaction per file; running
consecutive files inside one transaction builds the same schema when they all succeed, with
these exceptions, each of which gets a commit (and there is one every ``COMMIT_EVERY``
migrations, to bound the locks one transaction holds):

- a migration that adds an enum value (``ALTER TYPE ... ADD VALUE``) is committed at its end:
  PostgreSQL refuses to use a value added in the same transaction, and a later migration may;
- a migration with its own transaction control (``BEGIN``/``COMMIT``, ``SET TRANSACTION``,
  ``SET LOCAL``, savepoints...) runs on its own, statement by statement in autocommit, as every
  migration ran before;
- a statement that refuses a transaction block (``CREATE INDEX CONCURRENTLY``, ``VACUUM``,
  ``CREATE DATABASE``...) runs on its own between two commits, unchanged.

The session runs with ``synchronous_commit = off``: the scratch database is thrown away, so a
commit need not wait for the disk. Any error ends the batch: ``BatchFailed`` tells the caller to
drop the database and replay the history the exact old way (each statement in autocommit), so a
failing history is reported as before, with its line and the state up to the failure.

Templates. A finished, error-free replay's database is not dropped: it is renamed
``driftwatch_tpl_<hash of its migrations>`` (instant; a ``DROP DATABASE`` forces a checkpoint,
seconds on a busy server). A later replay whose migrations start with the same ones copies it
(``CREATE DATABASE ... TEMPLATE``) and runs only the rest: a history that gained a migration,
or the applied part and the whole folder of one target. The newest ``keep`` templates on the
server are kept (the last use is in the database's comment); older ones are dropped in a
background thread, so no replay waits for their checkpoints.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import psycopg

from audits.engine.connect import ReadOnlyPostgres, redact_dsn, scrub_secrets
from audits.engine.errors import EngineError, HistoryError
from audits.engine.history.folder import Migration
from audits.engine.history.statements import split_statements
from audits.engine.introspect.postgres import read_schema
from audits.engine.model import Schema

SHADOW_PREFIX = "driftwatch_shadow_"
TEMPLATE_PREFIX = "driftwatch_tpl_"
TEMPLATE_VERSION = 1  # part of every template's name: a change of scheme ignores old ones
TEMPLATES_KEPT = 8  # per shadow server; a langfuse-sized template is about 12 MB
# A transaction holds a lock on every relation it creates until it commits (langfuse's first 64
# migrations: about 200), and the server's lock table is shared: commit now and then.
COMMIT_EVERY = 64

# A statement that controls the transaction: its migration runs on its own, in autocommit.
_TRANSACTION_CONTROL = re.compile(
    r"(?:BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE\s+"
    r"TRANSACTION|SET\s+(?:LOCAL|TRANSACTION|SESSION\s+CHARACTERISTICS|CONSTRAINTS)|LOCK)\b",
    re.IGNORECASE,
)
# A statement PostgreSQL refuses inside a transaction block: it runs alone, between commits.
_NO_TRANSACTION_BLOCK = re.compile(
    r"(?:(?:CREATE|DROP|REINDEX|REFRESH)\b[^;]*?\bCONCURRENTLY\b|ALTER\s+TABLE\b[^;]*\bDETACH\s+"
    r"PARTITION\b[^;]*\bCONCURRENTLY\b|VACUUM\b|CLUSTER\s*$|(?:CREATE|DROP|ALTER)\s+DATABASE\b"
    r"|(?:CREATE|DROP)\s+TABLESPACE\b|ALTER\s+SYSTEM\b|DISCARD\s+ALL\b"
    r"|(?:CREATE|ALTER|DROP)\s+SUBSCRIPTION\b)",
    re.IGNORECASE | re.DOTALL,
)
# A statement that may change a session setting the catalog's printing depends on.
_SESSION_SETTING = re.compile(r"^(?:SET|RESET)\b|\bset_config\s*\(", re.IGNORECASE)
_ADD_ENUM_VALUE = re.compile(r"^ALTER\s+TYPE\b.*\bADD\s+VALUE\b", re.IGNORECASE | re.DOTALL)


class BatchFailed(Exception):
    """The one-transaction replay hit an error: replay again statement by statement."""


@dataclass(frozen=True)
class Start:
    """Where a replay begins: a template holding the state after the first ``count``
    migrations (and, for a step-by-step replay, what that state's objects are)."""

    template: str
    count: int


# -- scratch databases and templates -----------------------------------------------------------


def template_names(migrations: Sequence[Migration]) -> list[str]:
    """The template name for each prefix of ``migrations``: ``names[k]`` holds the state after
    the first ``k + 1`` of them (a chain of hashes of names and checksums)."""
    names = []
    digest = hashlib.sha256(f"driftwatch-template-v{TEMPLATE_VERSION}".encode()).digest()
    for migration in migrations:
        digest = hashlib.sha256(
            digest + migration.name.encode() + b"\0" + migration.checksum.encode()).digest()
        names.append(TEMPLATE_PREFIX + digest.hex()[:32])
    return names


def longest_template(shadow_dsn: str, migrations: Sequence[Migration],
                     usable: Callable[[int], bool] = lambda count: True) -> Start | None:
    """The template that holds the longest prefix of ``migrations`` (a proper one or all of
    them) for which ``usable(count)`` holds, if the server has one."""
    names = template_names(migrations)
    try:
        with autocommit(shadow_dsn) as admin:
            present = {row[0] for row in admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (TEMPLATE_PREFIX + "%",))}
    except HistoryError:
        return None  # the replay itself will say what is wrong with the server
    for count in range(len(names), 0, -1):
        if names[count - 1] in present and usable(count):
            return Start(template=names[count - 1], count=count)
    return None


@contextmanager
def autocommit(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise HistoryError(f"cannot connect to the shadow server {redact_dsn(dsn)}: "
                           f"{scrub_secrets(first_line(exc), dsn)}") from None
    try:
        yield conn
    finally:
        conn.close()


@dataclass
class Scratch:
    """A scratch database being built; ``keep_as`` names the template it becomes at the end."""

    dsn: str
    name: str
    keep_as: str | None = None


@contextmanager
def scratch_database(shadow_dsn: str, template: str | None = None,
                     keep: int = 0) -> Iterator[Scratch]:
    """A new database on the shadow server (a copy of ``template`` when given).

    At the end it is dropped, unless the caller set ``keep_as`` and ``keep`` allows templates:
    then it is renamed to that template (and older templates beyond ``keep`` are dropped in
    the background).
    """
    name = f"{SHADOW_PREFIX}{uuid.uuid4().hex[:16]}"
    with autocommit(shadow_dsn) as admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}"'
                          + (f' TEMPLATE "{template}"' if template else ""))
        except psycopg.Error as exc:
            raise HistoryError(f"cannot create a scratch database on the shadow server "
                               f"{redact_dsn(shadow_dsn)}: "
                               f"{scrub_secrets(first_line(exc), shadow_dsn)}") from None
    scratch = Scratch(dsn=psycopg.conninfo.make_conninfo(shadow_dsn, dbname=name), name=name)
    try:
        yield scratch
    finally:
        kept = keep > 0 and scratch.keep_as is not None and _publish(shadow_dsn, scratch)
        if kept:
            _in_background(_prune, shadow_dsn, keep)
        else:
            _drop(shadow_dsn, name)
    if template is not None:
        _touch(shadow_dsn, template)


def _publish(shadow_dsn: str, scratch: Scratch) -> bool:
    """Rename the finished scratch database to its template name; False if that exists."""
    try:
        with autocommit(shadow_dsn) as admin:
            admin.execute(f'ALTER DATABASE "{scratch.name}" RENAME TO "{scratch.keep_as}"')
            admin.execute(f"COMMENT ON DATABASE \"{scratch.keep_as}\" IS "
                          f"'driftwatch replay template, used {time.time():.6f}'")
        return True
    except (psycopg.Error, HistoryError):
        return False  # another replay published the same prefix first: ours is dropped


def _touch(shadow_dsn: str, template: str) -> None:
    """Note that a template was used just now, so pruning keeps it."""
    with suppress(psycopg.Error, HistoryError), autocommit(shadow_dsn) as admin:
        admin.execute(f"COMMENT ON DATABASE \"{template}\" IS "
                      f"'driftwatch replay template, used {time.time():.6f}'")


def _prune(shadow_dsn: str, keep: int) -> None:
    """Drop the templates beyond the ``keep`` most recently used ones."""
    with autocommit(shadow_dsn) as admin:
        rows = admin.execute(
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname LIKE %s", (TEMPLATE_PREFIX + "%",)).fetchall()

        def last_used(row: tuple[str, str]) -> float:
            found = re.search(r"used ([0-9.]+)", row[1])
            return float(found.group(1)) if found else 0.0

        for name, _comment in sorted(rows, key=last_used, reverse=True)[keep:]:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop(shadow_dsn: str, name: str) -> None:
    with autocommit(shadow_dsn) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _in_background(work: Callable[..., None], *args: Any) -> None:
    """Cleanup nobody waits for; the process still finishes it before exiting."""
    def run() -> None:
        with suppress(psycopg.Error, HistoryError):  # the next prune tries again
            work(*args)

    threading.Thread(target=run, name="driftwatch-shadow-prune", daemon=False).start()


def drop_templates(shadow_dsn: str, names: Sequence[str]) -> int:
    """Drop these templates if they exist (a benchmark's cold start); how many were there."""
    wanted = [name for name in names if name.startswith(TEMPLATE_PREFIX)]
    with autocommit(shadow_dsn) as admin:
        present = {row[0] for row in admin.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s)", (wanted,))}
        for name in present:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return len(present)


# -- running migrations ------------------------------------------------------------------------


def run_statement_by_statement(conn: psycopg.Connection[Any], migration: Migration) -> None:
    """One migration, each statement in autocommit: how every replay ran before, and still
    the way a failing history is replayed (its state and message do not change)."""
    for statement in split_statements(migration.text):
        try:
            # no parameters: the text goes as it is, with no placeholder parsing
            conn.execute(statement.sql.encode("utf-8"))
        except psycopg.Error as exc:
            raise HistoryError(f"migration {migration.name} fails at line {statement.line} of "
                               f"migration.sql: {first_line(exc)}") from None


class Batch:
    """Migrations run on one connection inside one transaction, committed only where Prisma's
    semantics need it (see the module docstring). Raises BatchFailed on any error.

    What can run inside the transaction is sent together, a migration's text as Prisma sends
    it, until something needs its own round trip (a commit, a statement run alone, a reading).
    """

    def __init__(self, conn: psycopg.Connection[Any], dsn: str) -> None:
        self._conn = conn
        self._dsn = dsn
        self._open = False
        self._pending: list[str] = []
        self._uncommitted = 0  # migrations since the last commit
        self._session_changed = False
        self._execute("SET synchronous_commit TO off")

    def run(self, migration: Migration) -> None:
        statements = split_statements(migration.text)
        if any(_SESSION_SETTING.search(statement.sql) for statement in statements):
            self._session_changed = True
        if any(_TRANSACTION_CONTROL.match(statement.sql) for statement in statements):
            self._commit()
            for statement in statements:
                self._execute(statement.sql)
            if self._conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                raise BatchFailed(f"{migration.name} leaves its transaction open")
            return
        if any(_NO_TRANSACTION_BLOCK.match(statement.sql) for statement in statements):
            for statement in statements:
                if _NO_TRANSACTION_BLOCK.match(statement.sql):
                    self._commit()
                    self._execute(statement.sql)
                else:
                    self._pending.append(statement.sql)
        elif statements:
            self._pending.append(migration.text)
        self._uncommitted += 1
        if self._uncommitted >= COMMIT_EVERY or any(
                _ADD_ENUM_VALUE.match(statement.sql) for statement in statements):
            self._commit()

    def read(self, namespaces: Sequence[str]) -> Schema:
        """The scratch database as it is now, read inside the open transaction.

        A migration may have changed a session setting (``SET search_path``, ``SET TimeZone``)
        that changes how the catalog prints; a separate reading connection would not see it,
        so the settings are reset for the reading only (a savepoint undoes the reset).
        """
        reset = self._session_changed
        self._pending.append("SAVEPOINT driftwatch_read; RESET ALL" if reset else "SELECT 1")
        self._flush()
        try:
            schema = read_schema(ReadOnlyPostgres(self._conn, self._dsn, 120000, 2000),
                                 namespaces)
        except (EngineError, psycopg.Error) as exc:
            raise BatchFailed(str(exc)) from None
        if reset:
            self._pending.append("ROLLBACK TO SAVEPOINT driftwatch_read; "
                                 "RELEASE SAVEPOINT driftwatch_read")
        return schema

    def finish(self) -> None:
        self._commit()

    def _flush(self) -> None:
        """Send what is pending inside the transaction (opening it first), in one query."""
        if not self._pending:
            return
        sql = "\n;\n".join(self._pending)  # a newline first: a text may end in a -- comment
        self._pending = []
        if not self._open:
            sql = "BEGIN;\n" + sql
            self._open = True
        self._execute(sql)

    def _commit(self) -> None:
        self._flush()
        self._uncommitted = 0
        if self._open:
            self._open = False
            self._execute("COMMIT")

    def _execute(self, sql: str) -> None:
        try:
            self._conn.execute(sql.encode("utf-8"))
        except psycopg.Error as exc:
            raise BatchFailed(first_line(exc)) from None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["Batch", "BatchFailed", "SHADOW_PREFIX", "Scratch", "Start", "TEMPLATES_KEPT",
           "TEMPLATE_PREFIX", "autocommit", "drop_templates", "first_line", "longest_template",
           "run_statement_by_statement", "scratch_database", "template_names"]
