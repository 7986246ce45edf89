"""The scanner on the seed's backend tree: its endpoints, the models each touches, and the
verdicts on the post-reset database, after fix 1 alone and after all three fixes, exactly as
``audits/seed/endpoints.json`` (the table of ``audits/seed/README.md``) says.

Most tests build statuses and findings by hand from the seed's lists, so they test the scanner
and the verdicts alone; the last one audits the seed's real PostgreSQL databases end to end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from audits.engine.audit import audit
from audits.engine.endpoints import (
    EndpointVerdict,
    ScanResult,
    endpoint_verdicts,
    relations_from_prisma,
    scan_backend,
)
from audits.engine.endpoints.check import check_backend
from audits.engine.model import Finding, Severity, Status, from_plain
from audits.engine.prisma.parser import load_schema
from audits.seed import (
    BACKEND_DIR,
    FIX_USER_COLUMNS,
    MISSING_SUPPLIER_PROFILE_COLUMNS,
    MISSING_TABLES,
    MISSING_USER_COLUMNS,
    SCHEMA_PATH,
    base_migration_folders,
    expected_endpoints,
    fix_migration_folders,
)
from audits.seed.build import apply_postgres_migrations

MISSING_COLUMNS = {"User": MISSING_USER_COLUMNS,
                   "SupplierProfile": MISSING_SUPPLIER_PROFILE_COLUMNS}


@pytest.fixture(scope="module")
def model_names() -> list[str]:
    return [model.name for model in load_schema(SCHEMA_PATH).models if model.kind == "model"]


@pytest.fixture(scope="module")
def scan(model_names: list[str]) -> ScanResult:
    return scan_backend(BACKEND_DIR, model_names, relations_from_prisma(load_schema(SCHEMA_PATH)))


def audit_facts(model_names: Iterable[str], missing_tables: Iterable[str],
                missing_columns: dict[str, tuple[str, ...]]) -> tuple[dict[str, Status],
                                                                     list[Finding]]:
    """Statuses and findings as compare would report them for the given gaps."""
    statuses = {name: Status.OK for name in model_names}
    findings = []
    for table in missing_tables:
        statuses[table] = Status.MISSING
        findings.append(Finding("missing_table", Severity.CRITICAL,
                                f'table "{table}" does not exist', table=table, model=table))
    for model, columns in missing_columns.items():
        statuses[model] = Status.BROKEN
        findings += [Finding("missing_column", Severity.CRITICAL,
                             f'column "{model}"."{column}" does not exist', table=model,
                             model=model, field=column, column=column) for column in columns]
    return statuses, findings


def expected_reasons(entry: dict[str, Any], phase: str) -> tuple[str, ...]:
    facts = entry[phase]
    reasons = []
    for model in sorted(set(entry["models"])):
        if model in facts.get("missing_tables", []):
            reasons.append(f'table "{model}" does not exist (model {model})')
        reasons += [f"{model}.{column} is missing"
                    for column in facts.get("missing_columns", {}).get(model, [])]
    if facts["verdict"] == "unknown":  # only /api/admin/stats: SQL read from a file
        reasons.append(f"raw SQL in {entry['file']}:23 could not be read")
    return tuple(reasons)


def by_endpoint(verdicts: list[EndpointVerdict]) -> dict[tuple[str, tuple[str, ...]],
                                                        EndpointVerdict]:
    return {(verdict.route, verdict.methods): verdict for verdict in verdicts}


def test_the_scan_finds_every_endpoint_with_its_file_and_models(scan: ScanResult) -> None:
    expected = {(e["route"], tuple(e["methods"])): (e["file"], tuple(e["models"]))
                for e in expected_endpoints()}
    found = {(e.route, e.methods): (e.file, e.models) for e in scan.endpoints}
    assert found == expected
    assert len(scan.endpoints) == 29
    assert scan.unresolved == ()


def test_a_scan_round_trips_through_json(scan: ScanResult) -> None:
    """Stored endpoint records rebuild the same scan (model.from_plain, as snapshots do)."""
    assert from_plain(ScanResult, json.loads(json.dumps(scan.to_dict()))) == scan


def test_the_scan_sees_through_the_constructs_the_seed_lists(scan: ScanResult) -> None:
    messages = scan.endpoint("/api/chat/:conversationId/messages", "POST")
    assert messages is not None
    # two imports and an alias away: route -> chat.service -> push-notification.service
    assert ("ConversationParticipant", "findMany", "services/push-notification.service.ts") in {
        (use.model, use.operation, use.file) for use in messages.uses}
    notices = {use.model for e in scan.endpoints for use in e.uses}
    assert "MechanicBookingTracking" not in notices  # commented out, or in strings only
    stats = scan.endpoint("/api/admin/stats", "GET")
    assert stats is not None
    assert [(f.call, f.tables, f.readable) for f in stats.raw_sql] == [
        ("$queryRawUnsafe", (), False), ("$queryRaw", ("Order",), True)]
    assert stats.unknown_reasons == (
        "raw SQL in app/(admin)/api/admin/stats/route.ts:23 could not be read",)
    health = scan.endpoint("/api/health", "*")
    assert health is not None and health.models == ()


def test_verdicts_on_the_post_reset_database(scan: ScanResult, model_names: list[str]) -> None:
    statuses, findings = audit_facts(model_names, MISSING_TABLES, MISSING_COLUMNS)
    verdicts = by_endpoint(endpoint_verdicts(scan, statuses, findings))
    for entry in expected_endpoints():
        verdict = verdicts[(entry["route"], tuple(entry["methods"]))]
        assert (verdict.verdict.value, verdict.reasons) == (
            entry["post_reset"]["verdict"], expected_reasons(entry, "post_reset")), entry["route"]
    google = verdicts[("/api/auth/google", ("POST",))]
    assert google.reasons[:2] == ("User.username is missing", "User.verificationCode is missing")
    contact = verdicts[("/api/contact", ("POST",))]
    assert contact.reasons == (
        'table "ContactSubmission" does not exist (model ContactSubmission)',)


def test_after_fix_one_alone_supplier_signup_still_fails(scan: ScanResult,
                                                         model_names: list[str]) -> None:
    statuses, findings = audit_facts(
        model_names, MISSING_TABLES, {"SupplierProfile": MISSING_SUPPLIER_PROFILE_COLUMNS})
    verdicts = by_endpoint(endpoint_verdicts(scan, statuses, findings))
    assert verdicts[("/api/auth/google", ("POST",))].verdict.value == "safe"
    supplier = verdicts[("/api/onboarding/supplier", ("POST",))]
    reasons = tuple(f"SupplierProfile.{c} is missing" for c in MISSING_SUPPLIER_PROFILE_COLUMNS)
    assert (supplier.verdict.value, supplier.reasons) == ("unsafe", reasons)


def test_verdicts_after_the_three_fixes(scan: ScanResult, model_names: list[str]) -> None:
    statuses, findings = audit_facts(model_names, (), {})
    verdicts = by_endpoint(endpoint_verdicts(scan, statuses, findings))
    assert {key: v.verdict.value for key, v in verdicts.items()} == {
        (e["route"], tuple(e["methods"])): e["after_fixes"]["verdict"]
        for e in expected_endpoints()}
    assert verdicts[("/api/admin/stats", ("GET",))].reasons == (
        "raw SQL in app/(admin)/api/admin/stats/route.ts:23 could not be read",)


@pytest.mark.postgres
def test_end_to_end_on_the_real_post_reset_database_then_after_each_fix(scratch_pg: str) -> None:
    """The seed's databases on PostgreSQL, audited for real, then judged by check_backend."""
    schema = load_schema(SCHEMA_PATH)
    entries = {(e["route"], tuple(e["methods"])): e for e in expected_endpoints()}

    def check() -> dict[tuple[str, tuple[str, ...]], EndpointVerdict]:
        result = audit(SCHEMA_PATH, scratch_pg)
        report = check_backend(BACKEND_DIR, schema, result.expected, result.report)
        assert report.unresolved == ()
        return by_endpoint(list(report.verdicts))

    apply_postgres_migrations(scratch_pg, base_migration_folders("postgresql"))
    verdicts = check()  # compare lists a model's findings in its own order: compare as sets
    assert {key: (v.verdict.value, sorted(v.reasons)) for key, v in verdicts.items()} == {
        key: (entry["post_reset"]["verdict"], sorted(expected_reasons(entry, "post_reset")))
        for key, entry in entries.items()}

    first, *others = fix_migration_folders("postgresql")
    assert first.name == FIX_USER_COLUMNS
    apply_postgres_migrations(scratch_pg, [first])
    verdicts = check()
    assert verdicts[("/api/auth/google", ("POST",))].verdict.value == "safe"
    assert sorted(verdicts[("/api/onboarding/supplier", ("POST",))].reasons) == sorted(
        f"SupplierProfile.{column} is missing" for column in MISSING_SUPPLIER_PROFILE_COLUMNS)

    apply_postgres_migrations(scratch_pg, others)
    verdicts = check()
    assert {key: v.verdict.value for key, v in verdicts.items()} == {
        key: entry["after_fixes"]["verdict"] for key, entry in entries.items()}
