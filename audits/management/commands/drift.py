"""``manage.py drift``: audit a live database against a schema.prisma, print the findings.

Exit status with ``--exit-code``: 0 nothing above info, 2 drift, 1 the audit could not run.
Without it: 0 whenever the audit ran. A failure is one line on stderr, never a traceback.

The command is the engine's own CLI (``audits.engine.cli``); ``manage.py drift`` runs that
directly, without starting Django. This class is what ``call_command("drift", ...)`` finds.
"""

from __future__ import annotations

import gc
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.engine.cli import (
    EXIT_ERROR,
    EXIT_OK,
    DriftOptions,
    add_drift_arguments,
    resolve_database_url,
    run_drift,
)


class Command(BaseCommand):
    help = "Compare a live database with schema.prisma and report the drift."

    def add_arguments(self, parser: CommandParser) -> None:
        add_drift_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # The cyclic collector's passes over a big schema's acyclic objects cost more than the
        # audit (see audits.engine.cli.main).
        gc.disable()
        # The CLI writes whole text, newlines included: the wrappers must add nothing.
        self.stdout.ending = self.stderr.ending = ""
        dsn = resolve_database_url("drift", options.get("database_url"),
                                   options.get("database_url_env"), self.stderr)
        if dsn is None:
            raise SystemExit(EXIT_ERROR)
        code = run_drift(DriftOptions(
            schema=options["schema"], database_url=dsn,
            format=options["format"], exit_code=options["exit_code"],
            statement_timeout_ms=options["statement_timeout_ms"],
            connect_timeout_s=options["connect_timeout_s"],
        ), self.stdout, self.stderr)
        if code != EXIT_OK:
            raise SystemExit(code)
