"""An audit whose findings and statuses are the previous run's shares that run's rows instead of
writing them again (AuditRun.rows_from); every reader sees the same rows either way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from django.test import Client
from django.urls import reverse

from audits.core.models import AuditRun, Finding, ModelStatus, Target
from audits.core.records import findings_of, report_from_run, result_digest
from audits.engine import model as m
from audits.targets import queries, services
from tests.audits.conftest import finding, report

pytestmark = pytest.mark.django_db

Finish = Callable[..., AuditRun]


def _broken() -> m.Report:
    return report([finding("missing_column", "User", "username"),
                   finding("missing_table", "Review")],
                  {"User": "broken", "Review": "missing", "Product": "ok"})


def _mended() -> m.Report:
    return report([finding("missing_table", "Review")],
                  {"User": "ok", "Review": "missing", "Product": "ok"})


def _reworded(message: str) -> m.Report:
    """``_broken()`` with the missing column's finding worded otherwise: the same fingerprint."""
    base = _broken()
    return replace(base, findings=(replace(base.findings[0], message=message),
                                   *base.findings[1:]))


def test_an_unchanged_audit_writes_no_rows_and_shares_the_holders(
        make_target: Callable[..., Target], finish_run: Finish) -> None:
    target = make_target()
    first = finish_run(target, _broken())
    second = finish_run(target, _broken())
    third = finish_run(target, _broken())
    assert first.rows_from_id is None
    # the third points at the run holding the rows, not at the second, which holds none
    assert (second.rows_from_id, third.rows_from_id) == (first.pk, first.pk)
    assert Finding.objects.filter(run__in=[second, third]).count() == 0
    assert ModelStatus.objects.filter(run__in=[second, third]).count() == 0
    assert Finding.objects.count() == 2 and ModelStatus.objects.count() == 3
    for run in (second, third):
        assert sorted(f.message for f in queries.run_findings(run)) == [
            "missing_column User.username", "missing_table Review"]
        assert {r.table: r.status for r in queries.grid(run).rows} == {
            "User": "broken", "Review": "missing", "Product": "ok"}
        assert run.changes["new"] == run.changes["resolved"] == run.changes["flipped"] == []


def test_a_changed_audit_holds_its_own_rows_and_says_what_changed_against_the_shared_ones(
        make_target: Callable[..., Target], finish_run: Finish) -> None:
    target = make_target()
    first = finish_run(target, _broken())
    second = finish_run(target, _broken())
    mended = finish_run(target, _mended())
    assert mended.rows_from_id is None
    assert [f.message for f in Finding.objects.filter(run=mended)] == ["missing_table Review"]
    assert mended.changes["previous_run"] == second.pk
    assert [f["message"] for f in mended.changes["resolved"]] == ["missing_column User.username"]
    assert mended.changes["new"] == []
    assert mended.changes["flipped"] == [{"schema": "public", "table": "User", "model": "User",
                                          "before": "broken", "after": "ok"}]
    assert services.compare_runs(first, mended)["resolved"] == mended.changes["resolved"]
    assert services.compare_runs(second, mended)["resolved"] == mended.changes["resolved"]
    # back to broken: its own rows again, not the first run's (only the previous run is shared)
    again = finish_run(target, _broken())
    assert again.rows_from_id is None and findings_of(again).count() == 2


def test_the_digest_covers_every_stored_field_not_only_the_fingerprint() -> None:
    base = _broken()
    worded = _reworded("worded differently")
    assert result_digest(base) == result_digest(_broken())
    assert result_digest(worded) != result_digest(base)


def test_a_reworded_finding_is_stored_again_even_though_nothing_changed(
        make_target: Callable[..., Target], finish_run: Finish) -> None:
    target = make_target()
    finish_run(target, _broken())
    run = finish_run(target, _reworded("reworded"))
    assert run.rows_from_id is None
    assert sorted(f.message for f in findings_of(run)) == ["missing_table Review", "reworded"]
    assert run.changes["new"] == run.changes["resolved"] == []  # same fingerprints


def test_the_run_page_the_api_and_the_overview_read_the_shared_rows(
        make_target: Callable[..., Target], finish_run: Finish, backend: Client) -> None:
    target = make_target()
    finish_run(target, _broken())
    second = finish_run(target, _broken())
    page = backend.get(reverse("audits:run", args=[target.slug, second.pk]))
    assert page.status_code == 200
    assert b"missing_column User.username" in page.content
    overview = backend.get(reverse("audits:overview"))
    assert overview.status_code == 200 and b"username" in overview.content
    assert sorted(report_from_run(second).findings, key=str) == sorted(
        _broken().findings, key=str)


def test_deleting_the_target_deletes_runs_that_share_rows(
        make_target: Callable[..., Target], finish_run: Finish) -> None:
    target = make_target()
    finish_run(target, _broken())
    finish_run(target, _broken())
    target.delete()
    assert not AuditRun.objects.exists() and not Finding.objects.exists()
    assert not ModelStatus.objects.exists()
