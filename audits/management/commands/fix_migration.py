"""``manage.py fix_migration``: the migration.sql that adds what a live database is missing.

Prints it, or with ``--out DIR`` writes ``DIR/<timestamp>_<name>/migration.sql`` (Prisma's
layout) and prints that path. It never touches the database beyond reading it.

The command is the engine's own CLI (``audits.engine.cli``); ``manage.py fix_migration`` runs
that directly, without starting Django. This class is what ``call_command`` finds.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.engine.cli import (
    EXIT_ERROR,
    EXIT_OK,
    FixMigrationOptions,
    add_fix_migration_arguments,
    resolve_database_url,
    run_fix_migration,
)


class Command(BaseCommand):
    help = "Write the fix migration (Prisma migration.sql) for a drifted database."

    def add_arguments(self, parser: CommandParser) -> None:
        add_fix_migration_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # The CLI writes whole text, newlines included: the wrappers must add nothing.
        self.stdout.ending = self.stderr.ending = ""
        dsn = resolve_database_url("fix_migration", options.get("database_url"),
                                   options.get("database_url_env"), self.stderr)
        if dsn is None:
            raise SystemExit(EXIT_ERROR)
        code = run_fix_migration(FixMigrationOptions(
            schema=options["schema"], database_url=dsn,
            name=options["name"], out=options["out"],
        ), self.stdout, self.stderr)
        if code != EXIT_OK:
            raise SystemExit(code)
