"""`python manage.py targets add|list|remove`: manage audit targets without the web UI."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from audits.core.credentials import TargetConfigError, check_env_var, redacted_dsn
from audits.core.models import Target
from audits.engine.errors import EngineError
from audits.targets import services


class Command(BaseCommand):
    help = "Add, list or remove audit targets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a target")
        add.add_argument("--name", required=True)
        add.add_argument("--slug", default="")
        url = add.add_mutually_exclusive_group(required=True)
        url.add_argument("--database-url", help="stored encrypted")
        url.add_argument("--database-url-env", help="name of a variable holding the URL, "
                         "one DRIFTWATCH_TARGET_ENV_VARS allows")
        schema = add.add_mutually_exclusive_group(required=True)
        schema.add_argument("--schema", help="schema.prisma or a folder: stored as a version")
        schema.add_argument("--schema-path", help="schema.prisma or a folder: re-read each audit")
        add.add_argument("--interval", type=int, default=60, help="minutes between audits")
        add.add_argument("--namespaces", default="", help="comma-separated database schemas")
        sub.add_parser("list", help="list targets (passwords redacted)")
        remove = sub.add_parser("remove", help="remove a target and its audit history")
        remove.add_argument("target", help="slug or name")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        slug = options["slug"] or slugify(options["name"])
        try:
            if options["database_url_env"]:  # refused before any database or file is read
                check_env_var(options["database_url_env"])
            if Target.objects.filter(slug=slug).exists():
                raise CommandError(f"a target with slug {slug!r} already exists")
            # Read once from the operator's own shell: not confined, but capped.
            files = (services.read_schema_files(options["schema"], confine=False)
                     if options["schema"] else None)
            problems = services.schema_problems(files) if files else []
            if problems:  # Prisma would refuse this schema: nothing is saved
                raise CommandError("the schema has errors:\n" + "\n".join(problems))
            target = services.create_target(
                name=options["name"], slug=slug, dsn=options["database_url"] or "",
                dsn_env_var=options["database_url_env"] or "", schema_files=files,
                schema_path=options["schema_path"] or "",
                namespaces=[n.strip() for n in options["namespaces"].split(",") if n.strip()],
                interval_minutes=options["interval"],
            )
        except (TargetConfigError, EngineError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"added {target.slug}: {redacted_dsn(target)}")

    def _list(self, options: dict[str, Any]) -> None:
        for target in Target.objects.order_by("name"):
            status = target.worst_status or "not audited"
            self.stdout.write(
                f"{target.slug}\t{target.name}\t{target.dialect}\t{status}\t"
                f"every {target.interval_minutes} min\t{redacted_dsn(target)}"
            )

    def _remove(self, options: dict[str, Any]) -> None:
        name = options["target"]
        target = Target.objects.filter(slug=name).first() or Target.objects.filter(
            name=name).first()
        if target is None:
            raise CommandError(f"no target named {name!r}")
        target.delete()
        self.stdout.write(f"removed {target.slug}")
