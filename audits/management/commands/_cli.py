"""What the drift commands share: loading the schema, and turning any failure into one line.

They live in the engine's own CLI (``audits.engine.cli``), which ``manage.py drift`` and
``manage.py fix_migration`` run without Django; the other commands take them from here.
"""

from __future__ import annotations

from audits.engine.cli import failure_line, load_expected, scrub

__all__ = ["failure_line", "load_expected", "scrub"]
