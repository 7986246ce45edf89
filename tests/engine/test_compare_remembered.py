"""compare_remembered: the same report for a live schema equal to one compared with the same
expected object lately, and a fresh comparison for anything else."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from audits.engine import audit as engine_audit
from audits.engine.audit import compare_remembered
from audits.engine.compare import compare
from audits.engine.model import Column, Schema, Table


def _schema(*columns: str) -> Schema:
    return Schema(dialect="postgresql", tables=(Table(name="User", columns=tuple(
        Column(name=name, type="text", nullable=False) for name in columns)),))


@pytest.fixture(autouse=True)
def empty() -> Iterator[None]:
    engine_audit.clear_expected_cache()
    yield
    engine_audit.clear_expected_cache()


def test_an_equal_live_schema_read_again_gets_the_remembered_report() -> None:
    expected = _schema("id", "email")
    live, first = compare_remembered(expected, _schema("id"))
    live_again, again = compare_remembered(expected, _schema("id"))  # another, equal object
    assert again is first and first == compare(expected, _schema("id"))
    assert live_again is live  # the remembered object, so per-object caches find it too
    assert [f.kind for f in first.findings] == ["missing_column"]


def test_a_changed_live_schema_or_another_expected_object_is_compared_afresh() -> None:
    expected = _schema("id", "email")
    first = compare_remembered(expected, _schema("id"))[1]
    mended = compare_remembered(expected, _schema("id", "email"))[1]
    assert mended is not first and not mended.findings
    other = replace(expected, namespaces=("public",))  # equal content, another object
    assert compare_remembered(other, _schema("id"))[1] is not first


def test_it_remembers_a_bounded_number_of_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_audit, "REPORT_ENTRIES", 2)
    expected = _schema("id")
    first = compare_remembered(expected, _schema("a"))[1]
    compare_remembered(expected, _schema("b"))
    compare_remembered(expected, _schema("c"))
    assert len(engine_audit._reports) == 2
    assert compare_remembered(expected, _schema("a"))[1] is not first  # forgotten: compared again
