"""Expected schema vs live schema -> findings with severities, and a status per table and model.

Severities follow DESIGN.md's table: what breaks in a Prisma app. Each finding's message says
what is wrong and what the code will feel, in words a backend engineer can act on.
"""

from __future__ import annotations

from collections.abc import Iterable

from audits.engine.diff import (
    ColumnChange,
    SchemaDiff,
    TableDiff,
    audited_tables,
    diff_schemas,
    is_implicit_many_to_many,
)
from audits.engine.model import (
    Column,
    Finding,
    ForeignKey,
    Index,
    ObjectStatus,
    Report,
    Schema,
    Severity,
    Status,
    Table,
)
from audits.engine.normalize import AUTOINCREMENT, canonical_type

CRITICAL, ERROR, WARNING, INFO = Severity.CRITICAL, Severity.ERROR, Severity.WARNING, Severity.INFO


def compare(expected: Schema, actual: Schema) -> Report:
    diff = diff_schemas(expected, actual)
    findings = _enum_findings(diff)
    for table in diff.missing_tables:
        findings.append(_missing_table(table))
    missing_elsewhere = _missing_columns_by_table(diff)
    for table_diff in diff.tables:
        findings.extend(_table_findings(table_diff, diff, missing_elsewhere, expected.dialect))
    for table in diff.extra_tables:
        findings.append(_finding("extra_table", INFO, table, None,
                                 f'Table "{table.name}" exists in the database but no model maps '
                                 "it; nothing the code does breaks.", actual=table.name))
    findings.sort(key=finding_sort_key)
    objects = _statuses(expected, diff, findings)
    return Report(dialect=actual.dialect or expected.dialect, findings=tuple(findings),
                  objects=tuple(objects))


def finding_sort_key(finding: Finding) -> tuple[int, str, str, str, str, str]:
    return (
        finding.severity.rank,
        finding.schema or "",
        finding.table or "",
        finding.kind,
        finding.column or finding.object_name or "",
        finding.object_name or "",
    )


# --- building findings ----------------------------------------------------------------------


def _label(table: Table) -> str:
    return table.model or table.name


def _finding(kind: str, severity: Severity, table: Table | None, column: Column | None,
             message: str, expected: str | None = None, actual: str | None = None,
             object_name: str | None = None, column_name: str | None = None) -> Finding:
    return Finding(
        kind=kind,
        severity=severity,
        message=message,
        table=table.name if table else None,
        schema=table.schema if table else None,
        model=table.model if table else None,
        field=column.field if column else None,
        column=column.name if column else column_name,
        expected=expected,
        actual=actual,
        object_name=object_name,
    )


def _missing_table(table: Table) -> Finding:
    label = _label(table)
    subject = f"Model {label}'s table" if table.model else "Table"
    return _finding("missing_table", CRITICAL, table, None,
                    f'{subject} "{table.name}" does not exist, so every query on {label} fails.',
                    expected=table.name)


def _table_findings(diff: TableDiff, schema_diff: SchemaDiff,
                    missing_elsewhere: dict[tuple[str, str], set[str]],
                    dialect: str) -> list[Finding]:
    findings: list[Finding] = []
    missing_names = diff.missing_column_names
    for column in diff.missing_columns:
        findings.append(_missing_column(diff, column))
    for column in diff.extra_columns:
        findings.append(_extra_column(diff.live, column, diff.expected))
    for change in diff.changed_columns:
        findings.extend(_column_change_findings(diff.expected, change, dialect))
    findings.extend(_primary_key_findings(diff, missing_names))
    findings.extend(_index_findings(diff, missing_names))
    findings.extend(_foreign_key_findings(diff, missing_names, schema_diff, missing_elsewhere))
    return findings


def _needs(columns: Iterable[str], missing: set[str]) -> bool:
    return any(column in missing for column in columns)


