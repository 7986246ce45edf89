"""The engine's errors: each says what went wrong in words a user can act on."""

from __future__ import annotations


class EngineError(Exception):
    """Base class: every failure the engine reports on purpose is one of these."""


class SchemaError(EngineError):
    """schema.prisma is malformed or inconsistent; carries file, line and column."""

    def __init__(self, message: str, file: str = "schema.prisma", line: int = 0, column: int = 0,
                 expected: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.message}"
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class TargetError(EngineError):
    """The target database could not be read: unreachable, refused, timed out, not allowed.

    The message never contains a password: build it from ``redact_dsn`` output only.
    """


class HistoryError(EngineError):
    """A migrations folder cannot be replayed (missing migration.sql, a failing statement...)."""
