"""The engine's own command line: ``drift`` and ``fix_migration`` without Django.

    python -m audits.engine.cli drift --schema PATH (--database-url URL | --database-url-env NAME)
        [--format text|json] [--exit-code] [--statement-timeout-ms N] [--connect-timeout-s N]
    python -m audits.engine.cli fix_migration --schema PATH (--database-url URL |
        --database-url-env NAME) [--name NAME] [--out DIR]
    python -m audits.engine.cli validate_schema PATH [--format text|json]

``manage.py drift`` and ``manage.py fix_migration`` are these same functions: the management
commands delegate here, and ``manage.py`` runs this module directly, before Django is imported,
when its first argument is one of them (starting Django costs half a second the audit never
uses). So the output, the exit codes and the one-line stderr errors are one implementation.

``drift`` exit status with ``--exit-code``: 0 nothing above info, 2 drift, 1 the audit could not
run; without it 0 whenever the audit ran. A failure is one line on stderr, never a traceback.

``validate_schema`` is ``prisma validate``: exit 0 when Prisma would accept the schema (warnings
allowed), 1 when not; every error and warning with file:line:column, in Prisma's words.

``--database-url-env NAME`` reads the URL from an environment variable instead, so a password
shows neither in ``ps`` nor in shell history.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from audits.engine.errors import EngineError, SchemaError
from audits.engine.model import Schema

EXIT_OK, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2
COMMANDS = ("drift", "fix_migration", "validate_schema")


class Writer(Protocol):
    """A text stream: sys.stdout, io.StringIO, or a Django command's OutputWrapper (which adds
    no newline to text that already ends with one, so every write here is whole lines)."""

    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class DriftOptions:
    schema: str
    database_url: str
    format: str = "text"
    exit_code: bool = False
    statement_timeout_ms: int = 30000
    connect_timeout_s: int = 5


@dataclass(frozen=True)
class FixMigrationOptions:
    schema: str
    database_url: str
    name: str = "fix_drift"
    out: str | None = None


# --- what both commands share ----------------------------------------------------------------


def load_expected(schema_path: str) -> Schema:
    """schema.prisma, a folder of .prisma files, or a known-good snapshot (Schema JSON)."""
    from audits.engine.audit import expected_schema

    path = Path(schema_path)
    if path.suffix == ".json" and path.is_file():
        try:
            return Schema.from_json(path.read_text())
        except (ValueError, TypeError, KeyError) as exc:
            raise SchemaError(f"not a schema snapshot: {exc}", str(path)) from None
    return expected_schema(path)


def failure_line(command: str, exc: BaseException, dsn: str) -> str:
    """One line for stderr: the engine's own message, or the exception's, without a password."""
    unexpected = f"unexpected {type(exc).__name__}: {exc}"
    text = str(exc) if isinstance(exc, EngineError) else unexpected
    text = scrub(text, dsn)
    first = " ".join(text.split())  # one line, whatever the exception carried
    return f"{command}: error: {first}"


def scrub(text: str, dsn: str) -> str:
    """Remove the DSN and its password from ``text`` (defence in depth behind redact_dsn)."""
    if not dsn:
        return text
    from audits.engine.connect import redact_dsn

    redacted = redact_dsn(dsn)
    text = text.replace(dsn, redacted)
    for secret in _passwords(dsn):
        text = text.replace(secret, "***")
    return text


def _passwords(dsn: str) -> list[str]:
    found = []
    url = re.match(r"^[a-z][a-z0-9+.-]*://[^:/@]*:([^@]*)@", dsn, re.IGNORECASE)
    if url and url.group(1):
        found.append(url.group(1))
    found += [m.group(2).strip("'") for m in
              re.finditer(r"(password\s*=\s*)('[^']*'|[^\s&]+)", dsn, re.IGNORECASE)]
    return [secret for secret in found if len(secret) >= 3]


def add_database_url_arguments(parser: argparse.ArgumentParser) -> None:
    """``--database-url URL`` or ``--database-url-env NAME``: exactly one."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--database-url",
                       help="postgresql://... or a SQLite path (read-only access)")
    group.add_argument("--database-url-env", metavar="NAME",
                       help="the name of an environment variable holding the database URL "
                            "(keeps a password out of ps and shell history)")


def database_url_from_env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The URL held by environment variable ``name``; an EngineError naming the variable
    (never its value) when it is unset or empty."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    if not value:
        raise EngineError(f"environment variable {name} is not set or is empty")
    return value


def resolve_database_url(command: str, url: str | None, env_name: str | None,
                         stderr: Writer) -> str | None:
    """The URL given directly or through ``--database-url-env``; None (after one stderr
    line) when the variable is missing."""
    if url is not None or not env_name:
        return url or ""
    try:
        return database_url_from_env(env_name)
    except EngineError as exc:
        stderr.write(f"{command}: error: {exc}\n")
        return None


# --- the commands ----------------------------------------------------------------------------


