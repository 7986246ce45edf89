"""The changes between two versions of a schema, each with its impact on an API consumer.

Models, fields and enums are matched in three steps, each only among what is still unmatched:
1. by name;
2. by what they map to in the database (a model's table, a field's column, an enum's type):
   the name changed while the table stayed, so it is a rename (``*_renamed``);
3. by similarity: one vanished while a near-identical one appeared (TrackingEvent ->
   TrackingUpdate), a rename with ``probable=True``. A model or an enum is near-identical when
   at least ``SIMILAR`` of the union of its field signatures (values) are shared, over at
   least ``SIMILAR_MIN`` of them; a field when its type and optionality are the same and its
   name is at least ``SIMILAR_NAME`` alike (difflib's ratio, ignoring case). The best pairs are
   taken first; ties go by name.

Field changes name the model by its new name. Impact, as GraphQL Inspector and oasdiff classify
API changes: ``breaking`` (a client that worked stops working), ``risky`` (it may), ``safe``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any, TypeVar

from audits.engine.changes.facts import (
    EnumFacts,
    FieldFacts,
    ModelFacts,
    SchemaFacts,
    schema_facts,
)
from audits.engine.prisma import ast

BREAKING, RISKY, SAFE = "breaking", "risky", "safe"
IMPACTS = (BREAKING, RISKY, SAFE)
SIMILAR = 0.75
SIMILAR_MIN = 3
SIMILAR_NAME = 0.75

CHANGE_KINDS = (
    "model_added", "model_removed", "model_renamed",
    "field_added", "field_removed", "field_renamed", "field_type_changed",
    "field_optionality_changed", "field_default_changed", "field_native_type_changed",
    "unique_added", "unique_removed", "relation_action_changed",
    "enum_added", "enum_removed", "enum_renamed", "enum_value_added", "enum_value_removed",
)


@dataclass(frozen=True)
class Change:
    kind: str
    impact: str
    message: str
    model: str | None = None
    field: str | None = None
    enum: str | None = None
    value: str | None = None
    from_: str | None = None
    to: str | None = None
    probable: bool = False
    endpoints: tuple[str, ...] = ()
    # the model's name in the old schema, when it differs (endpoints of old code use it)
    old_model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: every key present, absent values null."""
        return {"kind": self.kind, "model": self.model, "field": self.field,
                "enum": self.enum, "value": self.value, "from": self.from_, "to": self.to,
                "probable": self.probable, "impact": self.impact, "message": self.message,
                "endpoints": list(self.endpoints)}


def schema_changes(old: ast.PrismaSchema, new: ast.PrismaSchema) -> list[Change]:
    """Every change from ``old`` to ``new``, breaking first, then by model, field, enum."""
    return changes_between(schema_facts(old), schema_facts(new))


def changes_between(old: SchemaFacts, new: SchemaFacts) -> list[Change]:
    changes: list[Change] = []
    model_pairs, removed, added = match(
        old.models, new.models, key=lambda m: m.table, similarity=_model_similarity)
    for model in removed:
        changes.append(Change("model_removed", BREAKING, model=model.name,
                              message=f"Model {model.name} was removed: "
                                      f"prisma.{accessor(model.name)} no longer exists."))
    for model in added:
        changes.append(Change("model_added", SAFE, model=model.name,
                              message=f"Model {model.name} is new: "
                                      f"prisma.{accessor(model.name)} is available."))
    enum_pairs, removed_enums, added_enums = match(
        old.enums, new.enums, key=lambda e: e.db_name, similarity=_enum_similarity)
    renamed = {o.name: n.name for o, n, _ in model_pairs + enum_pairs if o.name != n.name}
    for old_model, new_model, probable in model_pairs:
        changes += _model_changes(old_model, new_model, probable, renamed)
    for enum in removed_enums:
        changes.append(Change("enum_removed", BREAKING, enum=enum.name,
                              message=f"Enum {enum.name} was removed."))
    for enum in added_enums:
        changes.append(Change("enum_added", SAFE, enum=enum.name,
                              message=f"Enum {enum.name} is new: "
                                      f"{', '.join(enum.values) or 'no values'}."))
    for old_enum, new_enum, probable in enum_pairs:
        changes += _enum_changes(old_enum, new_enum, probable)
    return sorted(changes, key=change_order)


def change_order(change: Change) -> tuple[int, str, str, str, str, int, str]:
    return (IMPACTS.index(change.impact), change.model or "", change.field or "",
            change.enum or "", change.value or "", CHANGE_KINDS.index(change.kind),
            change.to or "")


