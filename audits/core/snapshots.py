"""A run's two schemas (the expected one and the live one), stored once per distinct content
and read back.

An audit run references two ``SchemaSnapshot`` rows. Writing one costs a serialization of the
schema (to compare it) and, only when no run has stored that content before, the ~130 KB of a
langfuse-sized schema: the expected schema of an unchanged schema version is one row for every
run; an unchanged live database references the row its previous run stored; a hundred copies
of one application's database share one row.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING

from django.db import transaction

from audits.engine.memory import keep
from audits.engine.model import Schema, to_plain

from .models import SchemaSnapshot

if TYPE_CHECKING:
    from .models import AuditRun


def snapshot_text(schema: Schema) -> tuple[str, str]:
    """``(digest, JSON text)`` of a schema. Remembered while the schema object lives: an
    unchanged expected schema is one shared object (the parse cache), serialized once per
    process, not once per audit."""
    key = id(schema)
    entry = _texts.get(key)
    if entry is not None and entry[0]() is schema:
        _texts.move_to_end(key)
        return entry[1], entry[2]
    text = json.dumps(to_plain(schema), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()
    keep(_texts, key, (weakref.ref(schema), digest, text), TEXT_ENTRIES)
    return digest, text


TEXT_ENTRIES = 16
# id -> (a weak reference proving the object is still the same one, its digest, its text)
_texts: OrderedDict[int, tuple[weakref.ref[Schema], str, str]] = OrderedDict()


def store(expected: Schema, actual: Schema, previous: AuditRun | None = None) -> tuple[int, int]:
    """The ids of the rows holding ``expected`` and ``actual``, written when new.

    ``previous`` (the target's previous run, with its snapshot ids, whose digests this process
    usually remembers) answers the usual case with no query at all; otherwise one query finds
    rows stored by other runs, and only content no run has stored yet is written (two more).
    Safe against a concurrent writer of the same content: the INSERT skips a digest that
    exists by then."""
    known = _digests_of(previous)
    expected_digest, actual_digest = digest_of(expected), digest_of(actual)
    schemas = {expected_digest: expected, actual_digest: actual}
    missing = [digest for digest in schemas if digest not in known]
    if missing:
        found = dict(SchemaSnapshot.objects.filter(digest__in=missing).values_list("digest", "id"))
        _remember({pk: digest for digest, pk in found.items()})
        known.update(found)
        new = [digest for digest in missing if digest not in known]
        if new:
            SchemaSnapshot.objects.bulk_create(
                [SchemaSnapshot(digest=digest, dialect=schemas[digest].dialect,
                                schema_json=snapshot_text(schemas[digest])[1])
                 for digest in new],
                ignore_conflicts=True)
            written = dict(SchemaSnapshot.objects.filter(digest__in=new)
                           .values_list("digest", "id"))
            # remembered once committed: a rolled-back row's id may be given again (SQLite)
            transaction.on_commit(lambda: _remember({pk: d for d, pk in written.items()}))
            known.update(written)
    return known[expected_digest], known[actual_digest]


def digest_of(schema: Schema) -> str:
    """The digest ``snapshot_text`` gives, without serializing a schema equal to one seen
    lately: each introspection builds new objects, and hashing and comparing two
    langfuse-sized schemas costs a fifth of serializing one. A fleet re-reads the same live
    schemas: its own last one, or the one every copy of an application's database has."""
    entry = _texts.get(id(schema))
    if entry is not None and entry[0]() is schema:
        return entry[1]
    try:
        key = hash(schema)
    except TypeError:  # a field holding a list or a dict: no shortcut
        return snapshot_text(schema)[0]
    seen = _seen.get(key)
    if seen is not None and (seen[0] is schema or seen[0] == schema):
        _seen.move_to_end(key)
        return seen[1]
    digest = snapshot_text(schema)[0]
    keep(_seen, key, (schema, digest), SEEN_ENTRIES)
    return digest


SEEN_ENTRIES = 16
# hash(schema) -> (a schema with that hash, its digest), the most recently used last
_seen: OrderedDict[int, tuple[Schema, str]] = OrderedDict()


# What a previous run must load for ``store`` to recognize its snapshots.
PREVIOUS_FIELDS = ("expected_snapshot", "live_snapshot")


def _digests_of(run: AuditRun | None) -> dict[str, int]:
    """``{digest: id}`` of a run's two snapshots: from memory for the rows this process has
    written or read (rows never change), else one query. Joining the snapshots into the
    previous run's query instead cost more to compile than this, on every audit."""
    if run is None:
        return {}
    ids = [pk for pk in (run.expected_snapshot_id, run.live_snapshot_id) if pk is not None]
    missing = [pk for pk in ids if pk not in _digests]
    if missing:
        _remember(dict(SchemaSnapshot.objects.filter(pk__in=missing).values_list("id", "digest")))
    return {_digests[pk]: pk for pk in ids if pk in _digests}


def _remember(digests: dict[int, str]) -> None:
    for pk, digest in digests.items():
        keep(_digests, pk, digest, DIGEST_ENTRIES)


DIGEST_ENTRIES = 4096
# snapshot id -> digest, of committed rows, the most recently used last. PostgreSQL never gives
# an id twice; SQLite does after its table is emptied (`manage.py flush`), so a worker that
# outlives a flush should be restarted with it.
_digests: OrderedDict[int, str] = OrderedDict()


def schema_of(snapshot: SchemaSnapshot) -> Schema:
    """The schema a row holds, rebuilt once per content in this process (rows never change,
    so the digest names the content)."""
    from audits.engine.audit import expected_schema_cached

    return expected_schema_cached(f"snapshot:{snapshot.digest}",
                                  lambda: Schema.from_json(snapshot.schema_json))


def run_schemas(run: AuditRun) -> tuple[Schema | None, Schema | None]:
    """``(expected, live)`` of a run, in one query; None for one the run did not keep (a
    failed run keeps neither)."""
    ids = [pk for pk in (run.expected_snapshot_id, run.live_snapshot_id) if pk is not None]
    rows = {row.pk: row for row in SchemaSnapshot.objects.filter(pk__in=ids)} if ids else {}
    expected, live = rows.get(run.expected_snapshot_id), rows.get(run.live_snapshot_id)
    return (schema_of(expected) if expected is not None else None,
            schema_of(live) if live is not None else None)
