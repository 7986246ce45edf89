"""``manage.py validate_schema PATH [--format text|json]``: does Prisma accept this schema?

Exit status 0 when it does (warnings allowed), 1 when not; every error and warning with
file:line:column. JSON: ``{"errors": [{"file", "line", "column", "message"}], "warnings": [...]}``.

The command is the engine's own CLI (``audits.engine.cli``); ``manage.py validate_schema`` runs
that directly, without starting Django. This class is what ``call_command`` finds.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.engine.cli import EXIT_OK, add_validate_schema_arguments, run_validate_schema


class Command(BaseCommand):
    help = "Check a schema.prisma (or a folder of .prisma files) as Prisma does."

    def add_arguments(self, parser: CommandParser) -> None:
        add_validate_schema_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.ending = self.stderr.ending = ""  # the CLI writes whole lines
        code = run_validate_schema(options["path"], options["format"], self.stdout, self.stderr)
        if code != EXIT_OK:
            raise SystemExit(code)
