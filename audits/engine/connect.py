"""Read-only connections to target databases, and DSNs that are safe to show.

Driftwatch never writes to a target. A PostgreSQL session opened here is read-only in layers,
so that no single mistake (or a caller's ``SET``) can turn it into a writer:

1. the session starts with ``default_transaction_read_only=on`` plus statement, lock and
   idle timeouts, passed as startup ``options`` (no extra round trip);
2. the helper itself opens one ``REPEATABLE READ READ ONLY`` transaction, sets the timeouts
   again with ``SET LOCAL`` (for poolers that refuse startup options) and takes its snapshot at
   once, after which PostgreSQL refuses ``SET TRANSACTION READ WRITE``;
3. callers get a :class:`ReadOnlyPostgres`, not the connection: every query goes through the
   extended protocol (one statement per call, so no ``...; COMMIT; INSERT`` smuggling), and a
   query that ends the helper's transaction (``COMMIT``, ``ROLLBACK``...) closes the session
   instead of letting the next statement run in a fresh, possibly writable, transaction;
4. the transaction is always rolled back at the end.

SQLite files are opened with ``mode=ro`` and an authorizer that denies anything but reading.

Every failure becomes :class:`~audits.engine.errors.TargetError` with a one-line reason built
from :func:`redact_dsn` output, never from the raw DSN.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus

from audits.engine.errors import TargetError

POSTGRESQL = "postgresql"
SQLITE = "sqlite"

_URL_SCHEMES = ("postgresql://", "postgres://")
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_MASK = "***"
_KEYWORD_PASSWORD = re.compile(
    r"""\b(password|sslpassword)(\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)""", re.IGNORECASE
)
_QUERY_PASSWORD = re.compile(r"([?&](?:password|sslpassword)=)([^&#]*)", re.IGNORECASE)
_SECRET_SPLIT = re.compile(r"[@:/?#&]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# Query parameters of Prisma's connection strings that libpq does not know
PRISMA_ONLY_PARAMS = frozenset({
    "schema", "pgbouncer", "connection_limit", "pool_timeout", "socket_timeout",
    "statement_cache_size", "sslidentity", "sslaccept", "max_connection_lifetime",
    "max_idle_connection_lifetime", "single_use_connections",
})

Params = Sequence[Any] | Mapping[str, Any] | None


# --- DSNs -----------------------------------------------------------------------------------


def dialect_of(dsn: str) -> str:
    """``"postgresql"`` or ``"sqlite"`` for a DSN; TargetError for anything else."""
    text = dsn.strip()
    lowered = text.lower()
    if lowered.startswith(_URL_SCHEMES):
        return POSTGRESQL
    if lowered.startswith(("sqlite:", "file:")) or lowered.endswith(_SQLITE_SUFFIXES):
        return SQLITE
    if "=" in text and not lowered.startswith(("mysql:", "mariadb:", "sqlserver:", "mongodb")):
        return POSTGRESQL  # libpq keyword form: "host=... dbname=..."
    raise TargetError(
        f"unsupported database URL {redact_dsn(text)!r}: expected postgresql://..., "
        "sqlite:///abs/path.db, file:path.db or a path ending .db/.sqlite/.sqlite3"
    )


def redact_dsn(dsn: str) -> str:
    """The DSN with every password replaced by ``***``; safe for messages, logs and pages.

    When the text is ambiguous (a raw ``@`` or ``?`` in a password) this hides too much rather
    than too little.
    """
    text = dsn
    scheme, sep, rest = text.partition("://")
    if sep and _SCHEME.fullmatch(scheme.strip()):
        end = _userinfo_end(rest)
        if end >= 0:
            user, colon, _password = rest[:end].partition(":")
            userinfo = f"{user}:{_MASK}" if colon else user
            rest = f"{userinfo}{rest[end:]}"
        text = f"{scheme}{sep}{rest}"
        return _QUERY_PASSWORD.sub(lambda match: match.group(1) + _MASK, text)
    return _KEYWORD_PASSWORD.sub(lambda match: match.group(1) + match.group(2) + _MASK, text)


def libpq_dsn(dsn: str) -> str:
    """The DSN without the query parameters only Prisma understands (libpq refuses them)."""
    head, query = _split_query(dsn)
    if query is None:
        return dsn.strip()
    kept = [part for part in query.split("&")
            if part and part.partition("=")[0].lower() not in PRISMA_ONLY_PARAMS]
    return head + (f"?{'&'.join(kept)}" if kept else "")


def url_schema(dsn: str) -> str | None:
    """The ``?schema=`` of a Prisma connection string (the PostgreSQL schema it works in)."""
    _head, query = _split_query(dsn)
    for part in (query or "").split("&"):
        key, _, value = part.partition("=")
        if key.lower() == "schema" and value:
            return unquote(value)
    return None


def _split_query(dsn: str) -> tuple[str, str | None]:
    """(everything before the URL's query, the query) or (dsn, None) for other forms."""
    text = dsn.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        return text, None
    question = rest.find("?", max(_userinfo_end(rest), 0))
    if question < 0:
        return text, None
    return f"{scheme}{sep}{rest[:question]}", rest[question + 1 :]


def _userinfo_end(rest: str) -> int:
    """Index of the ``@`` that ends the userinfo of a URL (after ``scheme://``), or -1."""
    head = rest.split("?", 1)[0]
    end = head.rfind("@")
    return end if end >= 0 else rest.rfind("@")


def _secrets_in(dsn: str) -> set[str]:
    """Every password-like piece of a DSN, to scrub from driver messages as a last resort."""
    found: set[str] = set()
    scheme, sep, rest = dsn.partition("://")
    if sep and _SCHEME.fullmatch(scheme.strip()):
        end = _userinfo_end(rest)
        if end >= 0:
            _user, colon, password = rest[:end].partition(":")
            if colon:
                found.add(password)
                found.add(unquote(password))
        found.update(unquote(match.group(2)) for match in _QUERY_PASSWORD.finditer(dsn))
    else:
        found.update(match.group(3).strip("'") for match in _KEYWORD_PASSWORD.finditer(dsn))
    pieces = {piece for secret in found for piece in _SECRET_SPLIT.split(secret)}
    return {secret for secret in found | pieces if len(secret) >= 3}


def scrub_secrets(message: str, dsn: str) -> str:
    """``message`` without ``dsn`` in clear or any piece of its password.

    For driver messages about a DSN: libpq echoes a URL it cannot parse, and the password
    token it cannot percent-decode, word for word.
    """
    return _scrub(message, dsn)


def _scrub(message: str, dsn: str) -> str:
    message = message.replace(dsn.strip(), redact_dsn(dsn.strip()))  # libpq echoes bad URLs
    for secret in sorted(_secrets_in(dsn), key=len, reverse=True):
        message = message.replace(secret, _MASK)
    return message


def sqlite_path(dsn: str) -> str:
    """The file path named by a SQLite DSN (``sqlite:///abs``, ``file:path``, plain path)."""
    text = dsn.strip()
    lowered = text.lower()
    if lowered.startswith("sqlite:"):
        path = text[len("sqlite:") :]
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
    elif lowered.startswith("file:"):
        path = text[len("file:") :].split("?", 1)[0].split("#", 1)[0]
        if path.startswith("//"):  # file://host/path: only the local host is meaningful
            authority, _, tail = path[2:].partition("/")
            if authority not in ("", "localhost"):
                raise TargetError(f"SQLite URL {text!r} names a remote host")
            path = "/" + tail
        path = unquote(path)
    else:
        path = text
    if not path:
        raise TargetError(f"SQLite URL {text!r} names no file")
    return path


# --- PostgreSQL -----------------------------------------------------------------------------


class ReadOnlyPostgres:
    """Queries against a target inside the one read-only transaction the helper opened."""

    def __init__(self, connection: psycopg.Connection[Any], dsn: str, statement_timeout_ms: int,
                 lock_timeout_ms: int) -> None:
        self._connection = connection
        self._dsn = dsn
        self.statement_timeout_ms = statement_timeout_ms
        self.lock_timeout_ms = lock_timeout_ms
        self.statements_sent = 0

    @property
    def pgconn(self) -> psycopg.pq.abc.PGconn:
        """The libpq connection, for diagnostics such as ``pgconn.trace()`` in tests."""
        return self._connection.pgconn

    @property
    def server_version(self) -> int:
        return self._connection.info.server_version

    def fetch_all(self, query: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run ONE statement in the read-only transaction and return its rows."""
        self._require_transaction()
        self.statements_sent += 1
        try:
            with self._connection.cursor() as cursor:
                # binary=True forces the extended protocol: one statement, never a batch
                cursor.execute(query, params, prepare=False, binary=True)
                rows = cursor.fetchall() if cursor.description is not None else []
        except psycopg.Error as exc:
            raise self._target_error(exc) from None
        self._require_transaction()
        return rows

    def fetch_one(self, query: str, params: Params = None) -> tuple[Any, ...] | None:
        rows = self.fetch_all(query, params)
        return rows[0] if rows else None

    def fetch_all_or_reason(self, query: str, params: Params = None
                            ) -> tuple[list[tuple[Any, ...]] | None, str | None]:
        """ONE statement that may fail without finishing the session: ``(rows, None)``, or
        ``(None, reason)`` when the server refused it (statement or lock timeout, no privilege,
        a table dropped meanwhile). It runs inside a savepoint, so the read-only transaction and
        its snapshot go on after a failure. For optional figures, such as an exact row count.
        """
        self._require_transaction()
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("SAVEPOINT driftwatch_optional", prepare=False)
                self.statements_sent += 1
                try:
                    cursor.execute(query, params, prepare=False, binary=True)
                    rows = cursor.fetchall() if cursor.description is not None else []
                except psycopg.Error as exc:
                    if exc.sqlstate is None:  # the connection itself failed
                        raise
                    cursor.execute("ROLLBACK TO SAVEPOINT driftwatch_optional", prepare=False)
                    reason = postgres_reason(exc, self._dsn, self.statement_timeout_ms,
                                             self.lock_timeout_ms)
                    self._require_transaction()
                    return None, reason
                cursor.execute("RELEASE SAVEPOINT driftwatch_optional", prepare=False)
        except psycopg.Error as exc:
            raise self._target_error(exc) from None
        self._require_transaction()
        return rows, None

    def _begin(self) -> None:
        try:
            # The SELECT takes the snapshot now, so SET TRANSACTION READ WRITE is refused later.
            # UTC, because timestamptz defaults print in the session's zone and lowering writes
            # them in UTC: a server in another zone would otherwise read as a default mismatch.
            self._connection.execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                f"SET LOCAL statement_timeout = {self.statement_timeout_ms}; "
                f"SET LOCAL lock_timeout = {self.lock_timeout_ms}; "
                "SET LOCAL TimeZone = 'UTC'; "
                "SELECT pg_catalog.now()"
            )
        except psycopg.Error as exc:
            raise self._target_error(exc) from None
        self.statements_sent += 1
        self._require_transaction()

    def _require_transaction(self) -> None:
        if self._connection.closed:
            raise TargetError(f"{redact_dsn(self._dsn)}: the read-only session is closed")
        status = self._connection.info.transaction_status
        if status == TransactionStatus.INTRANS:
            return
        self._connection.close()
        if status == TransactionStatus.INERROR:
            raise TargetError(
                f"{redact_dsn(self._dsn)}: an earlier query of this read-only session failed, "
                "so the session is finished; open a new one"
            )
        raise TargetError(
            f"{redact_dsn(self._dsn)}: the read-only transaction was ended by a query; "
            "the session was closed so that nothing runs outside it"
        )

    def _target_error(self, exc: psycopg.Error) -> TargetError:
        return TargetError(
            f"{redact_dsn(self._dsn)}: "
            f"{postgres_reason(exc, self._dsn, self.statement_timeout_ms, self.lock_timeout_ms)}"
        )


@contextmanager
def readonly_postgres(
    dsn: str,
    *,
    connect_timeout_s: int = 5,
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 2000,
    application_name: str = "driftwatch",
    startup_options: bool = True,
) -> Iterator[ReadOnlyPostgres]:
    """A read-only session on a PostgreSQL target (see the module docstring for the layers).

    ``startup_options=False`` skips the startup ``options`` (for poolers that refuse them; the
    helper falls back on its own when the server says so): the transaction is then read-only
    by its BEGIN and the timeouts are set with SET LOCAL inside it.
    """
    statement_timeout_ms, lock_timeout_ms = int(statement_timeout_ms), int(lock_timeout_ms)
    connection = _connect(dsn, connect_timeout_s, statement_timeout_ms, lock_timeout_ms,
                          application_name, startup_options)
    session = ReadOnlyPostgres(connection, dsn, statement_timeout_ms, lock_timeout_ms)
    try:
        session._begin()
        yield session
    finally:
        _close_quietly(connection)


def _connect(dsn: str, connect_timeout_s: int, statement_timeout_ms: int, lock_timeout_ms: int,
             application_name: str, startup_options: bool) -> psycopg.Connection[Any]:
    try:
        params = psycopg.conninfo.conninfo_to_dict(libpq_dsn(dsn))
    except psycopg.Error as exc:
        detail = _scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else "", dsn)
        raise TargetError(
            f"{redact_dsn(dsn)}: the PostgreSQL URL cannot be parsed ({detail})"
        ) from None
    params["connect_timeout"] = max(int(connect_timeout_s), 1)
    params.setdefault("application_name", application_name)
    plain = dict(params)
    if startup_options:
        ours = (
            f"-c default_transaction_read_only=on -c statement_timeout={statement_timeout_ms} "
            f"-c lock_timeout={lock_timeout_ms} "
            f"-c idle_in_transaction_session_timeout={statement_timeout_ms * 2}"
        )
        theirs = str(params.get("options") or "")
        params["options"] = f"{theirs} {ours}".strip()  # ours come last, so they win
    try:
        return _open(params)
    except psycopg.Error as exc:
        if startup_options and "unsupported startup parameter" in str(exc):
            return _connect_plain(dsn, plain, statement_timeout_ms, lock_timeout_ms)
        reason = postgres_reason(exc, dsn, statement_timeout_ms, lock_timeout_ms)
        raise TargetError(f"cannot connect to {redact_dsn(dsn)}: {reason}") from None


def _connect_plain(dsn: str, params: dict[str, Any], statement_timeout_ms: int,
                   lock_timeout_ms: int) -> psycopg.Connection[Any]:
    """Poolers such as PgBouncer refuse startup options; SET LOCAL in the transaction stays."""
    try:
        return _open(params)
    except psycopg.Error as exc:
        reason = postgres_reason(exc, dsn, statement_timeout_ms, lock_timeout_ms)
        raise TargetError(f"cannot connect to {redact_dsn(dsn)}: {reason}") from None


def _open(params: dict[str, Any]) -> psycopg.Connection[Any]:
    # autocommit: psycopg must never BEGIN a transaction on its own; the helper does
    return psycopg.connect(psycopg.conninfo.make_conninfo("", **params), autocommit=True)


def _close_quietly(connection: psycopg.Connection[Any]) -> None:
    if connection.closed:
        return
    try:
        if connection.info.transaction_status != TransactionStatus.IDLE:
            connection.execute("ROLLBACK")
    except psycopg.Error:
        pass
    finally:
        connection.close()


def postgres_reason(exc: psycopg.Error, dsn: str, statement_timeout_ms: int,
                    lock_timeout_ms: int) -> str:
    """One line saying why a PostgreSQL call failed, without any password."""
    raw = str(exc).strip()
    first = raw.splitlines()[0] if raw else type(exc).__name__
    detail = _scrub(_strip_prefixes(first), dsn)
    lowered = raw.lower()
    sqlstate = exc.sqlstate or ""
    if isinstance(exc, pg_errors.QueryCanceled) and "statement timeout" in lowered:
        return f"the audit query exceeded the statement timeout of {statement_timeout_ms} ms"
    if isinstance(exc, pg_errors.LockNotAvailable) or "lock timeout" in lowered:
        return f"the audit query waited longer than the lock timeout of {lock_timeout_ms} ms"
    if isinstance(exc, pg_errors.QueryCanceled):
        return f"the audit query was cancelled ({detail})"
    if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
        return f"refused: the connection is read-only ({detail})"
    if isinstance(exc, pg_errors.InsufficientPrivilege) or "permission denied" in lowered:
        return f"permission denied ({detail})"
    for needle, reason in _CONNECT_REASONS:
        if needle in lowered:
            return f"{reason} ({detail})"
    if sqlstate:
        return f"{detail} [SQLSTATE {sqlstate}]"
    return detail


_CONNECT_REASONS: tuple[tuple[str, str], ...] = (
    ("password authentication failed", "authentication failed: wrong user name or password"),
    ("authentication failed", "authentication failed"),
    ("no password supplied", "authentication failed: the server wants a password"),
    ("no pg_hba.conf entry", "the server refuses connections from this host/user/database"),
    ("role \"", "authentication failed: the role does not exist"),  # 'role "x" does not exist'
    ("database \"", "the database does not exist"),
    ("timeout expired", "the server did not answer within the connect timeout"),
    ("connection timeout", "the server did not answer within the connect timeout"),
    ("connection refused", "the host is unreachable: nothing listens on that port"),
    ("failed to resolve host", "the host name cannot be resolved"),
    ("could not translate host name", "the host name cannot be resolved"),
    ("no route to host", "the host is unreachable"),
    ("network is unreachable", "the host is unreachable"),
    ("too many connections", "the server has too many connections"),
    ("the database system is", "the server is not accepting connections now"),
    ("server closed the connection", "the server closed the connection"),
    ("ssl", "the SSL negotiation failed"),
)


def _strip_prefixes(message: str) -> str:
    for prefix in ("connection failed: ",):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message.replace("FATAL:  ", "").replace("ERROR:  ", "").strip()


# --- SQLite ---------------------------------------------------------------------------------

_SQLITE_READ_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
     sqlite3.SQLITE_RECURSIVE}
)

# Pragmas whose argument names a table or index to describe, not a value to set
_READ_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "table_list", "foreign_key_check", "integrity_check", "quick_check",
})


class ReadOnlySqlite:
    """Queries against a SQLite file opened read-only, with a per-query time limit."""

    def __init__(self, connection: sqlite3.Connection, path: str,
                 statement_timeout_ms: int) -> None:
        self._connection = connection
        self._path = path
        self.statement_timeout_ms = statement_timeout_ms
        self.statements_sent = 0
        self._deadline = 0.0

    def fetch_all(self, query: str, params: Sequence[Any] | Mapping[str, Any] = ()
                  ) -> list[tuple[Any, ...]]:
        self.statements_sent += 1
        self._deadline = time.monotonic() + self.statement_timeout_ms / 1000
        try:
            rows = self._connection.execute(query, params).fetchall()
        except sqlite3.Error as exc:
            raise TargetError(f"SQLite file {self._path}: {self._reason(exc)}") from None
        return [tuple(row) for row in rows]

    def trace(self, callback: Callable[[str], object] | None) -> None:
        """Call ``callback`` with each SQL text SQLite runs (diagnostics and tests)."""
        self._connection.set_trace_callback(callback)

    def _reason(self, exc: sqlite3.Error) -> str:
        message = str(exc)
        if message == "interrupted":
            limit = self.statement_timeout_ms
            return f"the audit query exceeded the statement timeout of {limit} ms"
        if any(word in message for word in ("not authorized", "authorization denied", "readonly",
                                            "read-only")):
            return f"refused: the connection is read-only ({message})"
        if "not a database" in message:
            return "the file is not a SQLite database"
        return message

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0


@contextmanager
def readonly_sqlite(dsn_or_path: str, *, statement_timeout_ms: int = 30000,
                    lock_timeout_ms: int = 2000) -> Iterator[ReadOnlySqlite]:
    """A SQLite file opened read-only; refuses a missing file instead of creating one."""
    path = sqlite_path(dsn_or_path)
    if not os.path.isfile(path):
        what = "is a directory" if os.path.isdir(path) else "does not exist"
        raise TargetError(f"SQLite file {path} {what}")
    if not os.access(path, os.R_OK):
        raise TargetError(f"SQLite file {path}: permission denied")
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=lock_timeout_ms / 1000,
                                     check_same_thread=False)
    except sqlite3.Error as exc:
        raise TargetError(f"SQLite file {path} cannot be opened: {exc}") from None
    session = ReadOnlySqlite(connection, path, statement_timeout_ms)
    try:
        connection.set_authorizer(_sqlite_authorizer)
        connection.set_progress_handler(session._past_deadline, 1000)
        session.fetch_all("SELECT count(*) FROM sqlite_master")  # "file is not a database" now
        yield session
    finally:
        connection.close()


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None,
                       _trigger: str | None) -> int:
    if action in _SQLITE_READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
        # SQLite asks this when a query reads sqlite_master; writing it would need
        # writable_schema, a pragma this authorizer refuses to set, on a mode=ro file
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg2 is None or (arg1 or "").lower() in _READ_PRAGMAS):
        return sqlite3.SQLITE_OK  # reading a setting or a schema listing, never setting one
    return sqlite3.SQLITE_DENY

__all__ = [
    "POSTGRESQL",
    "SQLITE",
    "ReadOnlyPostgres",
    "ReadOnlySqlite",
    "PRISMA_ONLY_PARAMS",
    "dialect_of",
    "libpq_dsn",
    "postgres_reason",
    "readonly_postgres",
    "readonly_sqlite",
    "redact_dsn",
    "scrub_secrets",
    "sqlite_path",
    "url_schema",
]


def probe(dsn: str, *, connect_timeout_s: int = 3, statement_timeout_ms: int = 3000) -> str:
    """Connect read-only, as an audit would, and say what answered ("PostgreSQL 16.4, read-only
    session, 12 tables in public"); a failure is a TargetError with a redacted reason. For the
    target form's "Test connection": it reads only the catalog and writes nothing."""
    if dialect_of(dsn) == SQLITE:
        with readonly_sqlite(dsn, statement_timeout_ms=statement_timeout_ms) as lite:
            rows = lite.fetch_all("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            return f"SQLite file, read-only, {rows[0][0]} tables"
    with readonly_postgres(dsn, connect_timeout_s=connect_timeout_s,
                           statement_timeout_ms=statement_timeout_ms,
                           application_name="driftwatch-test-connection") as pg:
        row = pg.fetch_one("SELECT current_setting('server_version'), "
                           "current_setting('transaction_read_only'), "
                           "(SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN "
                           "('pg_catalog', 'information_schema'))")
        version, read_only, tables = row if row else ("?", "?", 0)
        session = "read-only session" if read_only == "on" else "session"
        return f"PostgreSQL {str(version).split()[0]}, {session}, {tables} tables"
