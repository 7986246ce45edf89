"""What the drift commands share: loading the schema, and turning any failure into one line.

They live in the engine's own CLI (``audits.engine.cli``), which ``manage.py drift`` and
``manage.py fix_migration`` run without Django; the other commands take them from here.
"""

from __future__ import annotations

from audits.engine.cli import (
    add_database_url_arguments,
    failure_line,
    load_expected,
    resolve_database_url,
    scrub,
)

__all__ = ["add_database_url_arguments", "failure_line", "load_expected", "resolve_database_url",
           "scrub"]
