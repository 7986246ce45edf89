"""From a parsed error to what explains it: the drift findings, the endpoints, the fix.

``decode(parsed, prisma, expected, report, actual=..., scan=...)``: the error's table, column,
enum or constraint is resolved against the schema (a table or a model name, a column or a field
name, any case), then the audit's findings about it are listed, the one that explains the error
first. The fix is the fix migration (``audits.engine.repair``) of that one finding alone: the
live schema with only that object brought in line, diffed against the live schema. An error no
finding explains gets no findings and a plain explanation of what else it means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from audits.engine.decode.parse import ParsedError
from audits.engine.model import Column, Finding, Report, Schema, Table
from audits.engine.prisma import ast
from audits.engine.repair import fix_migration
from audits.engine.report import finding_to_dict

# for each form, the finding kinds that explain it, best first
_COLUMN_KINDS = ("missing_column", "type_mismatch", "nullability_mismatch", "default_mismatch",
                 "missing_table")  # the columns of a missing table are not reported one by one
_KINDS = {
    "missing_column": _COLUMN_KINDS,
    "missing_property": _COLUMN_KINDS,
    "not_null_violation": ("nullability_mismatch", "default_mismatch", "missing_column"),
    "missing_table": ("missing_table",),
    "invalid_enum_value": ("missing_enum_value", "missing_enum", "extra_enum_value"),
    "missing_enum": ("missing_enum",),
    "foreign_key_violation": ("foreign_key_mismatch", "extra_foreign_key", "missing_foreign_key"),
}
GENERATE = "regenerate Prisma Client (npx prisma generate)"


@dataclass(frozen=True)
class Decoded:
    error: ParsedError
    findings: tuple[Finding, ...]
    endpoints: tuple[str, ...]
    fix: str | None
    explanation: str
    model: str | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        error = self.error.to_dict()
        error.update(model=self.model, field=self.field)
        return {"error": error, "findings": [finding_to_dict(f) for f in self.findings],
                "endpoints": list(self.endpoints), "fix": self.fix,
                "explanation": self.explanation}


@dataclass(frozen=True)
class _Subject:
    """What the error is about, in the schema's terms."""

    table: Table | None = None
    column: Column | None = None
    model: str | None = None  # also set for a model the expected schema maps to no table
    field: str | None = None
    enum: str | None = None
    # what the error names that the schema does not define
    unknown: str | None = None


def decode(parsed: ParsedError, prisma: ast.PrismaSchema, expected: Schema, report: Report, *,
           actual: Schema | None = None,
           endpoints: Iterable[tuple[str, Sequence[str]]] = ()) -> Decoded:
    """``endpoints``: ``(key, models touched)`` of each endpoint, from a scan or from where one
    was stored; those touching what the error is about are listed."""
    subject = _resolve(parsed, prisma, expected, actual)
    findings = tuple(_explaining(parsed, subject, report))
    models = set(_models(subject, prisma))
    touching = tuple(dict.fromkeys(key for key, touched in endpoints if set(touched) & models))
    fix = focused_fix(expected, actual, findings[0]) if findings and actual else None
    explanation = _explanation(parsed, subject, findings, expected, prisma)
    return Decoded(parsed, findings, touching, fix, explanation, subject.model, subject.field)


# --- resolving names --------------------------------------------------------------------------


def _find(items: Sequence[Any], name: str | None, *keys: Callable[[Any], str | None]) -> Any:
    """The item whose key is ``name``, exactly, else ignoring case (PostgreSQL folds unquoted
    names to lower case); the keys are tried in order."""
    if not name:
        return None
    for exact in (True, False):
        for key in keys:
            for item in items:
                value = key(item)
                if value is not None and (value == name if exact else
                                          value.lower() == name.lower()):
                    return item
    return None


