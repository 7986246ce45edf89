#!/usr/bin/env python
import os
import sys

# Commands that are the engine's own CLI (audits/engine/cli.py), pure Python with no Django: run
# them before Django is imported, which would cost half a second of a one-second audit on a big
# schema. Same code, output and exit codes as their management commands (which delegate to it).
# Django's own options (--settings, --help...) still go through Django.
ENGINE_COMMANDS = ("drift", "fix_migration", "validate_schema")
# The same for the change guide and the error decoder (audits/engine/guide_cli.py).
GUIDE_COMMANDS = ("change_guide", "decode_error")
DJANGO_OPTIONS = ("-h", "--help", "--version", "-v", "--verbosity", "--settings", "--pythonpath",
                  "--traceback", "--no-color", "--force-color", "--skip-checks")


def engine_command(argv: list[str]) -> bool:
    return len(argv) > 1 and argv[1] in ENGINE_COMMANDS + GUIDE_COMMANDS and not any(
        arg.split("=", 1)[0] in DJANGO_OPTIONS or arg.startswith("-v") for arg in argv[2:])


def main() -> None:
    if engine_command(sys.argv):
        if sys.argv[1] in GUIDE_COMMANDS:
            from audits.engine.guide_cli import main as engine_main
        else:
            from audits.engine.cli import main as engine_main

        sys.exit(engine_main(sys.argv[1:], prog=os.path.basename(sys.argv[0])))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
