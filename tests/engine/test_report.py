"""report_to_dict's documented JSON shape, and report_to_text's grouping and summary line."""

from __future__ import annotations

import json

from audits.engine.model import Finding, ObjectStatus, Report, Severity, Status
from audits.engine.report import report_to_dict, report_to_text, summary_line

MISSING_COLUMN = Finding(
    kind="missing_column", severity=Severity.CRITICAL, table="User", schema="public",
    model="User", field="username", column="username", expected="text",
    message='User.username is missing: column "username" of table "User" does not exist, so '
            "every query on User fails.")
MISSING_TABLE = Finding(kind="missing_table", severity=Severity.CRITICAL, table="Payment",
                        schema="public", model="Payment", expected="Payment",
                        message='Model Payment\'s table "Payment" does not exist, so every '
                                "query on Payment fails.")
MISSING_INDEX = Finding(kind="missing_index", severity=Severity.WARNING, table="Order",
                        schema="public", model="Order", object_name="Order_userId_idx",
                        expected='("userId")', message="The index is missing.")
EXTRA_TABLE = Finding(kind="extra_table", severity=Severity.INFO, table="legacy",
                      schema="public", actual="legacy", message="Extra table.")
REPORT = Report(
    dialect="postgresql",
    findings=(MISSING_COLUMN, MISSING_TABLE, MISSING_INDEX, EXTRA_TABLE),
    objects=(ObjectStatus("Order", Status.DEGRADED, model="Order"),
             ObjectStatus("Payment", Status.MISSING, model="Payment"),
             ObjectStatus("Product", Status.OK, model="Product"),
             ObjectStatus("User", Status.BROKEN, model="User"),
             ObjectStatus("legacy", Status.OK, model=None)),
)


def test_report_to_dict_has_exactly_the_documented_shape() -> None:
    data = report_to_dict(REPORT)
    assert list(data) == ["dialect", "summary", "models", "findings"]
    assert data["dialect"] == "postgresql"
    assert data["summary"] == {
        "models": 4, "tables": 5, "findings": 4,
        "by_severity": {"critical": 2, "error": 0, "warning": 1, "info": 1},
    }
    assert data["models"] == [
        {"model": "Order", "table": "Order", "status": "degraded"},
        {"model": "Payment", "table": "Payment", "status": "missing"},
        {"model": "Product", "table": "Product", "status": "ok"},
        {"model": "User", "table": "User", "status": "broken"},
        {"model": None, "table": "legacy", "status": "ok"},
    ]
    assert data["findings"][0] == {
        "kind": "missing_column", "severity": "critical", "model": "User", "field": "username",
        "table": "User", "column": "username", "expected": "text", "actual": None,
        "message": MISSING_COLUMN.message,
    }
    assert all(list(f) == ["kind", "severity", "model", "field", "table", "column", "expected",
                           "actual", "message"] for f in data["findings"])
    assert json.loads(json.dumps(data)) == data


def test_summary_line() -> None:
    assert summary_line(REPORT) == (
        "1 model broken, 1 degraded, 1 missing, 4 findings: 2 critical, 0 error, 1 warning, "
        "1 info")
    assert summary_line(Report("sqlite")) == (
        "0 models broken, 0 missing, 0 findings: 0 critical, 0 error, 0 warning, 0 info")


def test_report_to_text_groups_by_model_worst_first() -> None:
    assert report_to_text(REPORT) == (
        "Payment [missing]\n"
        f"  critical missing_table: {MISSING_TABLE.message}\n"
        "\n"
        "User [broken]\n"
        f"  critical missing_column: {MISSING_COLUMN.message}\n"
        "\n"
        "Order [degraded]\n"
        "  warning  missing_index: The index is missing.\n"
        "\n"
        'table "legacy" [ok]\n'
        "  info     extra_table: Extra table.\n"
        "\n"
        "1 model broken, 1 degraded, 1 missing, 4 findings: 2 critical, 0 error, 1 warning, "
        "1 info\n"
    )


def test_report_to_text_without_drift() -> None:
    report = Report("postgresql", objects=(ObjectStatus("User", Status.OK, model="User"),))
    assert report_to_text(report) == (
        "No drift: nothing above info.\n"
        "0 models broken, 0 missing, 0 findings: 0 critical, 0 error, 0 warning, 0 info\n")
