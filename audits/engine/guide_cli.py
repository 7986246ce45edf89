"""``change_guide`` and ``decode_error``: the mobile team's two commands, without Django.

    change_guide --from OLD --to NEW [--code DIR] [--format text|json|markdown] [--exit-code]
    decode_error --schema PATH (--database-url URL | --database-url-env NAME) [--code DIR]
        [--format text|json] MESSAGE

OLD, NEW and PATH are a schema.prisma file or a folder of .prisma files; MESSAGE is the error
as a log shows it (``-`` reads it from stdin). ``manage.py`` runs this module before Django
starts, as it runs ``audits.engine.cli`` for ``drift``; the management commands delegate
here. A failure is one line on stderr and exit 1; ``change_guide --exit-code`` exits 2 when a
change is breaking.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audits.engine.cli import (
    EXIT_DRIFT,
    EXIT_ERROR,
    EXIT_OK,
    Writer,
    add_database_url_arguments,
    failure_line,
    resolve_database_url,
)

if TYPE_CHECKING:
    from audits.engine.decode import Decoded


@dataclass(frozen=True)
class ChangeGuideOptions:
    old: str
    new: str
    code: str | None = None
    format: str = "text"
    exit_code: bool = False


@dataclass(frozen=True)
class DecodeErrorOptions:
    schema: str
    database_url: str
    message: str
    code: str | None = None
    format: str = "text"
    statement_timeout_ms: int = 30000
    connect_timeout_s: int = 5


def add_change_guide_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="old", required=True,
                        help="the older schema.prisma, or a folder of .prisma files")
    parser.add_argument("--to", dest="new", required=True,
                        help="the newer schema.prisma, or a folder of .prisma files")
    parser.add_argument("--code", help="the backend's code folder: list the endpoints each "
                                       "change affects")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--exit-code", action="store_true",
                        help="exit 2 when a change is breaking")


def add_decode_error_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schema", required=True,
                        help="schema.prisma or a folder of .prisma files")
    add_database_url_arguments(parser)
    parser.add_argument("--code", help="the backend's code folder: list the endpoints "
                                       "that touch what the error is about")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--statement-timeout-ms", type=int, default=30000)
    parser.add_argument("--connect-timeout-s", type=int, default=5)
    parser.add_argument("message", help="the error as the log shows it; - reads stdin")


def run_change_guide(options: ChangeGuideOptions, stdout: Writer, stderr: Writer) -> int:
    from audits.engine.changes import (
        change_guide,
        guide_to_dict,
        guide_to_markdown,
        guide_to_text,
    )
    from audits.engine.errors import EngineError
    from audits.engine.prisma import load_schema
    from audits.engine.prisma.validate import check

    try:
        code = Path(options.code) if options.code else None
        if code is not None and not code.is_dir():
            raise EngineError(f"the code folder {code} does not exist")
        # a schema Prisma would refuse is refused here too, with every error it has
        changes = change_guide(check(load_schema(options.old)), check(load_schema(options.new)),
                               code)
    except Exception as exc:  # every failure is one line, never a traceback
        stderr.write(failure_line("change_guide", exc, "") + "\n")
        return EXIT_ERROR
    if options.format == "json":
        stdout.write(json.dumps(guide_to_dict(changes), indent=2) + "\n")
    elif options.format == "markdown":
        stdout.write(guide_to_markdown(changes, options.old, options.new))
    else:
        stdout.write(guide_to_text(changes))
    if options.exit_code and any(change.impact == "breaking" for change in changes):
        return EXIT_DRIFT
    return EXIT_OK


def run_decode_error(options: DecodeErrorOptions, stdout: Writer, stderr: Writer) -> int:
    from audits.engine.audit import audit_database
    from audits.engine.decode import decode, parse_error
    from audits.engine.endpoints import model_names, relations_from_prisma, scan_backend
    from audits.engine.errors import EngineError
    from audits.engine.prisma import load_schema
    from audits.engine.prisma.lowering import lower
    from audits.engine.prisma.validate import check

    dsn = options.database_url
    try:
        message = sys.stdin.read() if options.message == "-" else options.message
        if not message.strip():
            raise EngineError("the error message is empty")
        code = Path(options.code) if options.code else None
        if code is not None and not code.is_dir():
            raise EngineError(f"the code folder {code} does not exist")
        prisma = check(load_schema(options.schema))
        expected = lower(prisma)
        audited = audit_database(expected, dsn, statement_timeout_ms=options.statement_timeout_ms,
                                 connect_timeout_s=options.connect_timeout_s)
        scan = scan_backend(code, model_names(prisma), relations_from_prisma(prisma)) \
            if code else None
        decoded = decode(parse_error(message), prisma, expected, audited.report,
                         actual=audited.actual,
                         endpoints=[(e.key, e.models) for e in scan.endpoints] if scan else ())
    except Exception as exc:  # every failure is one line, never a traceback
        stderr.write(failure_line("decode_error", exc, dsn) + "\n")
        return EXIT_ERROR
    if options.format == "json":
        stdout.write(json.dumps(decoded.to_dict(), indent=2) + "\n")
    else:
        stdout.write(decoded_to_text(decoded))
    return EXIT_OK


def decoded_to_text(decoded: Decoded) -> str:
    error = decoded.error
    parts = [f"{key}={value}" for key, value in error.to_dict().items()
             if value and key not in ("form", "text")]
    lines = [f"error: {error.form}" + (f" ({', '.join(parts)})" if parts else "")]
    if decoded.model:
        lines.append(f"about: {decoded.model}" + (f".{decoded.field}" if decoded.field else ""))
    for finding in decoded.findings:
        lines.append(f"finding: {finding.severity.value} {finding.kind}: {finding.message}")
    if not decoded.findings:
        lines.append("finding: none")
    if decoded.endpoints:
        lines.append(f"endpoints: {', '.join(decoded.endpoints)}")
    lines.append(f"explanation: {decoded.explanation}")
    if decoded.fix:
        lines.append("fix:")
        lines.append(decoded.fix.rstrip("\n"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None, prog: str = "python -m audits.engine.guide_cli") -> int:
    """Run ``change_guide`` or ``decode_error`` as a whole process; the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add_change_guide_arguments(commands.add_parser(
        "change_guide", help="the API changes between two schema versions"))
    add_decode_error_arguments(commands.add_parser(
        "decode_error", help="what explains an error from a log"))
    args = vars(parser.parse_args(argv))
    if args.pop("command") == "change_guide":
        return run_change_guide(ChangeGuideOptions(**args), sys.stdout, sys.stderr)
    dsn = resolve_database_url("decode_error", args.pop("database_url"),
                               args.pop("database_url_env"), sys.stderr)
    if dsn is None:
        return EXIT_ERROR
    return run_decode_error(DecodeErrorOptions(database_url=dsn, **args), sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
