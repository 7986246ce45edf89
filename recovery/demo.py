"""Demo data: the seed's incident (a production database wiped by `prisma migrate reset
--force`, 2026-02-12) and users for both roles.

Everything is keyed on natural keys with get_or_create, so loading twice changes nothing.
The rows are fixture data written as they stood in the seed document, not a live session, so
they are written directly rather than through the services (which would stamp "now" times and
add their own timeline entries).

Other apps extend the demo without recovery importing them:

    from recovery.demo import register_demo_loader

    @register_demo_loader
    def load_targets(incident):   # called after the seed incident exists, with it
        ...

The fix migrations are logged here without their SQL (SQL_NOT_AVAILABLE): the scripts live in
one place, the audits app's seed, and its loader fills them in with fill_demo_migration_sql.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.db import transaction

from config.roles import BACKEND_GROUP, MOBILE_GROUP

from .models import (
    ActionItem,
    Commit,
    DataLoss,
    EntryKind,
    Incident,
    Migration,
    Severity,
    Status,
    TimelineEntry,
)

DemoLoader = Callable[[Incident], object]
_loaders: list[DemoLoader] = []

DEMO_SLUG = "prisma-migrate-reset-production"
UTC = ZoneInfo("UTC")
DEMO_USERS = [
    ("backend", "driftwatch-backend", BACKEND_GROUP, False),
    ("mobile", "driftwatch-mobile", MOBILE_GROUP, False),
    ("admin", "driftwatch-admin", None, True),
]


def register_demo_loader(loader: DemoLoader) -> DemoLoader:
    if loader not in _loaders:
        _loaders.append(loader)
    return loader


def demo_loaders() -> list[DemoLoader]:
    return list(_loaders)


def at(hh_mm: str) -> datetime:
    """A time on the incident's day, 2026-02-12, in UTC."""
    hour, minute, *rest = (int(x) for x in hh_mm.split(":"))
    return datetime(2026, 2, 12, hour, minute, rest[0] if rest else 0, tzinfo=UTC)


PHASE_1 = "Phase 1: Initial Destruction"
PHASE_2 = "Phase 2: TypeScript Error Cascade"
PHASE_3 = "Phase 3: Google Authentication Failure"
PHASE_4 = "Phase 4: Comprehensive Table Missing Discovery"
PHASE_5 = "Phase 5: SupplierProfile Marketing Columns"

SUMMARY = """\
An agent ran `prisma migrate reset --force` against the **production** database, which wiped
all data and structure. A fresh Neon database was rebuilt from 16 base migrations only, and the
code then failed endpoint after endpoint against the incomplete schema.

Recovery so far: database structure recovered from the 16 base migrations, 150+ TypeScript
errors fixed, 3 sync migrations written by hand (9 User columns, 20 missing tables, 12
SupplierProfile columns), committed and pushed to origin main. **Their deploy to production is
pending**: until it runs, production still lacks those columns, tables and enums, and the
endpoints that use them fail. Driftwatch audits production against `schema.prisma` to confirm
what the fixes must cover before the deploy and that nothing is left after it."""

IMPACT = """\
- Complete data loss: every table destroyed, then recreated empty.
- Roughly 8 months of development work affected.
- Google OAuth, email verification and password reset failed (`User.username` not found).
- Contact, reviews, trade-in, chat, payments, wallet and tracking endpoints fail with
  *table does not exist* until migration 2 is deployed.
- Supplier signup failed on production (Feb 12 13:38:55.80): *The column
  `SupplierProfile.website` does not exist in the current database*."""

ROOT_CAUSE = """\
`prisma migrate reset --force` was run against production. The migration history it was rebuilt
from was incomplete: the base migrations created only the core tables (User, SupplierProfile,
Product, ...) and none of the columns and tables added later without migrations, so
`schema.prisma` and the live database drifted apart."""

DATA_LOST = """\
- All previous user accounts and data
- All previous orders and system history
- All previous messages and conversations"""

DATA_RECOVERED = """\
- Database structure (tables, relationships), rebuilt from the schema
- All frontend/API code that references these tables
- All migrations to sync the schema with the database"""

