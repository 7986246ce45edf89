"""``manage.py decode_error``: what explains an error from a log, on a live database.

    manage.py decode_error --schema PATH (--database-url URL | --database-url-env NAME)
        [--code DIR] [--format text|json] MESSAGE

Audits the database (read-only) against the schema, then matches the error to the findings,
the endpoints and the fix. The command is the engine's own (``audits.engine.guide_cli``);
``manage.py decode_error`` runs that directly, without starting Django.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.engine.guide_cli import (
    EXIT_ERROR,
    EXIT_OK,
    DecodeErrorOptions,
    add_decode_error_arguments,
    resolve_database_url,
    run_decode_error,
)


class Command(BaseCommand):
    help = "Decode a Prisma, PostgreSQL or TypeScript error against a live database's drift."

    def add_arguments(self, parser: CommandParser) -> None:
        add_decode_error_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.ending = self.stderr.ending = ""
        dsn = resolve_database_url("decode_error", options.get("database_url"),
                                   options.get("database_url_env"), self.stderr)
        if dsn is None:
            raise SystemExit(EXIT_ERROR)
        code = run_decode_error(DecodeErrorOptions(
            schema=options["schema"], database_url=dsn, message=options["message"],
            code=options.get("code"), format=options["format"],
            statement_timeout_ms=options["statement_timeout_ms"],
            connect_timeout_s=options["connect_timeout_s"],
        ), self.stdout, self.stderr)
        if code != EXIT_OK:
            raise SystemExit(code)
