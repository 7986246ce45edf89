"""What validation finds: errors and warnings, each with its file, line, column and message."""

from __future__ import annotations

from dataclasses import dataclass, field

from audits.engine.prisma.ast import Position


@dataclass(frozen=True)
class Diagnostic:
    message: str
    file: str
    line: int
    column: int

    def as_dict(self) -> dict[str, str | int]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Diagnostics:
    """Collects what the rules find; ``errors`` refuse the schema, ``warnings`` do not."""

    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    default_file: str = "schema.prisma"

    def _at(self, message: str, position: Position | None) -> Diagnostic:
        if position is None:
            return Diagnostic(message, self.default_file, 0, 0)
        file, line, column = position.resolved()
        return Diagnostic(message, file, line, column)

    def error(self, message: str, position: Position | None) -> None:
        self.errors.append(self._at(message, position))

    def warning(self, message: str, position: Position | None) -> None:
        self.warnings.append(self._at(message, position))

    @property
    def valid(self) -> bool:
        return not self.errors

    def sorted(self) -> Diagnostics:
        """Errors and warnings in file and line order, as Prisma prints them."""
        def key(d: Diagnostic) -> tuple[str, int, int]:
            return (d.file, d.line, d.column)
        return Diagnostics(sorted(self.errors, key=key), sorted(self.warnings, key=key),
                           self.default_file)
