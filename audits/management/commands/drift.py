"""``manage.py drift``: audit a live database against a schema.prisma, print the findings.

Exit status with ``--exit-code``: 0 nothing above info, 2 drift, 1 the audit could not run.
Without it: 0 whenever the audit ran. A failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import gc
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.management.commands._cli import failure_line, load_expected

EXIT_OK, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2


class Command(BaseCommand):
    help = "Compare a live database with schema.prisma and report the drift."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True,
                            help="schema.prisma, a folder of .prisma files, or a snapshot .json")
        parser.add_argument("--database-url", required=True,
                            help="postgresql://... or a SQLite path (read-only access)")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--exit-code", action="store_true",
                            help="exit 2 when there is drift above info, 0 when there is none")
        parser.add_argument("--statement-timeout-ms", type=int, default=30000)
        parser.add_argument("--connect-timeout-s", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        # A big schema is hundreds of thousands of small objects, nearly all acyclic, built in
        # one go: the cyclic collector's repeated passes over them cost more than the audit
        # (2,000 models: lowering 1.1 s -> 0.4 s, compare 0.6 s -> 0.1 s). This process ends
        # when the command does, and reference counting still frees what is dropped.
        gc.disable()
        from audits.engine.audit import audit_database
        from audits.engine.report import report_to_dict, report_to_text

        dsn = options["database_url"]
        try:
            expected = load_expected(options["schema"])
            result = audit_database(expected, dsn,
                                    statement_timeout_ms=options["statement_timeout_ms"],
                                    connect_timeout_s=options["connect_timeout_s"])
        except Exception as exc:  # every failure is one line, never a traceback
            self.stderr.write(failure_line("drift", exc, dsn))
            raise SystemExit(EXIT_ERROR) from None
        report = result.report
        if options["format"] == "json":
            self.stdout.write(json.dumps(report_to_dict(report), indent=2))
        else:
            self.stdout.write(report_to_text(report), ending="")
        if options["exit_code"] and report.has_drift():
            raise SystemExit(EXIT_DRIFT)