def _carried_objects(diff: TableDiff, column: str) -> list[str]:
    """The indexes, uniques and keys that cannot exist without ``column``."""
    carried = [f'{"unique index" if i.unique else "index"} "{i.name}"'
               for i in diff.expected.indexes if column in i.columns]
    carried += [f'foreign key "{k.name}"' for k in diff.expected.foreign_keys
                if column in k.columns]
    pk = diff.expected.primary_key
    if pk and column in pk.columns:
        carried.insert(0, "the primary key")
    return carried


def _missing_column(diff: TableDiff, column: Column) -> Finding:
    table = diff.expected
    label = _label(table)
    who = f"{label}.{column.field or column.name}"
    message = (f'{who} is missing: column "{column.name}" of table "{table.name}" does not exist, '
               f"so every query on {label} fails")
    carried = _carried_objects(diff, column.name)
    if carried:
        message += f"; {', '.join(carried)} that need{'s' if len(carried) == 1 else ''} it "
        message += "are missing with it" if len(carried) > 1 else "is missing with it"
    return _finding("missing_column", CRITICAL, table, column, message + ".",
                    expected=_describe_column(column))


def _extra_column(live: Table, column: Column, expected: Table) -> Finding:
    label = _label(expected)
    blocks_creates = not column.nullable and column.default is None
    if blocks_creates:
        message = (f'Column "{column.name}" of table "{live.name}" is NOT NULL without a default '
                   f"and no field of {label} maps it, so every create of {label} fails.")
        severity = CRITICAL
    else:
        message = (f'Column "{column.name}" of table "{live.name}" is not in the schema; it is '
                   f"{'nullable' if column.nullable else 'filled by its default'}, "
                   "so nothing the code does breaks.")
        severity = INFO
    return _finding("extra_column", severity, expected, column, message,
                    actual=_describe_column(column))


def _describe_column(column: Column) -> str:
    text = column.type + ("" if column.nullable else " NOT NULL")
    if column.default is not None:
        text += f" DEFAULT {column.default}"
    return text


def _column_change_findings(table: Table, change: ColumnChange, dialect: str) -> list[Finding]:
    findings = []
    column, live = change.expected, change.live
    who = f"{_label(table)}.{column.field or column.name}"
    if change.type_differs:
        expected_type = canonical_type(column.type, dialect)
        live_type = canonical_type(live.type, dialect)
        findings.append(_finding(
            "type_mismatch", ERROR, table, column,
            f'{who} has type {live_type} in the database but the schema expects {expected_type}, '
            "so reads or writes of it can fail or lose data.",
            expected=expected_type, actual=live_type))
    if change.nullability_differs:
        findings.append(_nullability(table, change, who, dialect))
    if change.default_differs:
        findings.append(_default(table, change, who))
    return findings


def _nullability(table: Table, change: ColumnChange, who: str, dialect: str) -> Finding:
    column = change.expected
    is_list = canonical_type(column.type, dialect).endswith("[]")
    if column.nullable and is_list and change.live_default is not None:
        # Prisma creates scalar lists as nullable columns but never writes NULL into one, and
        # an omitted list takes the database default: nothing the code does breaks.
        return _finding(
            "nullability_mismatch", INFO, table, column,
            f"{who} is a list that is NOT NULL in the database (Prisma creates lists nullable); "
            "it has a default and Prisma never writes NULL to a list, so nothing breaks.",
            expected="NULL", actual="NOT NULL")
    if column.nullable:  # the code may omit it, the database refuses
        return _finding(
            "nullability_mismatch", ERROR, table, column,
            f"{who} is optional in the schema but NOT NULL in the database, so creates that "
            "omit it fail.", expected="NULL", actual="NOT NULL")
    return _finding(
        "nullability_mismatch", WARNING, table, column,
        f"{who} is required in the schema but nullable in the database, so reads fail on rows "
        "that hold NULL in it.", expected="NOT NULL", actual="NULL")


