"""``manage.py change_guide``: the API changes between two versions of a schema.prisma.

    manage.py change_guide --from OLD --to NEW [--code DIR] [--format text|json|markdown]
        [--exit-code]

The command is the engine's own (``audits.engine.guide_cli``); ``manage.py change_guide`` runs
that directly, without starting Django. This class is what ``call_command`` finds.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audits.engine.guide_cli import (
    EXIT_OK,
    ChangeGuideOptions,
    add_change_guide_arguments,
    run_change_guide,
)


class Command(BaseCommand):
    help = "List the API changes between two schema versions, each breaking, risky or safe."

    def add_arguments(self, parser: CommandParser) -> None:
        add_change_guide_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # The engine writes whole text, newlines included: the wrappers must add nothing.
        self.stdout.ending = self.stderr.ending = ""
        code = run_change_guide(ChangeGuideOptions(
            old=options["old"], new=options["new"], code=options.get("code"),
            format=options["format"], exit_code=options["exit_code"],
        ), self.stdout, self.stderr)
        if code != EXIT_OK:
            raise SystemExit(code)
