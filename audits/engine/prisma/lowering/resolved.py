"""A field's resolved column type: shared by the lowering context (its memo) and the type resolver.

Its own module so that ``context`` and ``types`` do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from audits.engine.prisma import ast


@dataclass(frozen=True)
class ResolvedType:
    """One field's type, resolved. ``sql`` is the element type (without ``[]``)."""

    sql: str
    label: str  # pg_get_expr's label for a constant coerced implicitly (no type modifier)
    full_label: str  # the label with the type modifier, as in ARRAY['x'::character varying(5)]
    scalar: str | None = None  # "String", "Int"...; None for enums and Unsupported
    native: str | None = None  # "VarChar", "Timestamptz"... without the datasource prefix
    enum: ast.EnumDecl | None = None
    is_list: bool = False

    @property
    def column_type(self) -> str:
        return f"{self.sql}[]" if self.is_list else self.sql
