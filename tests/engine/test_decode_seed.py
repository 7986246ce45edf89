"""The error decoder on the seed's post-reset database (16 base migrations, PostgreSQL): each
error the seed quotes, and each message form the decoder reads, decodes to its finding, with
the endpoints of the seed's backend and the fix migration of that finding alone.

Forms the post-reset database has no drift for (an enum value, a not-null column, a foreign
key's action) are decoded against the seed schema with one edit that makes that drift real.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from audits import seed
from audits.engine.audit import audit_database
from audits.engine.decode import decode, parse_error
from audits.engine.endpoints import model_names, relations_from_prisma, scan_backend
from audits.engine.endpoints.scan import ScanResult
from audits.engine.model import Report, Schema
from audits.engine.prisma import ast, parse_schema
from audits.engine.prisma.lowering import lower
from audits.seed.build import apply_postgres_migrations
from tests.conftest import make_scratch_database


@pytest.fixture(scope="module")
def post_reset_url(pg_admin_dsn: str) -> Iterator[str]:
    for url in make_scratch_database(pg_admin_dsn, prefix="dw_decode"):
        apply_postgres_migrations(url, seed.base_migration_folders())
        yield url


@dataclass
class Audited:
    prisma: ast.PrismaSchema
    expected: Schema
    actual: Schema
    report: Report
    scan: ScanResult

    def decode(self, message: str) -> dict[str, Any]:
        decoded = decode(parse_error(message), self.prisma, self.expected, self.report,
                         actual=self.actual,
                         endpoints=[(e.key, e.models) for e in self.scan.endpoints])
        return decoded.to_dict()


def audited(url: str, text: str) -> Audited:
    prisma = parse_schema(text)
    expected = lower(prisma)
    result = audit_database(expected, url)
    scan = scan_backend(seed.BACKEND_DIR, model_names(prisma), relations_from_prisma(prisma))
    return Audited(prisma, expected, result.actual, result.report, scan)


SEED_TEXT = seed.SCHEMA_PATH.read_text()


@pytest.fixture(scope="module")
def seed_audit(post_reset_url: str) -> Audited:
    return audited(post_reset_url, SEED_TEXT)


def first(decoded: dict[str, Any]) -> tuple[str, str | None, str | None]:
    finding = decoded["findings"][0]
    return finding["kind"], finding["table"], finding["column"]


AUTH = "POST /api/auth/google"
USER_COLUMN_FIX = ('-- AlterTable\nALTER TABLE "User" ADD COLUMN     "username" TEXT;')


@pytest.mark.parametrize(("message", "finding"), [
    # quoted by the seed (phases 3 and 5)
    ("SELECT query attempted to include a column User.username not found in database",
     ("missing_column", "User", "username")),
    ("The column SupplierProfile.website does not exist in the current database",
     ("missing_column", "SupplierProfile", "website")),
    # the seed's Error Handling Guide, patterns 1 to 5, with the seed's names
    ("Column googleId does not exist in table User", ("missing_column", "User", "googleId")),
    ("Table ContactSubmission does not exist", ("missing_table", "ContactSubmission", None)),
    ("Relation TrackingUpdate does not exist", ("missing_table", "TrackingUpdate", None)),
    ("Property 'isGoogleAuth' does not exist on type 'User'.",
     ("missing_column", "User", "isGoogleAuth")),
    ("Invalid value for Enum PaymentStatus", ("missing_enum", None, None)),
    # each message form
    ("Invalid `prisma.user.findUnique()` invocation:\n\nThe column `User.username` does not "
     "exist in the current database.", ("missing_column", "User", "username")),
    ("Invalid `prisma.wallet.findUnique()` invocation:\n\nThe table `public.Wallet` does not "
     "exist in the current database.", ("missing_table", "Wallet", None)),
    ('ERROR:  column "resetToken" of relation "User" does not exist',
     ("missing_column", "User", "resetToken")),
    ("ERROR:  column User.hasPassword does not exist", ("missing_column", "User", "hasPassword")),
    ("ERROR:  column user.haspassword does not exist", ("missing_column", "User", "hasPassword")),
    ('ERROR:  relation "KYC" does not exist', ("missing_table", "KYC", None)),
    ('ERROR:  type "TrackingStatus" does not exist', ("missing_enum", None, None)),
    ('ERROR:  column "keywords" of relation "SupplierProfile" does not exist',
     ("missing_column", "SupplierProfile", "keywords")),
    ("error TS2339: Property 'trackingUpdate' does not exist on type "
     "'PrismaClient<PrismaClientOptions, never, DefaultArgs>'.",
     ("missing_table", "TrackingUpdate", None)),
    # a column of a missing table: the table is what is missing
    ('ERROR:  column "balance" of relation "Wallet" does not exist',
     ("missing_table", "Wallet", None)),
])
def test_errors_decode_to_their_finding(seed_audit: Audited, message: str,
                                        finding: tuple[str, str | None, str | None]) -> None:
    decoded = seed_audit.decode(message)
    assert first(decoded) == finding
    assert decoded["fix"] is not None
    assert decoded["explanation"].startswith("The live database differs from the schema: ")


def test_user_username_in_full(seed_audit: Audited) -> None:
    decoded = seed_audit.decode(
        "SELECT query attempted to include a column User.username not found in database")
    assert decoded["error"] == {
        "form": "missing_column", "code": None, "schema": None, "table": "User",
        "column": "username", "enum": None, "value": None, "constraint": None,
        "property": None, "type": None,
        "text": "include a column User.username not found in database",
        "model": "User", "field": "username"}
    assert [f["kind"] for f in decoded["findings"]] == ["missing_column"]
    assert decoded["endpoints"][0] == AUTH
    assert len(decoded["endpoints"]) == 12  # every endpoint that touches User
    assert USER_COLUMN_FIX in decoded["fix"]
    # the fix of this finding alone: nothing about the other 8 User columns or the tables
    assert decoded["fix"].count("ADD COLUMN") == 1
    assert "CREATE TABLE" not in decoded["fix"]


def test_missing_table_fix_creates_it_with_its_enum(seed_audit: Audited) -> None:
    decoded = seed_audit.decode('relation "TrackingUpdate" does not exist')
    assert decoded["endpoints"] == ["GET /api/tracking/live", "POST /api/tracking/live"]
    fix = decoded["fix"]
    assert 'CREATE TYPE "TrackingStatus"' in fix
    assert 'CREATE TABLE "TrackingUpdate"' in fix
    assert fix.count("CREATE TABLE") == 1
    # its foreign key references OrderTracking, which the database lacks too: left out
    assert "FOREIGN KEY" not in fix


@pytest.mark.parametrize(("message", "words"), [
    ('invalid input value for enum "OrderStatus": "RETURNED"',
     "the schema's enum OrderStatus has no value RETURNED either"),
    ("Property 'paymentStatus' does not exist on type 'Order'.",
     "the schema does not define field Order.paymentStatus either"),
    ("Property 'trackingEvent' does not exist on type 'PrismaClient'.",
     "the schema does not define a model behind prisma.trackingEvent either"),
    ('column "paymentStatus" of relation "Order" does not exist',
     "the schema does not define column Order.paymentStatus either"),
    ('relation "MechanicBookingTracking" does not exist',
     "the schema does not define table MechanicBookingTracking either"),
    ("The column `Product.slug` does not exist in the current database.",
     "the schema defines Product.slug and the audited database has it"),
    ("Property 'email' does not exist on type 'User'.",
     "The code runs a Prisma Client generated from an older schema"),
    ('null value in column "category" of relation "Product" violates not-null constraint',
     "the schema and the database both require Product.category"),
    ("Foreign key constraint violated: `Order_customerId_fkey (index)`",
     "the schema and the database agree on the relation (Order_customerId_fkey)"),
])
def test_errors_no_finding_explains(seed_audit: Audited, message: str, words: str) -> None:
    decoded = seed_audit.decode(message)
    assert decoded["findings"] == []
    assert decoded["fix"] is None
    assert words in decoded["explanation"]
    assert decoded["explanation"].startswith("No drift explains it")


def test_unknown_error(seed_audit: Audited) -> None:
    decoded = seed_audit.decode("TypeError: fetch failed")
    assert (decoded["error"]["form"], decoded["findings"], decoded["endpoints"],
            decoded["fix"]) == ("unknown", [], [], None)
    assert decoded["explanation"].startswith("Driftwatch cannot read this error")


# --- forms whose drift the post-reset database lacks: one edit of the schema makes it real --


def test_invalid_enum_value_decodes_to_the_missing_value(post_reset_url: str) -> None:
    text = SEED_TEXT.replace("  REFUNDED\n}\n\n// ----", "  REFUNDED\n  RETURNED\n}\n\n// ----", 1)
    assert text != SEED_TEXT
    decoded = audited(post_reset_url, text).decode(
        'ERROR: invalid input value for enum "OrderStatus": "RETURNED"')
    assert [(f["kind"], f["expected"]) for f in decoded["findings"]] == [
        ("missing_enum_value", "RETURNED")]
    assert "GET /api/orders/:id" in decoded["endpoints"]
    assert "ALTER TYPE \"OrderStatus\" ADD VALUE 'RETURNED';" in decoded["fix"]


def test_not_null_violation_decodes_to_the_nullability_mismatch(post_reset_url: str) -> None:
    text = SEED_TEXT.replace("  category    String\n", "  category    String?\n", 1)
    assert text != SEED_TEXT
    decoded = audited(post_reset_url, text).decode(
        'ERROR: null value in column "category" of relation "Product" violates not-null '
        "constraint")
    assert first(decoded) == ("nullability_mismatch", "Product", "category")
    assert decoded["endpoints"][:2] == ["GET /api/orders/:id", "GET /api/products"]
    assert 'ALTER TABLE "Product" ALTER COLUMN "category" DROP NOT NULL;' in decoded["fix"]


@pytest.mark.parametrize("message", [
    "Foreign key constraint violated: `Order_customerId_fkey (index)` code: 'P2003'",
    'ERROR: update or delete on table "User" violates foreign key constraint '
    '"Order_customerId_fkey" on table "Order"',
])
def test_foreign_key_violation_decodes_to_the_key_mismatch(post_reset_url: str,
                                                           message: str) -> None:
    text = SEED_TEXT.replace(
        "@relation(fields: [customerId], references: [id], onDelete: Restrict)",
        "@relation(fields: [customerId], references: [id], onDelete: Cascade)", 1)
    assert text != SEED_TEXT
    decoded = audited(post_reset_url, text).decode(message)
    assert first(decoded) == ("foreign_key_mismatch", "Order", None)
    assert "GET /api/orders/:id" in decoded["endpoints"]
    assert "Order_customerId_fkey" in decoded["fix"]
