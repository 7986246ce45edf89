"""Each run's two snapshot documents become references to shared rows, one row per distinct
content; the runs keep reading the same schemas (0013 then drops the documents)."""

import hashlib
import json

from django.db import migrations
from django.db.models import Q


def _text(value):
    # as audits.core.snapshots writes it: sorted keys, no spaces
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def to_rows(apps, schema_editor):
    AuditRun = apps.get_model("audits", "AuditRun")
    SchemaSnapshot = apps.get_model("audits", "SchemaSnapshot")
    ids = dict(SchemaSnapshot.objects.values_list("digest", "id"))

    def row_for(value):
        if value is None:
            return None
        text = _text(value)
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest not in ids:
            dialect = value.get("dialect", "") if isinstance(value, dict) else ""
            ids[digest] = SchemaSnapshot.objects.create(
                digest=digest, dialect=str(dialect)[:20], schema_json=text).pk
        return ids[digest]

    _copy(AuditRun, ("expected_snapshot_data", "live_snapshot_data"),
          ("expected_snapshot_id", "live_snapshot_id"), row_for)


def to_documents(apps, schema_editor):
    AuditRun = apps.get_model("audits", "AuditRun")
    SchemaSnapshot = apps.get_model("audits", "SchemaSnapshot")
    texts = {}

    def document(snapshot_id):
        if snapshot_id is None:
            return None
        if snapshot_id not in texts:
            texts[snapshot_id] = SchemaSnapshot.objects.get(pk=snapshot_id).schema_json
        return json.loads(texts[snapshot_id])

    _copy(AuditRun, ("expected_snapshot_id", "live_snapshot_id"),
          ("expected_snapshot_data", "live_snapshot_data"), document)


def _copy(AuditRun, sources, destinations, convert):
    """Each run's two ``sources`` fields, converted, into its two ``destinations``."""
    runs = (AuditRun.objects.filter(Q(**{f"{sources[0]}__isnull": False})
                                    | Q(**{f"{sources[1]}__isnull": False}))
            .values_list("id", *sources).order_by("id"))
    for run_id, expected, live in runs.iterator(chunk_size=200):
        AuditRun.objects.filter(pk=run_id).update(**{destinations[0]: convert(expected),
                                                     destinations[1]: convert(live)})


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0011_schema_snapshots'),
    ]

    operations = [
        migrations.RunPython(to_rows, to_documents),
    ]
