"""The API change guide: the changes with the endpoints each one affects, as JSON, text or the
Markdown "Function Name & API Update Guide" the incident's mobile team got by hand.

Endpoints come from the endpoint scanner (``audits.engine.endpoints``) run with the model names
and relations of both versions, so code written against either version is attributed. A change
affects the endpoints that touch its model under either name; an enum change, the endpoints
that touch a model with a field of that enum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from audits.engine.changes.diff import (
    IMPACTS,
    Change,
    accessor,
    changes_between,
)
from audits.engine.changes.facts import SchemaFacts, schema_facts
from audits.engine.endpoints.facts import relations_from_prisma
from audits.engine.endpoints.scan import ScanResult, scan_backend
from audits.engine.prisma import ast


def change_guide(old: ast.PrismaSchema, new: ast.PrismaSchema,
                 code_dir: Path | None = None) -> list[Change]:
    """The changes from ``old`` to ``new``; with ``code_dir``, each with its endpoints."""
    old_facts, new_facts = schema_facts(old), schema_facts(new)
    changes = changes_between(old_facts, new_facts)
    if code_dir is None:
        return changes
    scan = scan_both(code_dir, old, new)
    return with_endpoints(changes, [(e.key, e.models) for e in scan.endpoints], old_facts,
                          new_facts)


def scan_both(code_dir: Path, old: ast.PrismaSchema, new: ast.PrismaSchema) -> ScanResult:
    """One scan that knows the models and relations of both versions (the newer wins)."""
    names = [m.name for schema in (old, new) for m in schema.models if m.kind in ("model", "view")]
    relations = relations_from_prisma(old)
    for model, fields in relations_from_prisma(new).items():
        relations[model] = {**relations.get(model, {}), **fields}
    return scan_backend(code_dir, list(dict.fromkeys(names)), relations)


def with_endpoints(changes: Sequence[Change], endpoints: Iterable[tuple[str, Sequence[str]]],
                   old: SchemaFacts, new: SchemaFacts) -> list[Change]:
    """Each change with the endpoints (``(key, models touched)``, from a scan or from where a
    scan was stored) that touch its model under either name."""
    routes: dict[str, list[str]] = {}
    for key, models in endpoints:
        for model in models:
            routes.setdefault(model, []).append(key)
    enum_names = {c.to: c.from_ for c in changes if c.kind == "enum_renamed" and c.to}

    def models_of(change: Change) -> list[str]:
        if change.enum is not None:
            old_enum = enum_names.get(change.enum, change.enum)
            return ([m.name for m in new.models if any(f.type == change.enum for f in m.fields)]
                    + [m.name for m in old.models if any(f.type == old_enum for f in m.fields)])
        return [name for name in (change.model, change.old_model, change.from_
                                  if change.kind == "model_renamed" else None) if name]

    result = []
    for change in changes:
        keys = [key for model in models_of(change) for key in routes.get(model, ())]
        result.append(replace(change, endpoints=tuple(dict.fromkeys(keys))))
    return result


# --- output -----------------------------------------------------------------------------------


def guide_to_dict(changes: Iterable[Change]) -> dict[str, Any]:
    return {"changes": [change.to_dict() for change in changes]}


def counts(changes: Sequence[Change]) -> dict[str, int]:
    return {impact: sum(change.impact == impact for change in changes) for impact in IMPACTS}


def summary_line(changes: Sequence[Change]) -> str:
    found = counts(changes)
    if not changes:
        return "No change an API consumer would notice."
    return (f"{len(changes)} change{'s' if len(changes) != 1 else ''}: "
            + ", ".join(f"{found[impact]} {impact}" for impact in IMPACTS))


def guide_to_text(changes: Sequence[Change]) -> str:
    lines = []
    for change in changes:
        probable = " (probable)" if change.probable else ""
        lines.append(f"{change.impact:<9} {change.kind:<26} {subject(change)}{probable}")
        lines.append(f"          {change.message}")
        if change.endpoints:
            lines.append(f"          endpoints: {', '.join(change.endpoints)}")
    lines.append(summary_line(changes))
    return "\n".join(lines) + "\n"


def subject(change: Change) -> str:
    """``Order.paymentStatus``, ``TrackingEvent -> TrackingUpdate``, ``OrderStatus.RETURNED``."""
    if change.kind in ("model_renamed", "enum_renamed"):
        return f"{change.from_} -> {change.to}"
    if change.kind == "field_renamed":
        return f"{change.model}.{change.from_} -> {change.model}.{change.to}"
    if change.enum is not None:
        return change.enum + (f".{change.value}" if change.value else "")
    if change.field is not None:
        return f"{change.model}.{change.field}"
    if change.kind.startswith("unique_"):
        return f"{change.model}({change.from_ or change.to})"
    return change.model or ""


def sections(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped by model (enums last), the groups with a breaking change first."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        title = f"Enum {change.enum}" if change.enum is not None else str(change.model)
        groups.setdefault(title, []).append(change)
    for group in groups.values():
        group.sort(key=lambda c: IMPACTS.index(c.impact))
    return sorted(groups.items(), key=lambda item: (
        item[0].startswith("Enum "), min(IMPACTS.index(c.impact) for c in item[1]), item[0]))


def guide_to_markdown(changes: Sequence[Change], old_label: str, new_label: str) -> str:
    lines = ["## Function Name & API Update Guide", "",
             f"From `{old_label}` to `{new_label}`: {summary_line(changes)}", ""]
    for title, group in sections(changes):
        renamed = next((c for c in group if c.kind == "model_renamed"), None)
        heading = f"{title} (was {renamed.from_})" if renamed else title
        worst = min(IMPACTS.index(c.impact) for c in group)
        mark = {0: "⚠️", 1: "⚡", 2: "✅"}[worst]
        lines += [f"### {mark} {heading}", "**Previous** → **Current**", "```typescript"]
        for change in group:
            lines += code_lines(change)
        lines.append("```")
        lines.append("")
        for change in group:
            probable = " (probable)" if change.probable else ""
            lines.append(f"- **{change.impact}**{probable}: {change.message}")
        endpoints = list(dict.fromkeys(e for change in group for e in change.endpoints))
        if endpoints:
            lines.append("")
            lines.append("Endpoints affected: " + ", ".join(f"`{e}`" for e in endpoints))
        lines.append("")
    if not changes:
        lines += ["Nothing changed that an API consumer would notice.", ""]
    return "\n".join(lines)


def code_lines(change: Change) -> list[str]:
    """The change as the seed's guide wrote it, in TypeScript comments and calls."""
    kind = change.kind
    if kind == "model_renamed":
        old, new = accessor(change.from_ or ""), accessor(change.to or "")
        return ["// CHANGED: Model name change", f"// OLD: {change.from_}",
                f"// NEW: {change.to}",
                f"await prisma.{new}.findMany({{ ... }})    // Was: {old}"]
    if kind == "model_removed":
        return [f"// REMOVED: prisma.{accessor(change.model or '')} (model {change.model} "
                "deleted)"]
    if kind == "model_added":
        return [f"// NEW: {change.model}", f"await prisma.{accessor(change.model or '')}"
                                           ".create({ ... })"]
    if kind == "field_removed":
        return [f"// Remove: {change.model}.{change.field} (field deleted)"]
    if kind == "field_added":
        return [f"{change.model}.{change.field}: {change.to}    // NEW"]
    if kind == "field_renamed":
        return [f"// CHANGED: {change.model}.{change.from_} → {change.model}.{change.to}"]
    if kind == "enum_value_removed":
        return [f"// Remove: {change.enum}.{change.value} (value deleted)"]
    if kind == "enum_value_added":
        return [f"{change.enum}.{change.value}    // NEW"]
    prefix = "NEW" if kind.endswith("_added") else "REMOVED" if kind.endswith(
        "_removed") else "CHANGED"
    return [f"// {prefix}: {change.message}"]