TIMELINE: list[tuple[str, str, str, str]] = [
    # (time, phase, kind, body)
    ("08:55", PHASE_1, EntryKind.ERROR,
     "Agent ran `prisma migrate reset --force` on the **production** database."),
    ("09:02", PHASE_1, EntryKind.FINDING,
     "Complete data loss: all tables destroyed."),
    ("09:40", PHASE_1, EntryKind.ACTION,
     "Fresh Neon database created with the 16 base migrations only. Database exists but is "
     "severely incomplete."),
    ("10:05", PHASE_2, EntryKind.FINDING,
     "Code references fields and tables that no longer exist: 45+ TypeScript compilation "
     "errors (Order.paymentStatus, suggestBanks(), TrackingEvent, MechanicBookingTracking)."),
    ("10:20", PHASE_2, EntryKind.ACTION,
     "Removed invalid `Order` field references in payment routes (`7baa291`)."),
    ("11:15", PHASE_2, EntryKind.ACTION,
     "Live tracking moved to the `OrderTracking` schema (`964aaca`); TrackingEvent → "
     "TrackingUpdate in scripts (`fe0f046`)."),
    ("12:30", PHASE_2, EntryKind.DEPLOY,
     "TypeScript build green again after `fdfb306` (MechanicBookingTracking removed from the "
     "notification service)."),
    ("13:05", PHASE_3, EntryKind.ERROR,
     "Google sign-in fails: `SELECT query attempted to include a column User.username not "
     "found in database`."),
    ("13:10", PHASE_3, EntryKind.FINDING,
     "The User migration never included the authentication columns: username, "
     "verificationCode, verificationExpiry, resetToken, resetTokenExpiry, isGoogleAuth, "
     "hasCompletedOnboarding, hasPassword, googleId."),
    ("13:20", PHASE_3, EntryKind.ACTION,
     "Migration `20260212132000_add_missing_user_columns` written and committed (`3523b29`): "
     "9 User columns. Not deployed yet."),
    ("13:24", PHASE_4, EntryKind.ERROR,
     "Multiple endpoints fail with *table does not exist* (contact, reviews, trade-in, chat, "
     "payments, wallet, tracking)."),
    ("13:26", PHASE_4, EntryKind.FINDING,
     "Base migrations created only the core tables; 20 tables are missing entirely."),
    ("13:27", PHASE_4, EntryKind.DECISION,
     "Write one comprehensive migration for all missing tables with their relationships, "
     "constraints and indexes rather than one per endpoint."),
    ("13:30", PHASE_4, EntryKind.ACTION,
     "Migration `20260212133000_create_missing_tables` written and committed (`a6c853a`): "
     "397 lines, 20 tables and the enums they use. Not deployed yet."),
    ("13:38:55", PHASE_5, EntryKind.ERROR,
     "Supplier signup on production: `The column SupplierProfile.website does not exist in "
     "the current database`."),
    ("13:39", PHASE_5, EntryKind.FINDING,
     "SupplierProfile was created without its 12 optional marketing/social columns."),
    ("13:40", PHASE_5, EntryKind.ACTION,
     "Migration `20260212134000_add_supplierprofile_columns` written and committed "
     "(`b1d20da`); all three fix migrations pushed to origin main."),
    ("13:45", PHASE_5, EntryKind.DECISION,
     "Deploy the three fix migrations to production together, in name order, once "
     "Driftwatch's audit of production confirms they cover every missing column, table and "
     "enum; audit again right after the deploy."),
]

STATUS_TIMES = {
    Status.DECLARED: at("09:00"),
    Status.INVESTIGATING: at("10:00"),
    Status.RECOVERING: at("13:15"),
}

COMMITS: list[tuple[str, str, str, str]] = [
    # (sha, time, phase, message)
    ("7baa291", "10:20", PHASE_2, "Remove invalid Order field references in payment routes"),
    ("66b25fc", "10:45", PHASE_2, "Fix search price filter type safety"),
    ("964aaca", "11:15", PHASE_2, "Update live tracking to use OrderTracking schema"),
    ("1118ca6", "11:35", PHASE_2, "Remove invalid suggestBanks argument"),
    ("e65a5fe", "11:55", PHASE_2, "Remove non-existent Withdrawal.accountName field"),
    ("fe0f046", "12:10", PHASE_2, "Update delete-user script to use TrackingUpdate"),
    ("fdfb306", "12:25", PHASE_2,
     "Remove MechanicBookingTracking code from notification service"),
    ("c942af2", "13:12", PHASE_3,
     "Fix Google authentication: User.username not found in database"),
    ("3523b29", "13:20", PHASE_3, "Add migration for 9 missing User columns"),
    ("a6c853a", "13:30", PHASE_4, "Add migration creating all missing base tables"),
    ("b1d20da", "13:40", PHASE_5, "Add migration for 12 missing SupplierProfile columns"),
]

# The fix migrations the team logged, with the commit that added each. Their SQL is not kept
# here, so there is no second copy to drift: the scripts are the audits app's fixture files
# (audits/seed/fix_migrations/). Each row is logged with SQL_NOT_AVAILABLE, and the app that
# holds the scripts fills them in with fill_demo_migration_sql from its demo loader.
MIGRATIONS: list[tuple[str, str]] = [
    # (name, sha)
    ("20260212132000_add_missing_user_columns", "3523b29"),
    ("20260212133000_create_missing_tables", "a6c853a"),
    ("20260212134000_add_supplierprofile_columns", "b1d20da"),
]

# A comment, not an empty string: a migration needs SQL (Migration.clean), and the incident
# page and the post-mortem then say plainly that the script is missing rather than show nothing.
SQL_NOT_AVAILABLE = (
    "-- SQL not available: the demo logs this migration without its script, and no installed\n"
    "-- app's demo loader provided it.\n"
)

LOSSES = [
    # (table, how restored)
    ("User", "Table rebuilt empty from the base migrations; its 9 missing columns come with "
             "migration 1."),
    ("SupplierProfile", "Table rebuilt empty; its 12 missing columns come with migration 3."),
    ("Order", "Table rebuilt empty from the base migrations."),
    ("Booking", "Table rebuilt empty from the base migrations."),
    ("Conversation", "Table missing until migration 2 creates it, empty."),
    ("Message", "Table missing until migration 2 creates it, empty."),
]