def _default(table: Table, change: ColumnChange, who: str) -> Finding:
    column = change.expected
    wanted, found = change.expected_default, change.live_default
    if wanted is None:
        # Prisma sends a value for every field without a schema default, so the database's
        # own default is never used: nothing the code does changes.
        return _finding("default_mismatch", INFO, table, column,
                        f"{who} has a database default ({found}) the schema does not declare; "
                        "nothing the code does uses it.", expected=None, actual=found)
    if found is None:
        severity = WARNING if column.nullable else ERROR
        what = "an auto-incrementing sequence" if wanted == AUTOINCREMENT else f"DEFAULT {wanted}"
        effect = ("so creates that omit it fail" if severity == ERROR
                  else "so creates that omit it store NULL instead")
        return _finding("default_mismatch", severity, table, column,
                        f"{who} has no database default but the schema expects {what}, {effect}.",
                        expected=wanted, actual=None)
    return _finding("default_mismatch", WARNING, table, column,
                    f"{who} defaults to {found} in the database but the schema expects {wanted}, "
                    "so creates that omit it store a different value.",
                    expected=wanted, actual=found)


def _columns_text(columns: Iterable[str]) -> str:
    return "(" + ", ".join(f'"{c}"' for c in columns) + ")"


def _primary_key_findings(diff: TableDiff, missing: set[str]) -> list[Finding]:
    table, live = diff.expected, diff.live
    wanted, found = table.primary_key, live.primary_key
    label = _label(table)
    many_to_many = is_implicit_many_to_many(table)
    if wanted and _needs(wanted.columns, missing):
        return []  # carried by the missing column
    if wanted and found:
        if wanted.columns == found.columns:
            if wanted.name and found.name and wanted.name != found.name:
                return [_finding("primary_key_mismatch", INFO, table, None,
                                 f'The primary key of "{table.name}" is named "{found.name}" '
                                 f'instead of "{wanted.name}"; nothing breaks.',
                                 expected=wanted.name, actual=found.name,
                                 object_name=found.name)]
            return []
        severity = INFO if set(wanted.columns) == set(found.columns) else ERROR
        effect = ("the same columns in another order; nothing breaks" if severity == INFO
                  else "so the identity the code relies on is different")
        return [_finding("primary_key_mismatch", severity, table, None,
                         f'The primary key of "{table.name}" is {_columns_text(found.columns)} '
                         f"but {label} expects {_columns_text(wanted.columns)}: {effect}.",
                         expected=_columns_text(wanted.columns),
                         actual=_columns_text(found.columns), object_name=found.name)]
    if wanted and not found:
        if many_to_many and _has_unique_on(live, wanted.columns):
            return [_finding("primary_key_mismatch", INFO, table, None,
                             f'Join table "{table.name}" uses the older layout (a unique index on '
                             "(A, B) instead of a primary key); Prisma reads both alike.",
                             expected=_columns_text(wanted.columns), actual=None,
                             object_name=wanted.name)]
        return [_finding("primary_key_mismatch", ERROR, table, None,
                         f'Table "{table.name}" has no primary key but {label} expects '
                         f"{_columns_text(wanted.columns)}, so the identity the code relies on "
                         "is not enforced.", expected=_columns_text(wanted.columns),
                         actual=None, object_name=wanted.name)]
    if found and not wanted:
        layout = ("uses the newer layout (a primary key on (A, B)); Prisma reads both alike"
                  if many_to_many else "has a primary key the schema does not declare; "
                  "nothing breaks")
        return [_finding("primary_key_mismatch", INFO, table, None,
                         f'Table "{table.name}" {layout}.', expected=None,
                         actual=_columns_text(found.columns), object_name=found.name)]
    return []


def _has_unique_on(table: Table, columns: Iterable[str]) -> bool:
    wanted = set(columns)
    return any(i.unique and set(i.columns) == wanted and not i.predicate for i in table.indexes)


