"""A run's expected and live schemas, stored once per distinct content: the rows an audit
writes, what a reader gets back, and the runs stored before the change (migration 0012)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audits.core import snapshots
from audits.core.models import AuditRun, SchemaSnapshot, Target
from audits.engine import model as m
from audits.targets import services
from tests.audits.conftest import report, schema


def _audit(target: Target, expected: m.Schema, actual: m.Schema) -> AuditRun:
    run = services.request_audit(target, enqueue=False)
    assert services.claim_run(run.pk)
    run.refresh_from_db()
    stored = services.save_result(run, expected=expected, actual=actual,
                                  report=report([], {"User": "ok"}))
    assert stored is not None
    return AuditRun.objects.get(pk=stored.pk)


def _fresh_copy(value: m.Schema) -> m.Schema:
    """An equal schema that is another object, as each introspection returns."""
    return m.Schema.from_json(value.to_json())


@pytest.mark.django_db
def test_an_unchanged_schema_is_stored_once_and_a_changed_live_one_again(
        make_target: Callable[..., Target]) -> None:
    target = make_target()
    expected, live = schema("User", "Order"), schema("User")
    first = _audit(target, expected, live)
    assert SchemaSnapshot.objects.count() == 2  # the expected one and the live one
    second = _audit(target, expected, _fresh_copy(live))
    assert SchemaSnapshot.objects.count() == 2
    assert (second.expected_snapshot_id, second.live_snapshot_id) == (
        first.expected_snapshot_id, first.live_snapshot_id)

    drifted = schema("User", "Order", "Legacy")
    third = _audit(target, expected, drifted)
    assert SchemaSnapshot.objects.count() == 3
    assert third.expected_snapshot_id == first.expected_snapshot_id
    assert third.live_snapshot_id not in (first.live_snapshot_id, first.expected_snapshot_id)
    fourth = _audit(target, expected, _fresh_copy(drifted))
    assert fourth.live_snapshot_id == third.live_snapshot_id
    assert SchemaSnapshot.objects.count() == 3


@pytest.mark.django_db
def test_a_reader_gets_back_the_schemas_the_run_was_audited_with(
        make_target: Callable[..., Target]) -> None:
    target = make_target()
    expected = schema("User", "Order")
    live = dataclasses.replace(schema("User"), namespaces=("public", "audit"))
    run = _audit(target, expected, live)
    assert snapshots.run_schemas(run) == (expected, live)
    stored = SchemaSnapshot.objects.get(pk=run.live_snapshot_id)
    assert stored.dialect == "postgresql"
    assert m.Schema.from_json(stored.schema_json) == live


@pytest.mark.django_db
def test_targets_with_the_same_schemas_share_the_rows(
        make_target: Callable[..., Target]) -> None:
    one = _audit(make_target(), schema("User"), schema("User", "Extra"))
    other = _audit(make_target(), schema("User"), schema("User", "Extra"))
    assert (one.expected_snapshot_id, one.live_snapshot_id) == (
        other.expected_snapshot_id, other.live_snapshot_id)
    assert SchemaSnapshot.objects.count() == 2


@pytest.mark.django_db
def test_a_failed_run_keeps_no_schemas_and_makes_no_fix(
        make_target: Callable[..., Target]) -> None:
    target = make_target()
    run = services.request_audit(target, enqueue=False)
    assert services.claim_run(run.pk)
    services.fail_run(run.pk, "refused")
    run.refresh_from_db()
    assert snapshots.run_schemas(run) == (None, None)
    with pytest.raises(services.TargetConfigError):
        services.fix_migration_for_run(run)


@pytest.mark.django_db
def test_a_baseline_audits_against_the_stored_live_schema(
        make_target: Callable[..., Target]) -> None:
    target = make_target()
    known_good = _audit(target, schema("User"), schema("User", "Order"))
    services.set_baseline(target, known_good)
    target = Target.objects.select_related("baseline_run__live_snapshot").get(pk=target.pk)
    expected, version = services.expected_for(target)
    assert version is None and expected == schema("User", "Order")
    later = _audit(target, expected, schema("User", "Order"))
    # the baseline's live schema is now the expected one: still the same single row
    assert later.expected_snapshot_id == later.live_snapshot_id == known_good.live_snapshot_id


OLD = ("audits", "0010_catastrophe_watch")


@pytest.mark.django_db(transaction=True)
def test_runs_stored_before_snapshot_rows_keep_their_schemas() -> None:
    """Migration 0012: each run's two documents become references to shared rows."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("audits")
    executor.migrate([OLD])
    old = executor.loader.project_state([OLD]).apps
    target = old.get_model("audits", "Target").objects.create(
        name="Old", slug="old", dialect="postgresql")
    expected, live = schema("User", "Order"), schema("User")
    runs = [old.get_model("audits", "AuditRun").objects.create(
        target=target, number=number, status="succeeded", expected_snapshot=_document(expected),
        snapshot=_document(live)) for number in (1, 2)]
    failed = old.get_model("audits", "AuditRun").objects.create(
        target=target, number=3, status="failed")

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    first, second = (AuditRun.objects.get(pk=run.pk) for run in runs)
    assert snapshots.run_schemas(first) == (expected, live)
    assert (second.expected_snapshot_id, second.live_snapshot_id) == (
        first.expected_snapshot_id, first.live_snapshot_id)
    assert SchemaSnapshot.objects.count() == 2
    assert snapshots.run_schemas(AuditRun.objects.get(pk=failed.pk)) == (None, None)
    # a new audit of the unchanged schemas references the migrated rows
    assert snapshots.store(expected, live) == (first.expected_snapshot_id,
                                               first.live_snapshot_id)

    executor = MigrationExecutor(connection)  # and back: the documents return
    executor.migrate([OLD])
    old = executor.loader.project_state([OLD]).apps
    back = old.get_model("audits", "AuditRun").objects.get(pk=runs[0].pk)
    assert (back.expected_snapshot, back.snapshot) == (_document(expected), _document(live))
    MigrationExecutor(connection).migrate(latest)


def _document(value: m.Schema) -> Any:
    return m.to_plain(value)