def accessor(model: str) -> str:
    """Prisma Client's property for a model: the name with a lower-case first letter."""
    return model[:1].lower() + model[1:]


# --- matching ---------------------------------------------------------------------------------

T = TypeVar("T", ModelFacts, FieldFacts, EnumFacts)


def match(old: Sequence[T], new: Sequence[T], key: Callable[[T], str],
          similarity: Callable[[T, T], float]) -> tuple[list[tuple[T, T, bool]], list[T], list[T]]:
    """(old, new, probable) pairs, the removed and the added, each in source order."""
    new_by_name = {item.name: item for item in new}
    pairs = [(item, new_by_name[item.name], False) for item in old if item.name in new_by_name]
    left_old = [item for item in old if item.name not in new_by_name]
    old_names = {item.name for item in old}
    left_new = [item for item in new if item.name not in old_names]
    # the same table (column, type): renamed for certain, when exactly one on each side has it
    for item in list(left_old):
        same_key = [other for other in left_new if key(other) == key(item)]
        if len(same_key) == 1 and sum(key(o) == key(item) for o in left_old) == 1:
            pairs.append((item, same_key[0], False))
            left_old.remove(item)
            left_new.remove(same_key[0])
    candidates = sorted(((similarity(o, n), o.name, n.name, o, n)
                         for o in left_old for n in left_new),
                        key=lambda c: (-c[0], c[1], c[2]))
    for score, _, _, o, n in candidates:
        if score > 0 and o in left_old and n in left_new:
            pairs.append((o, n, True))
            left_old.remove(o)
            left_new.remove(n)
    return pairs, left_old, left_new


def jaccard(a: Iterable[object], b: Iterable[object]) -> float:
    """Shared / all, 0 when there are fewer than ``SIMILAR_MIN`` in all or too few shared."""
    first, second = set(a), set(b)
    union = first | second
    if len(union) < SIMILAR_MIN:
        return 0.0
    score = len(first & second) / len(union)
    return score if score >= SIMILAR else 0.0


def _signature(field: FieldFacts) -> tuple[str, str, bool, bool]:
    # a relation's target may be renamed along with the model: compare the kind only
    return (field.name, "relation" if field.kind == "object" else field.type, field.list,
            field.required)


def _model_similarity(old: ModelFacts, new: ModelFacts) -> float:
    return jaccard(map(_signature, old.fields), map(_signature, new.fields))


def _enum_similarity(old: EnumFacts, new: EnumFacts) -> float:
    return jaccard(old.values, new.values)


def name_similarity(old: str, new: str) -> float:
    return SequenceMatcher(None, old.lower(), new.lower()).ratio()


def _field_similarity(renamed: dict[str, str]) -> Callable[[FieldFacts, FieldFacts], float]:
    def similarity(old: FieldFacts, new: FieldFacts) -> float:
        if (renamed.get(old.type, old.type), old.list, old.required) != (
                new.type, new.list, new.required):
            return 0.0
        score = name_similarity(old.name, new.name)
        return score if score >= SIMILAR_NAME else 0.0
    return similarity


# --- one model, one enum ----------------------------------------------------------------------


def _model_changes(old: ModelFacts, new: ModelFacts, probable: bool,
                   renamed: dict[str, str]) -> list[Change]:
    changes = []
    model = new.name
    where: dict[str, Any] = {"model": model,
                             "old_model": old.name if old.name != model else None}
    if old.name != new.name:
        how = ("probably: it was removed while a near-identical model appeared" if probable
               else f"its table {new.table} is the same")
        changes.append(Change(
            "model_renamed", BREAKING, from_=old.name, to=new.name, probable=probable,
            message=f"Model {old.name} was renamed {new.name} ({how}): "
                    f"prisma.{accessor(old.name)} is now prisma.{accessor(new.name)}.", **where))
    pairs, removed, added = match(old.fields, new.fields, key=lambda f: f.column,
                                  similarity=_field_similarity(renamed))
    for field in removed:
        changes.append(Change("field_removed", BREAKING, field=field.name,
                              from_=field.spelled_type + ("" if field.required else "?"),
                              message=f"{model}.{field.name} was removed: code that reads or "
                                      "writes it fails.", **where))
    for field in added:
        impact = BREAKING if field.needed_on_create else SAFE
        why = (f"required with no default, so every {model} create must now set it"
               if impact == BREAKING else "optional for existing calls")
        changes.append(Change("field_added", impact, field=field.name,
                              to=field.spelled_type + ("" if field.required else "?"),
                              message=f"{model}.{field.name} is new ({why}).", **where))
    for old_field, new_field, probable_field in pairs:
        changes += _field_changes(model, old_field, new_field, probable_field, where)
    changes += _unique_changes(model, old, new, {o.name: n.name for o, n, _ in pairs}, where)
    return changes


