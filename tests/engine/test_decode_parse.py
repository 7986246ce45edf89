"""audits.engine.decode.parse: each error form, as logs show it, cut into its parts."""

from __future__ import annotations

from typing import Any

import pytest

from audits.engine.decode import parse_error


def parts(message: str) -> dict[str, Any]:
    return {key: value for key, value in parse_error(message).to_dict().items()
            if value is not None and key != "text"}


@pytest.mark.parametrize(("message", "expected"), [
    # Prisma P2022, as Prisma Client throws it and as the seed quotes it
    ("PrismaClientKnownRequestError: \nInvalid `prisma.user.findUnique()` invocation:\n\n"
     "The column `User.username` does not exist in the current database.\n  code: 'P2022'",
     {"form": "missing_column", "code": "P2022", "table": "User", "column": "username"}),
    ("The column SupplierProfile.website does not exist in the current database",
     {"form": "missing_column", "table": "SupplierProfile", "column": "website"}),
    ("The column `public.users.email_verified` does not exist in the current database.",
     {"form": "missing_column", "schema": "public", "table": "users",
      "column": "email_verified"}),
    ("SELECT query attempted to include a column User.username not found in database",
     {"form": "missing_column", "table": "User", "column": "username"}),
    ("Column username does not exist in table User",
     {"form": "missing_column", "table": "User", "column": "username"}),
    # PostgreSQL
    ('ERROR:  column "googleId" of relation "User" does not exist',
     {"form": "missing_column", "table": "User", "column": "googleId"}),
    ("ERROR: column User.username does not exist at character 45",
     {"form": "missing_column", "table": "User", "column": "username"}),
    ('ERROR: column "username" does not exist',
     {"form": "missing_column", "column": "username"}),
    # tables
    ("Invalid `prisma.trackingUpdate.findMany()` invocation:\nThe table `public.TrackingUpdate` "
     "does not exist in the current database. code: 'P2021'",
     {"form": "missing_table", "code": "P2021", "schema": "public", "table": "TrackingUpdate"}),
    ('error: relation "Wallet" does not exist', {"form": "missing_table", "table": "Wallet"}),
    ('ERROR: relation "public.wallet" does not exist',
     {"form": "missing_table", "schema": "public", "table": "wallet"}),
    ("Table ContactSubmission does not exist",
     {"form": "missing_table", "table": "ContactSubmission"}),
    ("Relation Review does not exist", {"form": "missing_table", "table": "Review"}),
    # enums
    ('ERROR: invalid input value for enum "OrderStatus": "RETURNED"',
     {"form": "invalid_enum_value", "enum": "OrderStatus", "value": "RETURNED"}),
    ("invalid input value for enum orderstatus: \"RETURNED\"",
     {"form": "invalid_enum_value", "enum": "orderstatus", "value": "RETURNED"}),
    ("Value 'RETURNED' not found in enum 'OrderStatus'",
     {"form": "invalid_enum_value", "enum": "OrderStatus", "value": "RETURNED"}),
    ("Invalid value for Enum PaymentStatus",
     {"form": "invalid_enum_value", "enum": "PaymentStatus"}),
    ('ERROR: type "PaymentStatus" does not exist',
     {"form": "missing_enum", "enum": "PaymentStatus"}),
    # not null
    ('ERROR: null value in column "category" of relation "Product" violates not-null '
     "constraint\nDETAIL: Failing row contains (...).",
     {"form": "not_null_violation", "table": "Product", "column": "category"}),
    ('null value in column "category" violates not-null constraint',
     {"form": "not_null_violation", "column": "category"}),
    ("Null constraint violation on the fields: (`category`) code: 'P2011'",
     {"form": "not_null_violation", "code": "P2011", "column": "category"}),
    # foreign keys
    ("Foreign key constraint violated: `Order_customerId_fkey (index)` code: 'P2003'",
     {"form": "foreign_key_violation", "code": "P2003", "constraint": "Order_customerId_fkey"}),
    ("Foreign key constraint failed on the field: `Order_customerId_fkey (index)`",
     {"form": "foreign_key_violation", "constraint": "Order_customerId_fkey"}),
    ('ERROR: update or delete on table "User" violates foreign key constraint '
     '"Order_customerId_fkey" on table "Order"',
     {"form": "foreign_key_violation", "table": "User", "constraint": "Order_customerId_fkey"}),
    # TypeScript
    ("services/payment.service.ts(42,17): error TS2339: Property 'paymentStatus' does not "
     "exist on type 'Order'.",
     {"form": "missing_property", "property": "paymentStatus", "type": "Order"}),
    ("error TS2339: Property 'trackingEvent' does not exist on type "
     "'PrismaClient<PrismaClientOptions, never, DefaultArgs>'.",
     {"form": "missing_property", "property": "trackingEvent",
      "type": "PrismaClient<PrismaClientOptions, never, DefaultArgs>"}),
    # a code alone, and nothing known
    ("PrismaClientKnownRequestError code: 'P2022' meta: { column: '(not available)' }",
     {"form": "missing_column", "code": "P2022"}),
    ("TypeError: cannot read properties of undefined", {"form": "unknown"}),
])
def test_forms(message: str, expected: dict[str, Any]) -> None:
    assert parts(message) == expected


def test_the_matched_text_is_kept() -> None:
    parsed = parse_error('2026-02-12T13:38:55Z web.1 error: relation "Wallet" does not exist')
    assert parsed.text == 'relation "Wallet" does not exist'