def _resolve(parsed: ParsedError, prisma: ast.PrismaSchema, expected: Schema,
             actual: Schema | None) -> _Subject:
    form = parsed.form
    if form == "missing_property":
        return _resolve_property(parsed, prisma, expected)
    if form in ("invalid_enum_value", "missing_enum"):
        enum = _find(expected.enums, parsed.enum, lambda e: e.name)
        named = _find(prisma.enums, parsed.enum, lambda e: e.name)
        return _Subject(enum=enum.name if enum else named.name if named else parsed.enum,
                        unknown=None if enum else f"enum {parsed.enum}")
    table = _table(expected, parsed.table)
    if form == "foreign_key_violation" and parsed.constraint:
        holder = next((t for schema in (expected, actual) if schema for t in schema.tables
                       if any(k.name == parsed.constraint for k in t.foreign_keys)), None)
        table = _table(expected, holder.name) if holder else table
    if parsed.table and table is None:
        return _Subject(unknown=f"table {parsed.table}")
    if parsed.column:
        candidates = [table] if table else list(expected.tables)
        for candidate in candidates:
            column = _find(candidate.columns, parsed.column, lambda c: c.name, lambda c: c.field)
            if column is not None:
                return _Subject(candidate, column, candidate.model, column.field)
        where = f"{table.name}." if table else ""
        return _Subject(table, None, table.model if table else None,
                        unknown=f"column {where}{parsed.column}")
    return _Subject(table, None, table.model if table else None)


def _table(expected: Schema, name: str | None) -> Table | None:
    table: Table | None = _find(expected.tables, name, lambda t: t.name, lambda t: t.model)
    return table


def _resolve_property(parsed: ParsedError, prisma: ast.PrismaSchema,
                      expected: Schema) -> _Subject:
    prop, type_text = parsed.property or "", parsed.type or ""
    if "PrismaClient" in type_text or type_text.startswith("Prisma"):
        # prisma.trackingEvent: a model accessor
        model = _find([m for m in prisma.models if m.kind in ("model", "view")], prop,
                      lambda m: m.name[:1].lower() + m.name[1:])
        if model is None:
            return _Subject(unknown=f"a model behind prisma.{prop}")
        return _Subject(_table(expected, model.name), None, model.name)
    leading = type_text.split("<")[0].split("&")[0].strip()
    owners = [m for m in prisma.models if m.name == leading] or [
        m for m in prisma.models if m.field(prop) is not None]
    if not owners:
        return _Subject(unknown=f"field {leading}.{prop}" if leading.isidentifier()
                        else f"field {prop}")
    model = owners[0]
    table = _table(expected, model.name)
    field = model.field(prop)
    if field is None:
        return _Subject(table, None, model.name, unknown=f"field {model.name}.{prop}")
    column = _find(table.columns, prop, lambda c: c.field) if table else None
    return _Subject(table, column, model.name, prop)


def _models(subject: _Subject, prisma: ast.PrismaSchema) -> list[str]:
    if subject.enum:
        return [m.name for m in prisma.models
                if any(f.type.name == subject.enum for f in m.fields)]
    return [subject.model] if subject.model else []


# --- findings ---------------------------------------------------------------------------------


def _explaining(parsed: ParsedError, subject: _Subject, report: Report) -> list[Finding]:
    kinds = _KINDS.get(parsed.form, ())
    if parsed.form == "missing_property" and subject.column is None and subject.table:
        kinds = ("missing_table",)
    matching = [f for f in report.findings if f.kind in kinds and _about(f, parsed, subject)]
    return sorted(matching, key=lambda f: kinds.index(f.kind))


def _about(finding: Finding, parsed: ParsedError, subject: _Subject) -> bool:
    if finding.kind in ("missing_enum", "missing_enum_value", "extra_enum_value"):
        if finding.kind == "missing_enum":
            return finding.object_name == subject.enum
        return (finding.object_name == parsed.value
                and f'"{subject.enum}"' in finding.message)
    if subject.table is None or finding.table != subject.table.name:
        return False
    if finding.kind == "missing_table":
        return True
    if finding.kind.endswith("foreign_key") or finding.kind == "foreign_key_mismatch":
        return parsed.constraint is None or finding.object_name == parsed.constraint
    return subject.column is not None and finding.column == subject.column.name


