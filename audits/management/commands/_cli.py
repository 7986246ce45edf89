"""What the drift commands share: loading the schema, and turning any failure into one line."""

from __future__ import annotations

import re
from pathlib import Path

from audits.engine.errors import EngineError, SchemaError
from audits.engine.model import Schema


def load_expected(schema_path: str) -> Schema:
    """schema.prisma, a folder of .prisma files, or a known-good snapshot (Schema JSON)."""
    from audits.engine.audit import expected_schema

    path = Path(schema_path)
    if path.suffix == ".json" and path.is_file():
        try:
            return Schema.from_json(path.read_text())
        except (ValueError, TypeError, KeyError) as exc:
            raise SchemaError(f"not a schema snapshot: {exc}", str(path)) from None
    return expected_schema(path)


def failure_line(command: str, exc: BaseException, dsn: str) -> str:
    """One line for stderr: the engine's own message, or the exception's, without a password."""
    unexpected = f"unexpected {type(exc).__name__}: {exc}"
    text = str(exc) if isinstance(exc, EngineError) else unexpected
    text = scrub(text, dsn)
    first = " ".join(text.split())  # one line, whatever the exception carried
    return f"{command}: error: {first}"


def scrub(text: str, dsn: str) -> str:
    """Remove the DSN and its password from ``text`` (defence in depth behind redact_dsn)."""
    if not dsn:
        return text
    from audits.engine.connect import redact_dsn

    redacted = redact_dsn(dsn)
    text = text.replace(dsn, redacted)
    for secret in _passwords(dsn):
        text = text.replace(secret, "***")
    return text


def _passwords(dsn: str) -> list[str]:
    found = []
    url = re.match(r"^[a-z][a-z0-9+.-]*://[^:/@]*:([^@]*)@", dsn, re.IGNORECASE)
    if url and url.group(1):
        found.append(url.group(1))
    found += [m.group(2).strip("'") for m in
              re.finditer(r"(password\s*=\s*)('[^']*'|[^\s&]+)", dsn, re.IGNORECASE)]
    return [secret for secret in found if len(secret) >= 3]
