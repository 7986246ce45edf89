"""The seed incident as data: the marketplace's schema, its migration history and its code.

The February 12, 2026 incident (``/work/shared/seed``): production was wiped by
``prisma migrate reset --force`` and rebuilt from 16 base migrations, which lacked 9 User
columns, 12 SupplierProfile columns and 20 tables that the code used. Three hand-written fix
migrations closed the gap. Everything here recreates that, for the demo and the tests:

- ``SCHEMA_PATH``: the schema.prisma the code expects (after the incident), PostgreSQL.
- ``PRE_INCIDENT_SCHEMA_PATH``: the schema before it (TrackingEvent, Order.paymentStatus...).
- ``BASE_MIGRATIONS_DIR``: the 16 base migrations (Prisma folder layout), the post-reset state.
- ``FIX_MIGRATIONS_DIR``: the three fix migrations, applied in name order after the base.
- ``SQLITE_*``: the same for SQLite (the zero-setup demo target), see ``build.py``.
- ``BACKEND_DIR``: a small Next.js-style code tree whose endpoints touch these models, and
  ``EXPECTED_ENDPOINTS_PATH`` (endpoints.json): its endpoints, models and expected verdicts.

This package holds data and pure-Python helpers only; it imports nothing from Django.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parent
README_PATH = SEED_DIR / "README.md"

SCHEMA_PATH = SEED_DIR / "schema.prisma"
# The schema before the incident: the "Previous" side of the seed's API update guide.
PRE_INCIDENT_SCHEMA_PATH = SEED_DIR / "pre_incident" / "schema.prisma"
BASE_MIGRATIONS_DIR = SEED_DIR / "migrations"
FIX_MIGRATIONS_DIR = SEED_DIR / "fix_migrations"

SQLITE_DIR = SEED_DIR / "sqlite"
SQLITE_SCHEMA_PATH = SQLITE_DIR / "schema.prisma"
SQLITE_PRE_INCIDENT_SCHEMA_PATH = SEED_DIR / "sqlite_pre_incident" / "schema.prisma"
SQLITE_BASE_MIGRATIONS_DIR = SQLITE_DIR / "migrations"
SQLITE_FIX_MIGRATIONS_DIR = SQLITE_DIR / "fix_migrations"

BACKEND_DIR = SEED_DIR / "backend"
# What the endpoint scanner should find in BACKEND_DIR and the verdicts before and after the fixes.
EXPECTED_ENDPOINTS_PATH = SEED_DIR / "endpoints.json"

FIX_USER_COLUMNS = "20260212132000_add_missing_user_columns"
FIX_MISSING_TABLES = "20260212133000_create_missing_tables"
FIX_SUPPLIER_PROFILE_COLUMNS = "20260212134000_add_supplierprofile_columns"
FIX_MIGRATION_NAMES = (FIX_USER_COLUMNS, FIX_MISSING_TABLES, FIX_SUPPLIER_PROFILE_COLUMNS)

# What the post-reset database lacks, exactly as the seed lists it.
MISSING_USER_COLUMNS = (
    "username",
    "verificationCode",
    "verificationExpiry",
    "resetToken",
    "resetTokenExpiry",
    "isGoogleAuth",
    "hasCompletedOnboarding",
    "hasPassword",
    "googleId",
)
MISSING_SUPPLIER_PROFILE_COLUMNS = (
    "website",
    "instagram",
    "facebook",
    "twitter",
    "whatsapp",
    "tiktok",
    "businessHours",
    "tagline",
    "coverImage",
    "logo",
    "metaDescription",
    "keywords",
)
MISSING_TABLES = (
    "ContactSubmission",
    "UserAddress",
    "OrderServiceLink",
    "Review",
    "TradeIn",
    "TradeInInterest",
    "TradeInOffer",
    "TradeInOfferRevision",
    "Conversation",
    "ConversationParticipant",
    "Message",
    "MechanicReview",
    "Payment",
    "PaymentMethod",
    "KYC",
    "Wallet",
    "WalletTransaction",
    "Withdrawal",
    "OrderTracking",
    "TrackingUpdate",
)
# The tables the 16 base migrations create (the post-reset database).
CORE_TABLES = (
    "User",
    "Account",
    "Session",
    "SupplierProfile",
    "Product",
    "MechanicProfile",
    "Booking",
    "LogisticsProfile",
    "Order",
)
ALL_TABLES = CORE_TABLES + MISSING_TABLES


def migration_folders(root: Path) -> list[Path]:
    """The migration folders under ``root`` in the order Prisma applies them (by name)."""
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "migration.sql").is_file())


def base_migration_folders(dialect: str = "postgresql") -> list[Path]:
    """The 16 base migrations for ``dialect`` ("postgresql" or "sqlite"), in order."""
    root = BASE_MIGRATIONS_DIR if dialect == "postgresql" else SQLITE_BASE_MIGRATIONS_DIR
    return migration_folders(root)


def fix_migration_folders(dialect: str = "postgresql") -> list[Path]:
    """The three fix migrations for ``dialect``, in order."""
    root = FIX_MIGRATIONS_DIR if dialect == "postgresql" else SQLITE_FIX_MIGRATIONS_DIR
    return migration_folders(root)


def expected_endpoints() -> list[dict[str, Any]]:
    """The endpoints of ``BACKEND_DIR`` with their models and verdicts (see endpoints.json)."""
    document = json.loads(EXPECTED_ENDPOINTS_PATH.read_text(encoding="utf-8"))
    endpoints: list[dict[str, Any]] = document["endpoints"]
    return endpoints
