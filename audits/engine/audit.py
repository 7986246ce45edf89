"""One call for an audit: expected schema, live schema, comparison. The CLI, the Celery tasks
and the tests all come through here, so they cannot disagree about what an audit is.

The parser, lowering and introspection are imported inside the functions: this module (and
anything importing it) loads even where those parts are not needed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audits.engine.compare import compare
from audits.engine.errors import SchemaError, TargetError
from audits.engine.model import Report, Schema

if TYPE_CHECKING:
    from audits.engine.prisma.ast import PrismaSchema

SchemaSource = Schema | str | Path | Mapping[str, str]


@dataclass(frozen=True)
class AuditResult:
    expected: Schema
    actual: Schema
    report: Report
    # milliseconds: {"introspect": ..., "compare": ...}
    timings: dict[str, float] = field(default_factory=dict)


def expected_schema(source: SchemaSource) -> Schema:
    """The schema the code expects, from any of the forms a target may hold:

    a ``Schema`` snapshot (returned as is); a path to ``schema.prisma`` or to a folder of
    ``.prisma`` files; schema text; or a multi-file schema as ``{file name: text}``.
    Raises ``SchemaError`` (with file:line:column) when the schema is malformed.
    """
    if isinstance(source, Schema):
        return source
    from audits.engine.prisma.lowering import lower

    return lower(_parse(source))


def _parse(source: str | Path | Mapping[str, str]) -> PrismaSchema:
    from audits.engine.prisma.parser import load_schema, parse_files, parse_schema

    if isinstance(source, Mapping):
        return parse_files(dict(source))
    if isinstance(source, Path) or _looks_like_path(source):
        return load_schema(source)
    return parse_schema(source)


def _looks_like_path(text: str) -> bool:
    if "\n" in text or "{" in text:
        return False  # schema text, not a file name
    if not Path(text).exists():
        raise SchemaError(f"{text} does not exist", text)
    return True


def live_schema(dsn: str, namespaces: tuple[str, ...] = ("public",), **timeouts: Any) -> Schema:
    from audits.engine.introspect import introspect

    return introspect(dsn, namespaces, **timeouts)


def audit_database(expected: Schema, dsn: str, *, live: Callable[[], Schema] | None = None,
                   **timeouts: Any) -> AuditResult:
    """Introspect ``dsn`` (read-only) and compare it with ``expected``.

    ``timeouts`` go to ``introspect`` (``connect_timeout_s``, ``statement_timeout_ms``,
    ``lock_timeout_ms``). Raises ``TargetError`` (password-free) when the database cannot be read.
    ``live``, when given, returns the live schema of ``dsn`` (already being read elsewhere).
    """
    started = time.perf_counter()
    actual = live() if live is not None else live_schema(dsn, expected.namespaces, **timeouts)
    introspected = time.perf_counter()
    if actual.dialect != expected.dialect:
        # Every column would differ; say what is really wrong instead.
        from audits.engine.connect import redact_dsn

        raise TargetError(f"{redact_dsn(dsn)} is a {actual.dialect} database but the schema's "
                          f"datasource provider is {expected.dialect}")
    report = compare(expected, actual)
    compared = time.perf_counter()
    return AuditResult(
        expected=expected,
        actual=actual,
        report=report,
        timings={
            "introspect": round((introspected - started) * 1000, 3),
            "compare": round((compared - introspected) * 1000, 3),
        },
    )


def audit_prisma(source: SchemaSource, dsn: str, **timeouts: Any) -> AuditResult:
    """What ``audit`` returns, sooner: the database is read while the schema is lowered.

    Reading the catalog is mostly waiting on the server (another process, on another core) and
    psycopg releases the GIL while it waits, so the read runs in a thread as soon as the parse
    has named the namespaces. A schema error still wins over a database error, as in ``audit``.
    """
    if isinstance(source, Schema):
        return audit_database(source, dsn, **timeouts)
    # The database driver takes a tenth of a second to import: import it while the schema is
    # parsed, so the catalog queries can leave as soon as the parse is done.
    threading.Thread(target=_import_introspection, daemon=True, name="import").start()
    from audits.engine.prisma.lowering import lower
    from audits.engine.prisma.lowering.context import read_datasource

    prisma = _parse(source)
    reading = _Background(live_schema, dsn, read_datasource(prisma).namespaces, **timeouts)
    expected = lower(prisma)
    return audit_database(expected, dsn, live=reading.result)


def _import_introspection() -> None:
    # a failure here is left for the real import, in live_schema, to report as one line
    with contextlib.suppress(Exception):
        import audits.engine.introspect.postgres  # noqa: F401  (psycopg and its adapters)


class _Background:
    """``function(*args, **kwargs)`` in a daemon thread: a caller that gives up on the result
    (a schema error) neither waits for it nor keeps the process alive for it."""

    def __init__(self, function: Callable[..., Schema], *args: Any, **kwargs: Any) -> None:
        self._value: Schema | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, args, kwargs),
                                        daemon=True, name="introspect")
        self._thread.start()

    def _run(self, function: Callable[..., Schema], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> None:
        try:
            self._value = function(*args, **kwargs)
        except BaseException as exc:  # handed to the caller in result()
            self._error = exc

    def result(self) -> Schema:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def audit(source: SchemaSource, dsn: str, **timeouts: Any) -> AuditResult:
    """``expected_schema`` then ``audit_database``: the whole audit from a schema source."""
    return audit_database(expected_schema(source), dsn, **timeouts)


__all__ = ["AuditResult", "SchemaSource", "audit", "audit_database", "audit_prisma",
           "expected_schema", "live_schema"]
