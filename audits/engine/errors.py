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


class SchemaInvalid(SchemaError):
    """The schema parses but Prisma would refuse it: every error found, each ``(message, file,
    line, column)``; the first one is also this error's own message and position."""

    MAX_LISTED = 20

    def __init__(self, errors: list[tuple[str, str, int, int]]) -> None:
        self.errors = tuple(errors)
        message, file, line, column = errors[0]
        super().__init__(message, file, line, column)

    def __str__(self) -> str:
        lines = [f"{file}:{line}:{column}: {message}" if line else f"{file}: {message}"
                 for message, file, line, column in self.errors]
        if len(lines) == 1:
            return lines[0]
        shown = lines[:self.MAX_LISTED]
        if len(lines) > len(shown):  # a page or a log line, not a novel; .errors has them all
            shown.append(f"and {len(lines) - len(shown)} more")
        return f"{len(lines)} errors in the schema: " + "; ".join(shown)


class TargetError(EngineError):
    """The target database could not be read: unreachable, refused, timed out, not allowed.

    The message never contains a password: build it from ``redact_dsn`` output only.
    """


class HistoryError(EngineError):
    """A migrations folder cannot be replayed (missing migration.sql, a failing statement...)."""