def focused_fix(expected: Schema, actual: Schema, finding: Finding) -> str:
    """The fix migration for ``finding`` alone: ``actual`` with only its object as expected."""
    wanted_enums = {e.name: e for e in expected.enums}
    enums = {e.name: e for e in actual.enums}
    tables = {(t.schema, t.name): t for t in actual.tables}
    key = (finding.schema or "public", finding.table or "")
    want = expected.table(key[1], key[0]) if finding.table else None
    have = tables.get(key)
    if finding.kind in ("missing_enum", "missing_enum_value") and finding.object_name:
        name = finding.object_name if finding.kind == "missing_enum" else next(
            (e for e in wanted_enums if f'"{e}"' in finding.message), "")
        if name in wanted_enums:
            enums[name] = wanted_enums[name]
    elif want is not None and (have is None or finding.kind == "missing_table"):
        tables[key] = replace(want, foreign_keys=tuple(
            k for k in want.foreign_keys if (k.referenced_schema, k.referenced_table) in tables
            or (k.referenced_schema, k.referenced_table) == key))
    elif want is not None and have is not None:
        tables[key] = _table_with(have, want, finding)
    for table in tables.values():  # enum types the focused objects need
        for column in table.columns:
            base = column.type.removesuffix("[]")
            if base in wanted_enums and base not in enums:
                enums[base] = wanted_enums[base]
    focus = replace(actual, tables=tuple(tables.values()), enums=tuple(enums.values()))
    return fix_migration(focus, actual)


def _table_with(have: Table, want: Table, finding: Finding) -> Table:
    """``have`` with the one column or key of ``finding`` as ``want`` has it."""
    if finding.column:
        wanted = want.column(finding.column)
        if wanted is None:
            return have
        columns = [c for c in have.columns if c.name != finding.column] + [wanted]
        return replace(have, columns=tuple(columns))
    if finding.object_name and "foreign_key" in finding.kind:
        keys = [k for k in have.foreign_keys if k.name != finding.object_name]
        keys += [k for k in want.foreign_keys if k.name == finding.object_name]
        return replace(have, foreign_keys=tuple(keys))
    return have


# --- the explanation --------------------------------------------------------------------------


def _explanation(parsed: ParsedError, subject: _Subject, findings: Sequence[Finding],
                 expected: Schema, prisma: ast.PrismaSchema) -> str:
    if parsed.form == "unknown":
        return ("Driftwatch cannot read this error: it knows Prisma's P2021, P2022, P2011 and "
                "P2003, PostgreSQL's missing column, missing relation, invalid enum value, "
                "not-null and foreign key errors, and TypeScript's \"Property X does not exist "
                "on type Y\".")
    if findings:
        first = findings[0]
        text = f"The live database differs from the schema: {first.message}"
        if parsed.form == "missing_property":
            text += f" The code also runs a Prisma Client older than the schema: {GENERATE}."
        return text + " The fix migration below repairs it."
    return _unexplained(parsed, subject, expected, prisma)


def _unexplained(parsed: ParsedError, subject: _Subject, expected: Schema,
                 prisma: ast.PrismaSchema) -> str:
    form = parsed.form
    if subject.unknown:
        return (f"No drift explains it: the schema does not define {subject.unknown} either. "
                "The client or the code is out of date: it uses a name the schema no longer "
                f"has (see the change guide between the two schema versions), or {GENERATE} "
                "after pulling the newest schema.")
    if form == "invalid_enum_value":
        enum = next((e for e in prisma.enums if e.name == subject.enum), None)
        values = [v.name for v in enum.values] if enum else []
        if parsed.value not in values:
            return (f"No drift explains it: the schema's enum {subject.enum} has no value "
                    f"{parsed.value} either. The client sends a value the code does not know; "
                    f"use one of {', '.join(values)}.")
        return (f"No drift explains it: both the schema and the audited database have "
                f"{subject.enum}.{parsed.value}. The error came from another database, or "
                "from before a migration that added it.")
    where = (f"{subject.model}.{subject.field}" if subject.field
             else subject.model or (subject.table.name if subject.table else "it"))
    if form == "not_null_violation":
        return (f"No drift explains it: the schema and the database both require {where}. The "
                "code (or the client calling it) sent no value for it: it is out of date or "
                "has a bug.")
    if form == "foreign_key_violation":
        return (f"No drift explains it: the schema and the database agree on the relation "
                f"({parsed.constraint or where}). The row refers to a record that does not "
                "exist, or is still referenced: a data problem, not a schema one.")
    if form == "missing_property":
        return (f"No drift explains it: the schema defines {where} and the database has it. "
                f"The code runs a Prisma Client generated from an older schema: {GENERATE}.")
    return (f"No drift explains it: the schema defines {where} and the audited database has "
            "it. The error came from another database (one that is behind: apply the pending "
            "migrations there) or from before a fix was applied.")
