"""Endpoint verdicts from model statuses and findings, with reasons and manual overrides."""

from __future__ import annotations

from pathlib import Path

from audits.engine.endpoints import (
    Endpoint,
    EndpointVerdict,
    Override,
    RawSqlFact,
    ScanResult,
    Verdict,
    apply_overrides,
    check_backend,
    endpoint_verdicts,
    statuses_from_report,
    tables_to_models,
)
from audits.engine.model import Finding, ObjectStatus, Report, Schema, Severity, Status, Table
from audits.engine.prisma.ast import Field, FieldType, Model, PrismaSchema

STATUSES = {
    "User": Status.BROKEN,
    "ContactSubmission": Status.MISSING,
    "Order": Status.OK,
    "Product": Status.DEGRADED,
    "Session": Status.OK,
}
FINDINGS = (
    Finding("missing_column", Severity.CRITICAL, "column User.username does not exist",
            table="User", model="User", field="username", column="username"),
    Finding("missing_column", Severity.CRITICAL, "column User.google_id does not exist",
            table="User", model="User", field="googleId", column="google_id"),
    Finding("missing_table", Severity.CRITICAL, "table ContactSubmission does not exist",
            table="ContactSubmission", model="ContactSubmission"),
    Finding("missing_index", Severity.WARNING, "index on Product(slug) is missing",
            table="Product", model="Product"),
    Finding("extra_column", Severity.INFO, "column User.legacy is not in the schema",
            table="User", model="User", column="legacy"),
)


def endpoint(route: str, *models: str, methods: tuple[str, ...] = ("GET",),
             **extra: object) -> Endpoint:
    return Endpoint(route, methods, f"app{route}/route.ts", tuple(sorted(models)),
                    **extra)  # type: ignore[arg-type]


def judge(*endpoints: Endpoint, overrides: tuple[Override, ...] = (),
          table_models: dict[str, str] | None = None) -> list[EndpointVerdict]:
    return endpoint_verdicts(ScanResult(tuple(endpoints)), STATUSES, FINDINGS, overrides,
                             table_models)


def test_a_broken_model_makes_the_endpoint_unsafe_naming_each_missing_column() -> None:
    [verdict] = judge(endpoint("/api/auth/google", "User", "Session"))
    assert verdict == EndpointVerdict(
        "/api/auth/google", ("GET",), "app/api/auth/google/route.ts", ("Session", "User"),
        Verdict.UNSAFE, ("User.username is missing", "User.googleId is missing"))


def test_a_missing_table_makes_the_endpoint_unsafe() -> None:
    [verdict] = judge(endpoint("/api/contact", "ContactSubmission", methods=("POST",)))
    assert (verdict.verdict, verdict.reasons) == (
        Verdict.UNSAFE, ('table "ContactSubmission" does not exist (model ContactSubmission)',))


def test_warnings_only_make_it_degraded_and_intact_models_safe() -> None:
    degraded, safe, nothing = judge(endpoint("/api/products", "Product", "Order"),
                                    endpoint("/api/orders", "Order"), endpoint("/api/ping"))
    assert (degraded.verdict, degraded.reasons) == (
        Verdict.DEGRADED, ("Product: index on Product(slug) is missing",))
    assert (safe.verdict, safe.reasons) == (Verdict.SAFE, ())
    assert (nothing.verdict, nothing.reasons) == (Verdict.SAFE, ())


def test_raw_sql_it_could_not_read_makes_it_unknown_unless_it_is_unsafe_anyway() -> None:
    reason = "raw SQL in app/(admin)/api/admin/stats/route.ts:12 could not be read"
    unknown, unsafe = judge(
        endpoint("/api/admin/stats", "Order", unknown_reasons=(reason,)),
        endpoint("/api/admin/users", "User", unknown_reasons=(reason,)))
    assert (unknown.verdict, unknown.reasons) == (Verdict.UNKNOWN, (reason,))
    assert unsafe.verdict is Verdict.UNSAFE
    assert unsafe.reasons == ("User.username is missing", "User.googleId is missing", reason)


def test_raw_sql_tables_map_to_models_through_the_expected_schema() -> None:
    expected = Schema("postgresql", tables=(
        Table("users", model="User"), Table("ContactSubmission", model="ContactSubmission"),
        Table("orders", model="Order"), Table("_prisma_migrations"),
    ))
    table_models = tables_to_models(expected)
    assert table_models == {"users": "User", "ContactSubmission": "ContactSubmission",
                            "orders": "Order"}
    facts = (RawSqlFact("$queryRaw", "app/api/r/route.ts", 3, "SELECT * FROM orders, audit",
                        ("ORDERS", "audit")),)
    [verdict] = judge(endpoint("/api/r", raw_sql=facts), table_models=table_models)
    assert verdict.models == ("Order",)
    assert (verdict.verdict, verdict.reasons) == (Verdict.UNKNOWN, (
        'raw SQL in app/api/r/route.ts:3 reads table "audit", which no model maps',))
    facts = (RawSqlFact("$executeRaw", "app/api/c/route.ts", 5, "INSERT INTO users",
                        ("users",)),)
    [verdict] = judge(endpoint("/api/c", raw_sql=facts), table_models=table_models)
    assert (verdict.models, verdict.verdict) == (("User",), Verdict.UNSAFE)


