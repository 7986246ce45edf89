"""``manage.py fix_migration``: the migration.sql that adds what a live database is missing.

Prints it, or with ``--out DIR`` writes ``DIR/<timestamp>_<name>/migration.sql`` (Prisma's
layout) and prints that path. It never touches the database beyond reading it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.management.commands._cli import failure_line, load_expected


class Command(BaseCommand):
    help = "Write the fix migration (Prisma migration.sql) for a drifted database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True,
                            help="schema.prisma, a folder of .prisma files, or a snapshot .json")
        parser.add_argument("--database-url", required=True,
                            help="postgresql://... or a SQLite path (read-only access)")
        parser.add_argument("--name", default="fix_drift", help="the migration's name")
        parser.add_argument("--out", help="a migrations folder to write the migration into")

    def handle(self, *args: Any, **options: Any) -> None:
        from audits.engine.audit import audit_database
        from audits.engine.repair import fix_migration, migration_folder_name

        dsn = options["database_url"]
        try:
            expected = load_expected(options["schema"])
            result = audit_database(expected, dsn)
            sql = fix_migration(expected, result.actual, result.report)
            if options["out"]:
                folder = Path(options["out"]) / migration_folder_name(
                    options["name"], datetime.now(UTC))
                folder.mkdir(parents=True, exist_ok=False)
                (folder / "migration.sql").write_text(sql)
        except Exception as exc:  # every failure is one line, never a traceback
            self.stderr.write(failure_line("fix_migration", exc, dsn))
            raise SystemExit(1) from None
        if options["out"]:
            self.stdout.write(str(folder / "migration.sql"))
        else:
            self.stdout.write(sql, ending="")
