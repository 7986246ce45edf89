"""``manage.py endpoints``: which endpoints of a TS/JS backend are safe on a live database.

    manage.py endpoints --code DIR --schema PATH (--database-url URL | --database-url-env NAME)
        [--format json]

Scans the code for the Prisma models each endpoint touches, audits the database (read-only)
against the schema and prints one verdict per endpoint with its reasons. JSON:
``{"endpoints": [{"route", "methods", "file", "models", "verdict", "reasons"}],
"unresolved": [{"file", "specifier", "line"}]}``. A failure is one line on stderr, exit 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.management.commands._cli import (
    add_database_url_arguments,
    failure_line,
    resolve_database_url,
)

EXIT_ERROR = 1


class Command(BaseCommand):
    help = "Scan a backend's endpoints and judge each against a live database's drift."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="the backend's code folder")
        parser.add_argument("--schema", required=True,
                            help="schema.prisma or a folder of .prisma files")
        add_database_url_arguments(parser)
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--statement-timeout-ms", type=int, default=30000)
        parser.add_argument("--connect-timeout-s", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        dsn = resolve_database_url("endpoints", options.get("database_url"),
                                   options.get("database_url_env"), self.stderr)
        if dsn is None:
            raise SystemExit(EXIT_ERROR)
        try:
            result = self._check(Path(options["code"]), options["schema"], dsn, options)
        except Exception as exc:  # every failure is one line, never a traceback
            self.stderr.write(failure_line("endpoints", exc, dsn))
            raise SystemExit(EXIT_ERROR) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.to_dict(), indent=2))
        else:
            self.stdout.write(as_text(result), ending="")

    def _check(self, code: Path, schema_path: str, dsn: str, options: dict[str, Any]) -> Any:
        from audits.engine.audit import audit_database
        from audits.engine.endpoints import check_backend
        from audits.engine.errors import EngineError
        from audits.engine.prisma.lowering import lower
        from audits.engine.prisma.parser import load_schema
        from audits.engine.prisma.validate import check

        if not code.is_dir():
            raise EngineError(f"the code folder {code} does not exist")
        # a schema Prisma refuses is refused here too, as `drift` and the audits refuse it
        prisma = check(load_schema(schema_path))
        expected = lower(prisma)
        audited = audit_database(expected, dsn,
                                 statement_timeout_ms=options["statement_timeout_ms"],
                                 connect_timeout_s=options["connect_timeout_s"])
        return check_backend(code, prisma, expected, audited.report)


def as_text(result: Any) -> str:
    """One line per endpoint (verdict, methods, route, models), its reasons indented below."""
    lines = []
    for item in result.verdicts:
        models = ", ".join(item.models) or "no database"
        lines.append(f"{item.verdict.value:<8} {','.join(item.methods):<6} {item.route}"
                     f"  [{models}]")
        lines += [f"         - {reason}" for reason in item.reasons]
    for item in result.unresolved:
        lines.append(f"unresolved import {item.specifier!r} in {item.file}:{item.line}")
    counts = result.counts()
    lines.append(", ".join(f"{counts[v]} {v}" for v in ("unsafe", "unknown", "degraded", "safe")))
    return "\n".join(lines) + "\n"