ACTION_ITEMS = [
    "Full schema audit against all models",
    "Product: verify SEO/marketing fields exist",
    "MechanicProfile/LogisticsProfile: verify certification, rating, vehicle and capacity fields",
    "Order: verify all status/tracking fields exist",
    "Booking: verify all date/time fields exist",
]


LESSONS_LEARNED = """\
- **Production credentials stay out of agent and developer shells.** `prisma migrate reset
  --force` asks no question when `--force` is given; only a production `DATABASE_URL` that is
  not there can stop it.
- **Every schema change is a migration.** Columns and tables added with `prisma db push` never
  reached the migration history, so rebuilding from that history produced an incomplete
  database.
- **Audit production against `schema.prisma` continuously**, not by waiting for endpoints to
  fail one after another: one audit would have listed all 41 missing columns and tables at
  09:40.
- **Backups with a tested restore** (point-in-time recovery) would have turned a total data loss
  into a restore."""


def load_users() -> dict[str, User]:
    users = {}
    for username, password, group_name, superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": superuser, "is_superuser": superuser}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if group_name:
            group, _ = Group.objects.get_or_create(name=group_name)
            user.groups.add(group)
        users[username] = user
    return users


@transaction.atomic
def load_seed_incident() -> Incident:
    users = load_users()
    backend = users["backend"]
    incident, _ = Incident.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "title": "Production database wiped by prisma migrate reset --force",
            "severity": Severity.SEV1,
            "commander": "Backend lead (on call)",
            "summary": SUMMARY,
            "impact": IMPACT,
            "root_cause": ROOT_CAUSE,
            "status": Status.RECOVERING,
            "data_lost_text": DATA_LOST,
            "data_recovered_text": DATA_RECOVERED,
            "lessons_learned": LESSONS_LEARNED,
            **{f"{status}_at": when for status, when in STATUS_TIMES.items()},
        },
    )
    _load_timeline(incident, backend)
    commits = _load_commits(incident, backend)
    _load_migrations(incident, commits)
    for table, how in LOSSES:
        DataLoss.objects.get_or_create(
            incident=incident, table_name=table,
            defaults={"rows_restored": 0, "how_restored": how, "unrecoverable": True},
        )
    for title in ACTION_ITEMS:
        ActionItem.objects.get_or_create(
            incident=incident, title=title, defaults={"owner": "backend team"}
        )
    return incident


def _load_timeline(incident: Incident, author: User) -> None:
    status_entries = [
        (when, "", EntryKind.STATUS_CHANGE, f"Status: **{Status(status).label}**")
        for status, when in STATUS_TIMES.items()
    ]
    rows = [(at(t), phase, kind, body) for t, phase, kind, body in TIMELINE] + status_entries
    for when, phase, kind, body in rows:
        TimelineEntry.objects.get_or_create(
            incident=incident, occurred_at=when, kind=kind, phase=phase or _phase_at(when),
            defaults={"body": body, "author": author},
        )


def _phase_at(when: datetime) -> str:
    """The seed phase running at `when`, for the status-change entries."""
    current = PHASE_1
    for t, phase, _, _ in TIMELINE:
        if at(t) <= when:
            current = phase
    return current


def _load_commits(incident: Incident, author: User) -> dict[str, Commit]:
    commits = {}
    for sha, t, phase, message in COMMITS:
        entry = TimelineEntry.objects.filter(incident=incident, occurred_at=at(t), phase=phase)
        commit, _ = Commit.objects.get_or_create(
            incident=incident, sha=sha,
            defaults={"message": message, "author": "backend team", "committed_at": at(t),
                      "timeline_entry": entry.first()},
        )
        commits[sha] = commit
    return commits


def _load_migrations(incident: Incident, commits: dict[str, Commit]) -> None:
    for name, sha in MIGRATIONS:
        Migration.objects.get_or_create(
            incident=incident, name=name,
            defaults={"sql": SQL_NOT_AVAILABLE, "commit": commits[sha]},
        )


@transaction.atomic
def fill_demo_migration_sql(incident: Incident, sql_by_name: Mapping[str, str]) -> list[str]:
    """Give the demo's migrations their scripts, for the app that holds them (audits' seed).

    Only the rows this module logs (MIGRATIONS) are touched, and only where the SQL differs,
    so a second `manage.py demo` writes nothing. The script is stored as given, byte for byte;
    Migration.save derives the checksum from it (prisma_checksum). No timeline entry: like the
    rest of the demo this is fixture data, not something the team did. Returns the names
    whose SQL changed.
    """
    names = {name for name, _ in MIGRATIONS} & set(sql_by_name)
    changed = []
    for migration in incident.migrations.filter(name__in=names).order_by("name"):
        sql = sql_by_name[migration.name]
        if migration.sql != sql:
            migration.sql = sql
            migration.save(update_fields=["sql", "checksum"])
            changed.append(migration.name)
    return changed