def _index_findings(diff: TableDiff, missing: set[str]) -> list[Finding]:
    table = diff.expected
    label = _label(table)
    findings = []
    for index in diff.missing_indexes:
        if _needs(index.columns, missing):
            continue  # carried by the missing column
        cols = _columns_text(index.columns)
        if index.unique:
            findings.append(_finding(
                "missing_unique", ERROR, table, None,
                f'The unique index "{index.name}" on {cols} of "{table.name}" does not exist, so '
                f"{label} rows can duplicate what the code treats as unique, and upserts fail.",
                expected=cols, object_name=index.name))
        else:
            findings.append(_finding(
                "missing_index", WARNING, table, None,
                f'The index "{index.name}" on {cols} of "{table.name}" does not exist, so '
                f"queries on {label} that rely on it are slower.",
                expected=cols, object_name=index.name))
    pk = diff.live.primary_key or table.primary_key
    for index in diff.extra_indexes:
        findings.append(_extra_index(table, index, pk.columns if pk else ()))
    for wanted, found in diff.renamed_indexes:
        kind = "extra_unique" if found.unique else "extra_index"
        findings.append(_finding(
            kind, INFO, table, None,
            f'The {"unique index" if found.unique else "index"} on '
            f'{_columns_text(found.columns)} of "{table.name}" is named "{found.name}" '
            f'instead of "{wanted.name}"; nothing breaks.',
            expected=wanted.name, actual=found.name, object_name=found.name))
    return findings


def _extra_index(table: Table, index: Index, pk_columns: Iterable[str]) -> Finding:
    cols = _columns_text(index.columns)
    if index.unique:
        why = ("it repeats the primary key's uniqueness" if set(index.columns) == set(pk_columns)
               else "the schema does not declare it")
        return _finding("extra_unique", INFO, table, None,
                        f'The unique index "{index.name}" on {cols} of "{table.name}" is not in '
                        f"the schema ({why}); nothing the code does breaks.",
                        actual=cols, object_name=index.name)
    return _finding("extra_index", INFO, table, None,
                    f'The index "{index.name}" on {cols} of "{table.name}" is not in the schema; '
                    "nothing the code does breaks.", actual=cols, object_name=index.name)


def _describe_key(key: ForeignKey) -> str:
    return (f"{_columns_text(key.columns)} -> \"{key.referenced_table}\""
            f"{_columns_text(key.referenced_columns)} ON DELETE {key.on_delete} "
            f"ON UPDATE {key.on_update}")


def _foreign_key_findings(diff: TableDiff, missing: set[str], schema_diff: SchemaDiff,
                          missing_elsewhere: dict[tuple[str, str], set[str]]) -> list[Finding]:
    table = diff.expected
    findings = []
    gone = schema_diff.missing_table_keys
    for key in diff.missing_foreign_keys:
        target = (key.referenced_schema, key.referenced_table)
        if _needs(key.columns, missing) or target in gone or \
                _needs(key.referenced_columns, missing_elsewhere.get(target, set())):
            continue  # carried by the missing column or table it needs
        findings.append(_finding(
            "missing_foreign_key", WARNING, table, None,
            f'The foreign key "{key.name}" {_columns_text(key.columns)} -> '
            f'"{key.referenced_table}" does not exist, so the database no longer keeps '
            f"{_label(table)}'s references intact (and cascades do not happen).",
            expected=_describe_key(key), object_name=key.name))
    for wanted, found in diff.changed_foreign_keys:
        findings.append(_finding(
            "foreign_key_mismatch", WARNING, table, None,
            f'The foreign key on {_columns_text(wanted.columns)} of "{table.name}" is '
            f"{_describe_key(found)} but the schema expects {_describe_key(wanted)}, so deletes "
            "and updates of referenced rows behave differently.",
            expected=_describe_key(wanted), actual=_describe_key(found), object_name=found.name))
    for key in diff.extra_foreign_keys:
        findings.append(_finding(
            "extra_foreign_key", INFO, table, None,
            f'The foreign key "{key.name}" {_columns_text(key.columns)} -> '
            f'"{key.referenced_table}" is not in the schema; nothing the code does breaks '
            "unless it writes rows the key rejects.", actual=_describe_key(key),
            object_name=key.name))
    for wanted, found in diff.renamed_foreign_keys:
        findings.append(_finding(
            "extra_foreign_key", INFO, table, None,
            f'The foreign key on {_columns_text(found.columns)} of "{table.name}" is named '
            f'"{found.name}" instead of "{wanted.name}"; nothing breaks.',
            expected=wanted.name, actual=found.name, object_name=found.name))
    return findings


