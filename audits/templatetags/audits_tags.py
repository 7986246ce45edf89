"""Small, fast filters for pages that list hundreds of targets."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from audits.core.models import HEALTH_LABELS, database_health

register = template.Library()

# Finding kinds in the words a backend engineer uses (the kind stays in the JSON and the API).
KIND_LABELS = {
    "missing_table": "missing table",
    "extra_table": "extra table",
    "missing_column": "missing column",
    "extra_column": "extra column",
    "type_mismatch": "wrong type",
    "nullability_mismatch": "NULL allowed or not differs",
    "default_mismatch": "different default",
    "primary_key_mismatch": "different primary key",
    "missing_unique": "missing unique constraint",
    "extra_unique": "extra unique constraint",
    "missing_index": "missing index",
    "extra_index": "extra index",
    "missing_foreign_key": "missing foreign key",
    "extra_foreign_key": "extra foreign key",
    "foreign_key_mismatch": "different foreign key",
    "missing_enum": "missing enum type",
    "extra_enum": "extra enum type",
    "missing_enum_value": "missing enum value",
    "extra_enum_value": "extra enum value",
}


@register.filter
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


@register.filter
def health_label(health: str) -> str:
    """A database's health value (Target.health) as shown: "not_audited" -> "not audited"."""
    return HEALTH_LABELS.get(health, health)


@register.filter
def worst_health(worst_status: str) -> str:
    """A run's or target's worst table status as the database's health (missing -> broken)."""
    return database_health(worst_status)


@register.filter
def ago(value: datetime | None) -> str:
    """'3 min ago', '5 h ago', '2 d ago': cheaper than timesince on a 200-card page."""
    if value is None:
        return "never"
    seconds = int((timezone.now() - value).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"
