"""The objects of a schema as flat keys, so a step-by-step replay can say who made each one.

A key is a tuple: ``("table", schema, table)``, ``("column", schema, table, column)``,
``("index", schema, table, name)`` (unique ones too), ``("primary_key", schema, table)``,
``("foreign_key", schema, table, name)``, ``("enum", schema, name)`` and
``("enum_value", schema, enum, value)``. Each maps to a fingerprint of what the object is, so
a migration that changes an object (a column's type, an index's columns) is seen as changing it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from audits.engine.model import Schema, to_plain

ObjectKey = tuple[str, ...]
Attribution = dict[ObjectKey, str]  # object -> the migration that created or last changed it


def flatten(schema: Schema) -> dict[ObjectKey, str]:
    """Every object of ``schema`` with a fingerprint (equal fingerprints: the same object)."""
    objects: dict[ObjectKey, str] = {}
    for table in schema.tables:
        base = (table.schema, table.name)
        objects[("table",) + base] = ""
        for column in table.columns:
            objects[("column",) + base + (column.name,)] = _print(
                [column.type, column.nullable, column.default])
        if table.primary_key:
            objects[("primary_key",) + base] = _print(table.primary_key)
        for index in table.indexes:
            objects[("index",) + base + (index.name,)] = _print(index)
        for key in table.foreign_keys:
            objects[("foreign_key",) + base + (key.name,)] = _print(key)
    for enum in schema.enums:
        objects[("enum", enum.schema, enum.name)] = ""
        for value in enum.values:
            objects[("enum_value", enum.schema, enum.name, value)] = ""
    return objects


def _print(value: object) -> str:
    return json.dumps(to_plain(value), sort_keys=True, separators=(",", ":"))


def attribute_step(attribution: Attribution, before: Mapping[ObjectKey, str],
                   after: Mapping[ObjectKey, str], migration: str) -> None:
    """Update ``attribution`` for one migration that turned ``before`` into ``after``."""
    for key in before.keys() - after.keys():
        attribution.pop(key, None)  # dropped: a later migration removed it, so it is not absent
    for key, fingerprint in after.items():
        if key not in before or before[key] != fingerprint:
            attribution[key] = migration


def owner(attribution: Mapping[ObjectKey, str], key: ObjectKey) -> str | None:
    """The migration for ``key``, falling back to its table's (or enum's) creator."""
    found = attribution.get(key)
    if found is None and len(key) >= 3 and key[0] not in ("table", "enum"):
        parent = ("enum",) + key[1:3] if key[0] == "enum_value" else ("table",) + key[1:3]
        found = attribution.get(parent)
    return found


def label(key: ObjectKey) -> str:
    """How an object is named to people: ``User``, ``User.email``, ``Role.ADMIN``."""
    kind, schema, *rest = key
    prefix = "" if schema == "public" else f"{schema}."
    if kind == "primary_key":
        return f"{prefix}{rest[0]}.pkey"
    return prefix + ".".join(rest)


def attribution_to_plain(attribution: Mapping[ObjectKey, str]) -> list[list[object]]:
    return [[list(key), name] for key, name in sorted(attribution.items())]


def attribution_from_plain(rows: Iterable[Sequence[object]]) -> Attribution:
    result: Attribution = {}
    for key, name in rows:
        assert isinstance(key, list) and isinstance(name, str)
        result[tuple(str(part) for part in key)] = name
    return result


__all__ = ["Attribution", "ObjectKey", "attribute_step", "attribution_from_plain",
           "attribution_to_plain", "flatten", "label", "owner"]