def _missing_columns_by_table(schema_diff: SchemaDiff) -> dict[tuple[str, str], set[str]]:
    return {(d.expected.schema, d.expected.name): d.missing_column_names
            for d in schema_diff.tables if d.missing_columns}


def _enum_findings(diff: SchemaDiff) -> list[Finding]:
    findings = []
    for enum in diff.missing_enums:
        findings.append(Finding(
            kind="missing_enum", severity=CRITICAL, schema=enum.schema, object_name=enum.name,
            expected=enum.name,
            message=f'The enum type "{enum.name}" ({", ".join(enum.values)}) does not exist, so '
                    "the columns that need it cannot be created or read."))
    for change in diff.enums:
        for value in change.missing_values:
            findings.append(Finding(
                kind="missing_enum_value", severity=ERROR, schema=change.expected.schema,
                object_name=value, expected=value,
                message=f'The enum type "{change.expected.name}" lacks the value \'{value}\', '
                        "so writes with that value fail."))
        for value in change.extra_values:
            findings.append(Finding(
                kind="extra_enum_value", severity=WARNING, schema=change.live.schema,
                object_name=value, actual=value,
                message=f'The enum type "{change.live.name}" has the value \'{value}\' the '
                        "schema does not know, so reading a row that holds it fails."))
    for enum in diff.extra_enums:
        findings.append(Finding(
            kind="extra_enum", severity=INFO, schema=enum.schema, object_name=enum.name,
            actual=enum.name,
            message=f'The enum type "{enum.name}" ({", ".join(enum.values)}) is not in the '
                    "schema; nothing the code does breaks."))
    return findings


# --- statuses -------------------------------------------------------------------------------


def _enum_name_of(finding: Finding, diff: SchemaDiff) -> str | None:
    if finding.kind in {"missing_enum", "extra_enum"}:
        return finding.object_name
    for change in diff.enums:
        if finding.object_name in change.missing_values + change.extra_values:
            return change.expected.name
    return None


def _tables_using(enum_name: str, tables: Iterable[Table], dialect: str) -> list[Table]:
    return [t for t in tables
            if any(canonical_type(c.type, dialect).rstrip("[]") == enum_name for c in t.columns)]


def _statuses(expected: Schema, diff: SchemaDiff,
              findings: list[Finding]) -> list[ObjectStatus]:
    tables = audited_tables(expected, expected.namespaces)
    worst: dict[tuple[str, str], int] = {}

    def note(key: tuple[str, str], severity: Severity) -> None:
        worst[key] = min(worst.get(key, len(Severity)), severity.rank)

    for finding in findings:
        if finding.table is not None:
            note((finding.schema or "public", finding.table), finding.severity)
        elif finding.kind.endswith(("enum", "enum_value")):
            name = _enum_name_of(finding, diff)
            for table in _tables_using(name or "", tables, expected.dialect):
                note((table.schema, table.name), finding.severity)
    gone = diff.missing_table_keys
    objects = []
    for table in tables:
        key = (table.schema, table.name)
        status = Status.MISSING if key in gone else _status_for(worst.get(key))
        objects.append(ObjectStatus(table=table.name, schema=table.schema, model=table.model,
                                    status=status))
    for table in diff.extra_tables:
        objects.append(ObjectStatus(table=table.name, schema=table.schema, model=None,
                                    status=Status.OK))
    return sorted(objects, key=lambda o: (o.schema, o.table))


def _status_for(rank: int | None) -> Status:
    if rank is None or rank >= INFO.rank:
        return Status.OK
    return Status.DEGRADED if rank == WARNING.rank else Status.BROKEN


__all__ = ["compare", "finding_sort_key"]