def _field_changes(model: str, old: FieldFacts, new: FieldFacts, probable: bool,
                   where: dict[str, Any]) -> list[Change]:
    changes = []
    name = f"{model}.{new.name}"

    def add(kind: str, impact: str, message: str, **values: Any) -> None:
        changes.append(Change(kind, impact, field=new.name, message=message, **where, **values))

    if old.name != new.name:
        how = ("probably: a near-identical field replaced it" if probable
               else f"its column {new.column} is the same")
        add("field_renamed", BREAKING, f"{model}.{old.name} was renamed {new.name} ({how}).",
            from_=old.name, to=new.name, probable=probable)
    if old.spelled_type != new.spelled_type:
        add("field_type_changed", BREAKING,
            f"{name} changed type from {old.spelled_type} to {new.spelled_type}.",
            from_=old.spelled_type, to=new.spelled_type)
    if old.required != new.required:
        if new.required:
            add("field_optionality_changed", BREAKING,
                f"{name} is now required: writes must set it.", from_="optional", to="required")
        else:
            add("field_optionality_changed", RISKY,
                f"{name} is now optional: reads may get null.", from_="required", to="optional")
    if old.default != new.default:
        add("field_default_changed", _default_impact(old.default, new),
            f"{name} default changed from {old.default or 'none'} to {new.default or 'none'}.",
            from_=old.default, to=new.default)
    if old.native_type != new.native_type:
        add("field_native_type_changed", RISKY,
            f"{name} database type changed from {old.native_type or 'the default'} to "
            f"{new.native_type or 'the default'}: values may be cut or rejected.",
            from_=old.native_type, to=new.native_type)
    for action, before, after in (("onDelete", old.on_delete, new.on_delete),
                                  ("onUpdate", old.on_update, new.on_update)):
        if before and after and before != after:
            add("relation_action_changed", RISKY,
                f"{name} {action} changed from {before} to {after}.",
                value=action, from_=before, to=after)
    return changes


def _default_impact(before: str | None, field: FieldFacts) -> str:
    if before is None:
        return SAFE
    if field.default is None and replace(field, default=None).needed_on_create:
        return BREAKING  # creates that relied on the default now fail
    return RISKY


def _unique_changes(model: str, old: ModelFacts, new: ModelFacts, field_names: dict[str, str],
                    where: dict[str, Any]) -> list[Change]:
    before = {tuple(field_names.get(name, name) for name in fields) for fields in old.uniques}
    changes = []
    for fields in sorted(before - new.uniques):
        changes.append(Change(
            "unique_removed", BREAKING, field=fields[0] if len(fields) == 1 else None,
            from_=", ".join(fields),
            message=f"{model}({', '.join(fields)}) is no longer unique: findUnique and upsert "
                    "by it fail.", **where))
    for fields in sorted(new.uniques - before):
        changes.append(Change(
            "unique_added", RISKY, field=fields[0] if len(fields) == 1 else None,
            to=", ".join(fields),
            message=f"{model}({', '.join(fields)}) must now be unique: writes of a duplicate "
                    "fail.", **where))
    return changes


def _enum_changes(old: EnumFacts, new: EnumFacts, probable: bool) -> list[Change]:
    changes = []
    if old.name != new.name:
        how = ("probably: it was removed while a near-identical enum appeared" if probable
               else f"its database type {new.db_name} is the same")
        changes.append(Change("enum_renamed", BREAKING, enum=new.name, from_=old.name,
                              to=new.name, probable=probable,
                              message=f"Enum {old.name} was renamed {new.name} ({how})."))
    for value in old.values:
        if value not in new.values:
            changes.append(Change("enum_value_removed", BREAKING, enum=new.name, value=value,
                                  message=f"{new.name}.{value} was removed: clients that send "
                                          "it get an error."))
    for value in new.values:
        if value not in old.values:
            changes.append(Change("enum_value_added", RISKY, enum=new.name, value=value,
                                  message=f"{new.name}.{value} is new: clients that check every "
                                          "value may not handle it."))
    return changes
