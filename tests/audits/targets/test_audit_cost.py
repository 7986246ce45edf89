"""What one audit costs Driftwatch on top of the engine, for a fleet of targets: a constant
number of queries whatever the size of the report, an unchanged schema parsed once per
process, and an audit-finished event that says whether anything changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.core.events import AuditFinished, audit_finished
from audits.core.models import AuditRun, Finding, Target
from audits.core.records import findings_of, statuses_of
from audits.engine import audit as engine_audit
from audits.engine import model as m
from audits.targets import services
from tests.audits.conftest import SCHEMA, finding, report

pytestmark = pytest.mark.django_db


def _wide_report(tables: int) -> m.Report:
    names = [f"T{number:04d}" for number in range(tables)]
    findings = [finding("missing_column", name, f"c{k}") for name in names for k in range(3)]
    return report(findings, dict.fromkeys(names, "broken"))


def _queries_to_store(target: Target, rep: m.Report) -> int:
    queued = services.request_audit(target, enqueue=False)
    assert services.claim_run(queued.pk)
    run = AuditRun.objects.select_related("target").get(pk=queued.pk)  # as execute_audit has it
    with CaptureQueriesContext(connection) as queries:
        stored = services.save_result(run, expected=m.Schema(dialect="postgresql"),
                                      actual=m.Schema(dialect="postgresql"), report=rep)
    assert stored is not None and stored.status == "succeeded"
    return len(queries.captured_queries)


def test_storing_an_audit_takes_the_same_queries_for_1_table_or_400(
        make_target: Callable[..., Target]) -> None:
    small, wide = make_target(), make_target()
    first = [_queries_to_store(small, _wide_report(1)), _queries_to_store(wide, _wide_report(400))]
    again = [_queries_to_store(small, _wide_report(1)), _queries_to_store(wide, _wide_report(400))]
    # BEGIN, previous run, run UPDATE, 2 INSERTs, the target's UPDATE (conditional on the trend
    # read with the run), COMMIT (savepoints here, inside the test's transaction); then the
    # alert for "first audit -> broken": its transaction, its INSERT and the open incidents to
    # log it on. The snapshots (one empty schema, expected and live alike): the first target
    # looks for the row, writes it and reads its id; the second finds it; later runs reuse
    # their previous run's.
    assert first == [7 + 4 + 3, 7 + 4 + 1]
    # the same findings and statuses as the previous run: its result digest says so; its rows
    # are neither read back nor written again, the new run shares them
    assert again == [5, 5]
    second = AuditRun.objects.get(pk=Target.objects.get(pk=wide.pk).last_success_id)
    assert second.rows_from_id is not None and second.rows_from_id != second.pk
    assert not Finding.objects.filter(run=second).exists()
    assert findings_of(second).count() == 1200 and statuses_of(second).count() == 400
    changed = [_queries_to_store(small, _wide_report(2)), _queries_to_store(wide, _wide_report(3))]
    assert changed == [9, 9]  # the previous run's findings and statuses, to say what changed


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    engine_audit.clear_expected_cache()
    calls: list[Any] = []
    original = engine_audit.expected_schema

    def counting(source: Any) -> m.Schema:
        calls.append(source)
        return original(source)

    monkeypatch.setattr(engine_audit, "expected_schema", counting)
    yield calls
    engine_audit.clear_expected_cache()


def _fresh(target: Target) -> Target:
    """The target as execute_audit loads it: the schema version without its text."""
    return (Target.objects.select_related("current_schema", "baseline_run")
            .defer("current_schema__content").get(pk=target.pk))


def test_an_unchanged_schema_is_parsed_once_and_its_text_not_even_loaded(
        make_target: Callable[..., Target], parses: list[Any],
        django_assert_num_queries: Any) -> None:
    target = make_target()
    first, _ = services.expected_for(_fresh(target))  # a miss: loads the text, parses
    assert len(parses) == 1
    fresh = _fresh(make_target())  # another target with the same schema text: same content
    with django_assert_num_queries(0):
        second, _ = services.expected_for(fresh)
    assert second is first and len(parses) == 1
    services.add_schema_version(target, {"schema.prisma": SCHEMA + "\nmodel Post {\n"
                                         "  id Int @id\n}\n"})
    third, _ = services.expected_for(_fresh(target))
    assert len(parses) == 2 and [t.name for t in third.tables] == ["User", "Post"]


def test_a_malformed_schema_is_not_remembered(make_target: Callable[..., Target],
                                              parses: list[Any]) -> None:
    from audits.engine.errors import SchemaError

    target = make_target(schema_files={"schema.prisma": "model {"})
    for _ in range(2):
        with pytest.raises(SchemaError):
            services.expected_for(_fresh(target))
    assert len(parses) == 2


@pytest.fixture
def events() -> Iterator[list[AuditFinished]]:
    seen: list[AuditFinished] = []

    def receive(sender: Any, event: AuditFinished, **kwargs: Any) -> None:
        seen.append(event)

    audit_finished.connect(receive, dispatch_uid="test-audit-cost")
    yield seen
    audit_finished.disconnect(dispatch_uid="test-audit-cost")


def _finish(target: Target, rep: m.Report) -> None:
    """Store a run as a worker would, against the target's current schema version."""
    target = Target.objects.select_related("current_schema").get(pk=target.pk)
    run = services.request_audit(target, enqueue=False)
    assert services.claim_run(run.pk)
    run.refresh_from_db()
    assert services.save_result(run, expected=m.Schema(dialect="postgresql"),
                                actual=m.Schema(dialect="postgresql"), report=rep,
                                version=target.current_schema) is not None


def test_the_event_says_whether_anything_changed_since_the_previous_run(
        make_target: Callable[..., Target], events: list[AuditFinished]) -> None:
    target = make_target()
    broken = report([finding("missing_column", "User", "email")], {"User": "broken"})
    _finish(target, broken)  # the first run: everything is new
    _finish(target, broken)  # the same findings and statuses
    _finish(target, report([], {"User": "ok"}))  # resolved
    services.add_schema_version(target, {"schema.prisma": SCHEMA + "\n// edited\n"})
    _finish(target, report([], {"User": "ok"}))  # audited against another schema
    _finish(target, report([], {"User": "ok"}))
    assert [event.changed for event in events] == [True, False, True, True, False]
