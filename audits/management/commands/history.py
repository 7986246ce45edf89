"""``manage.py history``: which migration is applied where, and code/history/database three ways.

Thin over ``audits.engine.history.check_history``. The history is replayed on a shadow server:
``--shadow-url``, else settings ``DRIFTWATCH_SHADOW_DATABASE_URL``, else (a target on this
machine only) the target's own server; replays are cached under ``VAR_DIR/history-cache``.
Exit status: 0 when the check ran, 1 when it could not (one line on stderr, no password).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from audits.management.commands._cli import (
    add_database_url_arguments,
    failure_line,
    load_expected,
    resolve_database_url,
)

EXIT_ERROR = 1


class Command(BaseCommand):
    help = "Compare a Prisma migrations folder, _prisma_migrations and the live database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--migrations", required=True, help="the Prisma migrations folder")
        add_database_url_arguments(parser)
        parser.add_argument("--schema", help="schema.prisma (or a folder of .prisma files), "
                                             "for the code side of the three-way view")
        parser.add_argument("--shadow-url", help="a PostgreSQL server to replay the history on "
                                                 "(default: DRIFTWATCH_SHADOW_DATABASE_URL)")
        parser.add_argument("--cache-dir", help="where replayed histories are cached")
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        from audits.engine.history import check_history, choose_shadow

        dsn = resolve_database_url("history", options.get("database_url"),
                                   options.get("database_url_env"), self.stderr)
        if dsn is None:
            raise SystemExit(EXIT_ERROR)
        try:
            code = load_expected(options["schema"]) if options["schema"] else None
            shadow = choose_shadow(dsn, options["shadow_url"] or
                                   getattr(settings, "DRIFTWATCH_SHADOW_DATABASE_URL", ""))
            cache_dir = options["cache_dir"] or Path(settings.VAR_DIR) / "history-cache"
            report = check_history(options["migrations"], dsn, code=code, shadow_dsn=shadow.dsn,
                                   allow_target_server=shadow.allow_target_server,
                                   cache_dir=cache_dir)
        except Exception as exc:  # every failure is one line, never a traceback
            self.stderr.write(failure_line("history", _scrubbed(exc, options), dsn))
            raise SystemExit(EXIT_ERROR) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.to_dict(), indent=2))
        else:
            from audits.engine.history.text import report_to_text

            self.stdout.write(report_to_text(report), ending="")


def _scrubbed(exc: Exception, options: dict[str, Any]) -> Exception:
    """The shadow URL's password is a secret too: failure_line scrubs only the target's."""
    shadow = options.get("shadow_url") or ""
    if not shadow:
        return exc
    from audits.management.commands._cli import scrub

    return type(exc)(scrub(str(exc), shadow)) if str(exc) else exc
