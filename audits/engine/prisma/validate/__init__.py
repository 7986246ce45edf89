"""Validation: is a parsed schema one that Prisma accepts? Prisma's rules, in Prisma's words.

``validate(schema)`` returns every error and warning it finds (``Diagnostics``), each with its
file, line and column; ``validate_files`` starts from the text, so a syntax error is one
diagnostic too; ``check(schema)`` raises ``SchemaInvalid`` listing all the errors. The rules run
in Prisma's phases: configuration, declarations and field types first (later rules need to know
every type, so Prisma stops there when one is unknown), then attributes, models, enums and
relations. One module per family: ``config``, ``types``, ``attributes``, ``models``,
``relations``.
"""

from __future__ import annotations

from audits.engine.errors import SchemaError, SchemaInvalid
from audits.engine.prisma import ast
from audits.engine.prisma.validate.config import check_datasource, check_generators
from audits.engine.prisma.validate.context import Ctx
from audits.engine.prisma.validate.diagnostics import Diagnostic, Diagnostics
from audits.engine.prisma.validate.models import check_enums, check_models
from audits.engine.prisma.validate.relations import check_relations
from audits.engine.prisma.validate.types import check_field_types, check_storage

__all__ = ["Diagnostic", "Diagnostics", "check", "validate", "validate_files"]


def validate(schema: ast.PrismaSchema) -> Diagnostics:
    report = Diagnostics(default_file=schema.files[0] if schema.files else "schema.prisma")
    ctx = Ctx(schema, report)
    check_generators(ctx)
    check_datasource(ctx)
    check_field_types(ctx)
    if report.errors:
        return report.sorted()
    check_storage(ctx)
    check_models(ctx)
    check_enums(ctx)
    check_relations(ctx)
    return report.sorted()


def validate_files(files: dict[str, str]) -> Diagnostics:
    """Parse and validate ``{file name: text}``; a syntax error is the one diagnostic then."""
    from audits.engine.prisma.parser import parse_files

    try:
        schema = parse_files(files)
    except SchemaError as exc:
        return Diagnostics([Diagnostic(_message(exc), exc.file, exc.line, exc.column)])
    return validate(schema)


def _message(exc: SchemaError) -> str:
    return f"{exc.message} (expected {exc.expected})" if exc.expected else exc.message


def check(schema: ast.PrismaSchema) -> ast.PrismaSchema:
    """``schema`` itself when Prisma would accept it; ``SchemaInvalid`` with every error if not."""
    report = validate(schema)
    if report.errors:
        raise SchemaInvalid([(d.message, d.file, d.line, d.column) for d in report.errors])
    return schema
