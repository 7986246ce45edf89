"""One call for an audit: expected schema, live schema, comparison. The CLI, the Celery tasks
and the tests all come through here, so they cannot disagree about what an audit is.

The parser, lowering and introspection are imported inside the functions: this module (and
anything importing it) loads even where those parts are not needed.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audits.engine.compare import compare
from audits.engine.errors import SchemaError, TargetError
from audits.engine.memory import keep
from audits.engine.model import Report, Schema

if TYPE_CHECKING:
    from audits.engine.prisma.ast import PrismaSchema
    from audits.engine.vitals.model import VitalSigns, VitalsRequest

SchemaSource = Schema | str | Path | Mapping[str, str]


@dataclass(frozen=True)
class AuditResult:
    expected: Schema
    actual: Schema
    report: Report
    # milliseconds: {"introspect": ..., "compare": ...}
    timings: dict[str, float] = field(default_factory=dict)
    # the database's vital signs, read with the schema when the caller asked for them
    vitals: VitalSigns | None = None


@dataclass(frozen=True)
class LiveRead:
    """What one read-only session read from the target: the schema, and the vital signs when
    they were asked for."""

    schema: Schema
    vitals: VitalSigns | None = None


def expected_schema(source: SchemaSource) -> Schema:
    """The schema the code expects, from any of the forms a target may hold:

    a ``Schema`` snapshot (returned as is); a path to ``schema.prisma`` or to a folder of
    ``.prisma`` files; schema text; or a multi-file schema as ``{file name: text}``.
    Raises ``SchemaError`` (with file:line:column) when the schema is malformed, and its
    ``SchemaInvalid`` listing every error when Prisma would refuse it.
    """
    if isinstance(source, Schema):
        return source
    from audits.engine.prisma.lowering import lower
    from audits.engine.prisma.validate import check

    return lower(check(_parse(source)))


# Lowered schemas by the content hash of their files: a worker auditing a fleet parses and lowers
# each distinct schema once (langfuse's: about 27 ms), not once per audit.
EXPECTED_ENTRIES = 64
_expected: OrderedDict[str, Schema] = OrderedDict()


def expected_schema_cached(content_key: str,
                           files: Callable[[], SchemaSource]) -> Schema:
    """``expected_schema(files())``, remembered under ``content_key``, which must change
    whenever the content does (a hash of the files). ``files`` is called only on a miss, so
    the caller need not even load the text. A malformed schema is not remembered: it raises
    each time, as ``expected_schema`` does. Schemas are immutable, so sharing one is safe."""
    found = _expected.get(content_key)
    if found is not None:
        _expected.move_to_end(content_key)
        return found
    found = expected_schema(files())
    keep(_expected, content_key, found, EXPECTED_ENTRIES)
    return found


def clear_expected_cache() -> None:
    _expected.clear()
    _reports.clear()


def compare_remembered(expected: Schema, actual: Schema) -> tuple[Schema, Report]:
    """``(actual, compare(expected, actual))``, remembered for the last REPORT_ENTRIES pairs
    of an expected schema object and a live schema's content. Comparing is a pure function of
    the two, and a fleet compares unchanged live schemas with the one object the parse cache
    shares per schema content: its own last one, or the one every copy of an application's
    database has. A hit costs a hash and an equality test of the live schema (about a
    seventh of comparing langfuse's) and returns the equal live schema it remembered, so
    whatever the caller keeps per schema object (its serialization) is found again too."""
    try:
        key = (id(expected), hash(actual))
    except TypeError:  # a field holding a list or a dict: no shortcut
        return actual, compare(expected, actual)
    found = _reports.get(key)
    if found is not None and found[0] is expected and found[1] == actual:
        _reports.move_to_end(key)
        return found[1], found[2]
    report = compare(expected, actual)
    # ``expected`` kept alive with the entry: its id stays its own
    keep(_reports, key, (expected, actual, report), REPORT_ENTRIES)
    return actual, report


REPORT_ENTRIES = 64
_reports: OrderedDict[tuple[int, int], tuple[Schema, Schema, Report]] = OrderedDict()


def _parse(source: str | Path | Mapping[str, str]) -> PrismaSchema:
    from audits.engine.prisma.parser import parse_files

    return parse_files(_schema_files(source))


def _looks_like_path(text: str) -> bool:
    if "\n" in text or "{" in text:
        return False  # schema text, not a file name
    if not Path(text).exists():
        raise SchemaError(f"{text} does not exist", text)
    return True


def live_schema(dsn: str, namespaces: tuple[str, ...] = ("public",), **timeouts: Any) -> Schema:
    from audits.engine.introspect import introspect

    return introspect(dsn, namespaces, **timeouts)


def read_live(dsn: str, namespaces: tuple[str, ...] = ("public",),
              vitals: VitalsRequest | None = None, **timeouts: Any) -> LiveRead:
    """The live schema, plus the vital signs when ``vitals`` asks for them: one read-only
    connection (and on PostgreSQL one transaction) for both."""
    if vitals is None:
        return LiveRead(live_schema(dsn, namespaces, **timeouts))
    from audits.engine.vitals import read_schema_and_vitals

    schema, signs = read_schema_and_vitals(dsn, namespaces, vitals, **timeouts)
    return LiveRead(schema, signs)


def audit_database(expected: Schema, dsn: str, *,
                   live: Callable[[], Schema | LiveRead] | None = None,
                   vitals: VitalsRequest | None = None, remember: bool = False,
                   **timeouts: Any) -> AuditResult:
    """Introspect ``dsn`` (read-only) and compare it with ``expected``.

    ``timeouts`` go to ``introspect`` (``connect_timeout_s``, ``statement_timeout_ms``,
    ``lock_timeout_ms``). Raises ``TargetError`` (password-free) when the database cannot be read.
    ``live``, when given, returns the live schema of ``dsn`` (already being read elsewhere).
    ``vitals`` (a ``VitalsRequest``) also reads the database's vital signs, in the same
    session, into ``AuditResult.vitals``. ``remember``: compare through
    ``compare_remembered`` (for callers that audit the same schemas again and again).
    """
    started = time.perf_counter()
    read = live() if live is not None else read_live(dsn, expected.namespaces, vitals,
                                                     **timeouts)
    actual, signs = (read.schema, read.vitals) if isinstance(read, LiveRead) else (read, None)
    introspected = time.perf_counter()
    if actual.dialect != expected.dialect:
        # Every column would differ; say what is really wrong instead.
        from audits.engine.connect import redact_dsn

        raise TargetError(f"{redact_dsn(dsn)} is a {actual.dialect} database but the schema's "
                          f"datasource provider is {expected.dialect}")
    if remember:
        actual, report = compare_remembered(expected, actual)
    else:
        report = compare(expected, actual)
    compared = time.perf_counter()
    return AuditResult(
        expected=expected,
        actual=actual,
        report=report,
        vitals=signs,
        timings={
            "introspect": round((introspected - started) * 1000, 3),
            "compare": round((compared - introspected) * 1000, 3),
        },
    )


def audit_prisma(source: SchemaSource, dsn: str, *, process: bool = False,
                 vitals: VitalsRequest | None = None, **timeouts: Any) -> AuditResult:
    """What ``audit`` returns, sooner: the database is read while the schema is parsed and
    lowered.

    The read starts before the parse, on the namespaces a quick look at the datasource block
    names (checked against the full parse; read again when they differ). With ``process`` it
    runs in a forked child process, on the other core, where that is safe (see
    ``background``): the command line's choice, a whole process of its own. Otherwise in a
    thread. A schema error still wins over a database error, as in ``audit``, and stops the
    read. ``vitals`` as in ``audit_database``.
    """
    if isinstance(source, Schema):
        return audit_database(source, dsn, vitals=vitals, **timeouts)
    from audits.engine import background
    from audits.engine.prisma.lowering import lower
    from audits.engine.prisma.lowering.context import read_datasource
    from audits.engine.prisma.parser import parse_files
    from audits.engine.prisma.validate import check

    files = _schema_files(source)
    early = _namespaces_at_a_glance(files)
    reading = background.start(read_live, dsn, early, vitals, process=process, **timeouts)
    try:
        prisma = check(parse_files(files))
        namespaces = read_datasource(prisma).namespaces
        if namespaces != early:
            reading.cancel()
            reading = background.start(read_live, dsn, namespaces, vitals, process=process,
                                       **timeouts)
        expected = lower(prisma)
    except BaseException:
        reading.cancel()
        raise
    return audit_database(expected, dsn, live=reading.result)


def _schema_files(source: str | Path | Mapping[str, str]) -> dict[str, str]:
    from audits.engine.prisma.parser import read_schema_files

    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, Path) or _looks_like_path(source):
        return read_schema_files(source)
    return {"schema.prisma": source}


_DATASOURCE_RE = re.compile(r"^[ \t]*datasource[ \t]+[A-Za-z_][\w-]*[ \t]*\{", re.MULTILINE)
_BLOCK_END_RE = re.compile(r"^[ \t]*\}", re.MULTILINE)


def _namespaces_at_a_glance(files: Mapping[str, str]) -> tuple[str, ...]:
    """The namespaces the datasource block names, from parsing that block alone: a guess (the
    full parse has the last word), good enough to start reading the database at once."""
    from audits.engine.prisma.lowering.context import read_datasource
    from audits.engine.prisma.parser import parse_schema

    for text in files.values():
        found = _DATASOURCE_RE.search(text)
        end = _BLOCK_END_RE.search(text, found.end()) if found else None
        if found and end:
            with contextlib.suppress(SchemaError):
                return read_datasource(parse_schema(text[found.start():end.end()])).namespaces
    return ("public",)


def audit(source: SchemaSource, dsn: str, *, vitals: VitalsRequest | None = None,
          **timeouts: Any) -> AuditResult:
    """``expected_schema`` then ``audit_database``: the whole audit from a schema source."""
    return audit_database(expected_schema(source), dsn, vitals=vitals, **timeouts)


__all__ = ["AuditResult", "LiveRead", "SchemaSource", "audit", "audit_database", "audit_prisma",
           "clear_expected_cache", "compare_remembered", "expected_schema",
           "expected_schema_cached", "live_schema", "read_live"]