def test_a_model_the_schema_does_not_know_is_unknown() -> None:
    [verdict] = judge(endpoint("/api/track", "TrackingEvent"))
    assert (verdict.verdict, verdict.reasons) == (
        Verdict.UNKNOWN, ("model TrackingEvent is not in the schema",))


def test_a_status_without_findings_still_gives_a_reason() -> None:
    verdicts = endpoint_verdicts(ScanResult((endpoint("/api/w", "Wallet"),
                                             endpoint("/api/k", "KYC"))),
                                 {"Wallet": "missing", "KYC": "broken"}, ())
    assert [(v.verdict, v.reasons) for v in verdicts] == [
        (Verdict.UNSAFE, ("the table of model Wallet does not exist",)),
        (Verdict.UNSAFE, ("model KYC is broken",)),
    ]


def test_overrides_add_and_remove_dependencies_per_route_and_method() -> None:
    endpoints = (endpoint("/api/orders", "Order", "User", methods=("GET",)),
                 endpoint("/api/orders", "Order", methods=("POST",)),
                 endpoint("/api/other", "Order"))
    overrides = (
        Override("/api/orders", "User", "remove", reason="select: { id: true } only"),
        Override("/api/orders", "ContactSubmission", "add", methods=("POST",),
                 reason="called through a webhook", author="ada"),
    )
    assert [e.models for e in apply_overrides(endpoints, overrides)] == [
        ("Order",), ("ContactSubmission", "Order"), ("Order",)]
    verdicts = judge(*endpoints, overrides=overrides)
    assert [v.key for v in verdicts] == ["GET /api/orders", "POST /api/orders", "GET /api/other"]
    assert [(v.route, v.methods, v.verdict) for v in verdicts] == [
        ("/api/orders", ("GET",), Verdict.SAFE),
        ("/api/orders", ("POST",), Verdict.UNSAFE),
        ("/api/other", ("GET",), Verdict.SAFE),
    ]


def test_verdicts_and_scans_are_json_friendly() -> None:
    [verdict] = judge(endpoint("/api/contact", "ContactSubmission", methods=("*",)))
    assert verdict.to_dict() == {
        "route": "/api/contact", "methods": ["*"], "file": "app/api/contact/route.ts",
        "models": ["ContactSubmission"], "verdict": "unsafe",
        "reasons": ['table "ContactSubmission" does not exist (model ContactSubmission)'],
    }
    scan = ScanResult((endpoint("/api/x", "User"),))
    assert scan.to_dict() == {"endpoints": [{
        "route": "/api/x", "methods": ["GET"], "file": "app/api/x/route.ts", "models": ["User"],
        "raw_sql": [], "unknown_reasons": [], "line": 0, "uses": [],
    }], "unresolved": []}


def test_statuses_from_a_compare_report() -> None:
    report = Report("postgresql", objects=(
        ObjectStatus("User", Status.BROKEN, model="User"),
        ObjectStatus("Review", Status.MISSING, model="Review"),
        ObjectStatus("Order", Status.OK, model="Order"),
        ObjectStatus("legacy_audit", Status.OK),
        ObjectStatus("User", Status.DEGRADED, schema="archive", model="User"),
    ))
    assert statuses_from_report(report) == {
        "User": Status.BROKEN, "Review": Status.MISSING, "Order": Status.OK}


def test_check_backend_gives_the_cli_json(tmp_path: Path) -> None:
    (tmp_path / "app/api/users").mkdir(parents=True)
    (tmp_path / "app/api/users/route.ts").write_text(
        "import { db } from './db'\n"
        "export const GET = () => db.user.findMany({ include: { posts: true } })\n"
        "export const POST = () => db.$executeRaw`DELETE FROM \"sessions\"`\n")
    (tmp_path / "app/api/users/db.ts").write_text("export const db = createClient()\n")
    schema = PrismaSchema(models=(
        Model("User", (Field("id", FieldType("Int")),
                       Field("posts", FieldType("Post", list=True)))),
        Model("Post", (Field("id", FieldType("Int")),)),
        Model("Session", (Field("id", FieldType("Int")),)),
    ))
    expected = Schema("postgresql", tables=(Table("User", model="User"),
                                            Table("Post", model="Post"),
                                            Table("sessions", model="Session")))
    report = Report("postgresql", findings=(
        Finding("missing_table", Severity.CRITICAL, "gone", table="sessions", model="Session"),
    ), objects=(ObjectStatus("sessions", Status.MISSING, model="Session"),))
    result = check_backend(tmp_path, schema, expected, report)
    assert result.to_dict() == {"endpoints": [
        {"route": "/api/users", "methods": ["GET"], "file": "app/api/users/route.ts",
         "models": ["Post", "User"], "verdict": "safe", "reasons": []},
        {"route": "/api/users", "methods": ["POST"], "file": "app/api/users/route.ts",
         "models": ["Session"], "verdict": "unsafe",
         "reasons": ['table "sessions" does not exist (model Session)']},
    ], "unresolved": []}
    assert result.counts() == {"safe": 1, "degraded": 0, "unsafe": 1, "unknown": 0}