def run_drift(options: DriftOptions, stdout: Writer, stderr: Writer) -> int:
    """Audit, print the report; the exit status."""
    from audits.engine.audit import audit_prisma
    from audits.engine.report import report_to_dict, report_to_text

    dsn = options.database_url
    try:
        # a process of its own: the database is read in a child process, on the other core
        result = audit_prisma(load_expected_source(options.schema), dsn, process=True,
                              statement_timeout_ms=options.statement_timeout_ms,
                              connect_timeout_s=options.connect_timeout_s)
    except Exception as exc:  # every failure is one line, never a traceback
        stderr.write(failure_line("drift", exc, dsn) + "\n")
        return EXIT_ERROR
    report = result.report
    if options.format == "json":
        import json

        stdout.write(json.dumps(report_to_dict(report), indent=2) + "\n")
    else:
        stdout.write(report_to_text(report))
    if options.exit_code and report.has_drift():
        return EXIT_DRIFT
    return EXIT_OK


def load_expected_source(schema_path: str) -> Schema | Path:
    """A snapshot is loaded now; a schema.prisma path is left for ``audit_prisma`` to parse
    while the database is being read."""
    path = Path(schema_path)
    if path.suffix == ".json" and path.is_file():
        return load_expected(schema_path)
    return path


def run_fix_migration(options: FixMigrationOptions, stdout: Writer, stderr: Writer) -> int:
    """Audit, then print (or write under ``--out``) the migration that adds what is missing."""
    from audits.engine.audit import audit_database
    from audits.engine.repair import fix_migration, migration_folder_name

    dsn = options.database_url
    try:
        expected = load_expected(options.schema)
        result = audit_database(expected, dsn)
        sql = fix_migration(expected, result.actual, result.report)
        written = None
        if options.out:
            folder = Path(options.out) / migration_folder_name(options.name, datetime.now(UTC))
            folder.mkdir(parents=True, exist_ok=False)
            written = folder / "migration.sql"
            written.write_text(sql)
    except Exception as exc:  # every failure is one line, never a traceback
        stderr.write(failure_line("fix_migration", exc, dsn) + "\n")
        return EXIT_ERROR
    stdout.write(f"{written}\n" if written else sql)
    return EXIT_OK


def run_validate_schema(path: str, output_format: str, stdout: Writer, stderr: Writer) -> int:
    """Validate the schema file or folder at ``path``; 0 when valid, 1 when not."""
    import json

    from audits.engine.prisma.parser import read_schema_files
    from audits.engine.prisma.validate import validate_files

    try:
        report = validate_files(read_schema_files(path))
    except SchemaError as exc:  # the path cannot be read: that is no verdict on a schema
        stderr.write(failure_line("validate_schema", exc, "") + "\n")
        return EXIT_ERROR
    if output_format == "json":
        stdout.write(json.dumps({"errors": [d.as_dict() for d in report.errors],
                                 "warnings": [d.as_dict() for d in report.warnings]},
                                indent=2) + "\n")
    else:
        for label, diagnostics in (("error", report.errors), ("warning", report.warnings)):
            for d in diagnostics:
                stdout.write(f"{d.file}:{d.line}:{d.column}: {label}: {d.message}\n")
        count = len(report.errors)
        stdout.write(f"The schema at {path} is valid.\n" if report.valid else
                     f"The schema at {path} is invalid: {count} error{'s' * (count != 1)}.\n")
    return EXIT_OK if report.valid else EXIT_ERROR


# --- argv --------------------------------------------------------------------------------------


def add_drift_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schema", required=True,
                        help="schema.prisma, a folder of .prisma files, or a snapshot .json")
    add_database_url_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--exit-code", action="store_true",
                        help="exit 2 when there is drift above info, 0 when there is none")
    parser.add_argument("--statement-timeout-ms", type=int, default=30000)
    parser.add_argument("--connect-timeout-s", type=int, default=5)


def add_fix_migration_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schema", required=True,
                        help="schema.prisma, a folder of .prisma files, or a snapshot .json")
    add_database_url_arguments(parser)
    parser.add_argument("--name", default="fix_drift", help="the migration's name")
    parser.add_argument("--out", help="a migrations folder to write the migration into")


def add_validate_schema_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="schema.prisma or a folder of .prisma files")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def main(argv: Sequence[str] | None = None, prog: str = "python -m audits.engine.cli") -> int:
    """Run ``drift``, ``fix_migration`` or ``validate_schema`` as a whole process; the exit
    status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add_drift_arguments(commands.add_parser("drift", help="report the drift"))
    add_fix_migration_arguments(commands.add_parser("fix_migration",
                                                    help="write the fix migration"))
    add_validate_schema_arguments(commands.add_parser(
        "validate_schema", help="check the schema as Prisma does"))
    args = vars(parser.parse_args(argv))
    command = args.pop("command")
    if command == "validate_schema":
        return run_validate_schema(args["path"], args["format"], sys.stdout, sys.stderr)
    dsn = resolve_database_url(command, args.pop("database_url"), args.pop("database_url_env"),
                               sys.stderr)
    if dsn is None:
        return EXIT_ERROR
    args["database_url"] = dsn
    # A big schema is hundreds of thousands of small objects, nearly all acyclic, built in
    # one go: the cyclic collector's repeated passes over them cost more than the audit
    # (2,000 models: lowering 1.1 s -> 0.4 s, compare 0.6 s -> 0.1 s). This process ends
    # when the command does, and reference counting still frees what is dropped.
    gc.disable()
    if command == "drift":
        return run_drift(DriftOptions(**args), sys.stdout, sys.stderr)
    return run_fix_migration(FixMigrationOptions(**args), sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
