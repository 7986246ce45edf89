"""The detectors as pure functions: what each signature needs, and the lagging, resettable
statistics that must not look like a catastrophe."""

from __future__ import annotations

from dataclasses import replace

import pytest

from audits.engine.vitals import (
    Detection,
    MigrationsVitals,
    NamespaceVitals,
    SequenceVitals,
    TableVitals,
    Thresholds,
    VitalSigns,
    detect,
)
from audits.engine.vitals.detect import (
    DATABASE_RECREATED,
    MIGRATIONS_RESET,
    ROWS_COLLAPSED,
    SCHEMA_RECREATED,
    SEQUENCES_RESET,
    TABLES_RECREATED,
)


def table(name: str, oid: int, rows: int, **changes: object) -> TableVitals:
    """A table whose statistics know it: ``rows`` live rows, all inserted, analyzed once."""
    base = TableVitals(name=name, oid=oid, relfilenode=oid, reltuples=float(rows),
                       n_live_tup=rows, n_dead_tup=0, n_tup_ins=rows, n_tup_upd=0, n_tup_del=0,
                       maintenance_count=1)
    return replace(base, **changes)  # type: ignore[arg-type]


BEFORE = VitalSigns(
    dialect="postgresql", read_at="2026-02-12T09:00:00+00:00", database="app",
    database_oid=16384, namespaces=(NamespaceVitals("public", 2200),),
    tables=(table("User", 100, 5000), table("Order", 101, 8000), table("Product", 102, 3000),
            table("Tag", 103, 40), table("_prisma_migrations", 104, 16)),
    sequences=(SequenceVitals("Order", "id", sequence="Order_id_seq", last_value=8000),),
    migrations=(MigrationsVitals(oid=104, rows=16, oldest_started_at="2025-06-12T09:30:15+00:00",
                                 newest_started_at="2026-01-20T11:15:30+00:00"),),
)


def with_tables(*tables: TableVitals) -> VitalSigns:
    return replace(BEFORE, tables=tables)


def kinds(now: VitalSigns, before: VitalSigns = BEFORE, **limits: float) -> list[str]:
    return [d.kind for d in detect(before, now, Thresholds(**limits))]  # type: ignore[arg-type]


def test_nothing_changed_nothing_fires() -> None:
    assert detect(BEFORE, BEFORE) == ()


def test_growth_updates_and_maintenance_fire_nothing() -> None:
    now = with_tables(
        table("User", 100, 5600, n_tup_ins=5600, n_tup_upd=900, maintenance_count=3),
        table("Order", 101, 7990, n_tup_del=10), table("Product", 102, 3000, relfilenode=999),
        table("Tag", 103, 40), table("_prisma_migrations", 104, 17))
    now = replace(now, sequences=(replace(BEFORE.sequences[0], last_value=8600),),
                  migrations=(replace(BEFORE.migrations[0], rows=17,
                                      newest_started_at="2026-02-12T10:00:00+00:00"),))
    assert detect(BEFORE, now) == ()


def test_a_statistics_reset_is_no_loss() -> None:
    zeroed = {"n_live_tup": 0, "n_dead_tup": 0, "n_tup_ins": 0, "n_tup_del": 0,
              "maintenance_count": 0}
    now = with_tables(*(replace(t, **zeroed) for t in BEFORE.tables))  # type: ignore[arg-type]
    assert now.total_rows() == BEFORE.total_rows()  # the planner's estimates stand
    assert detect(BEFORE, now) == ()


def test_a_statistics_reset_then_a_few_writes_is_no_loss() -> None:
    now = with_tables(*(replace(t, n_live_tup=3, n_tup_ins=3, n_tup_del=0, maintenance_count=0)
                        for t in BEFORE.tables))
    assert detect(BEFORE, now) == ()


def test_an_unexplained_drop_with_no_estimate_claims_nothing() -> None:
    # a rewrite after a statistics reset: new storage, reltuples -1, counters zero
    now = with_tables(*(replace(t, reltuples=-1.0, n_live_tup=0, n_tup_ins=0, maintenance_count=0)
                        for t in BEFORE.tables))
    assert kinds(now) == []


def test_truncate_counts_as_a_loss_at_once() -> None:
    truncated = {"relfilenode": 5000, "reltuples": -1.0, "n_live_tup": 0}
    now = with_tables(replace(BEFORE.tables[0], **truncated),  # type: ignore[arg-type]
                      replace(BEFORE.tables[1], **truncated),  # type: ignore[arg-type]
                      *BEFORE.tables[2:])
    found = detect(BEFORE, now)
    assert [d.kind for d in found] == [ROWS_COLLAPSED]
    assert found[0].title == "81% of the rows are gone"
    assert found[0].explanation.startswith(
        "The 3 tables that held at least 100 rows had about 16,000 rows at the last healthy "
        "audit and have about 3,000 now: 81% gone, 2 of them empty. Largest losses: "
        "Order 8,000 → 0, User 5,000 → 0.")


def test_deletes_count_as_a_loss_when_the_delete_counter_explains_them() -> None:
    now = with_tables(table("User", 100, 0, n_tup_del=5000), table("Order", 101, 0, n_tup_del=8000),
                      *BEFORE.tables[2:])
    assert kinds(now) == [ROWS_COLLAPSED]
    # the same drop without deletes, storage change or recount: the estimate (unchanged) stands
    unexplained = with_tables(table("User", 100, 0, reltuples=5000.0),
                              table("Order", 101, 0, reltuples=8000.0), *BEFORE.tables[2:])
    assert kinds(unexplained) == []
    # after a recount (ANALYZE) the drop is believed
    recounted = with_tables(table("User", 100, 0, reltuples=0.0, maintenance_count=2),
                            table("Order", 101, 0, reltuples=0.0, maintenance_count=2),
                            *BEFORE.tables[2:])
    assert kinds(recounted) == [ROWS_COLLAPSED]


def test_small_tables_and_small_databases_are_left_out() -> None:
    small = VitalSigns(dialect="postgresql", tables=(table("A", 1, 90), table("B", 2, 900)))
    emptied = VitalSigns(dialect="postgresql",
                         tables=(table("A", 1, 0, n_tup_del=90), table("B", 2, 0, n_tup_del=900)))
    assert kinds(emptied, small) == []  # B alone held 900 rows < 1,000
    assert kinds(emptied, small, rows_total_minimum=900) == [ROWS_COLLAPSED]


def test_most_tables_recreated() -> None:
    now = with_tables(table("User", 200, 5000), table("Order", 201, 8000),
                      table("Product", 202, 3000), table("Tag", 103, 40),
                      table("_prisma_migrations", 104, 16))
    found = detect(BEFORE, now)
    assert [d.kind for d in found] == [TABLES_RECREATED]
    assert found[0].title == "3 of 4 tables were dropped and created again"
    assert [(f.label, f.before, f.after) for f in found[0].figures] == [
        ("tables", 4, 4), ("tables recreated (new OID)", 0, 3), ("tables dropped", 0, 0)]
    assert kinds(now, tables_recreated_fraction=0.8) == []


def test_tables_dropped_and_recreated_at_once() -> None:
    now = with_tables(table("User", 200, 5000), table("Tag", 103, 40),
                      table("_prisma_migrations", 104, 16))
    found = detect(BEFORE, now)
    assert [d.kind for d in found] == [TABLES_RECREATED, ROWS_COLLAPSED]
    assert found[0].title == "3 of 4 tables were dropped or recreated at once"


def test_a_renamed_table_is_the_same_table() -> None:
    now = with_tables(replace(BEFORE.tables[0], name="Customer"), *BEFORE.tables[1:])
    assert detect(BEFORE, now) == ()


def test_schema_and_database_identities() -> None:
    assert kinds(replace(BEFORE, namespaces=(NamespaceVitals("public", 99999),))) == [
        SCHEMA_RECREATED]
    dropped = detect(BEFORE, replace(BEFORE, namespaces=()))
    assert [d.title for d in dropped] == ['Schema "public" was dropped']
    assert kinds(replace(BEFORE, database_oid=20000)) == [DATABASE_RECREATED]
    # another database altogether (the target's URL changed): not a recreation
    assert kinds(replace(BEFORE, database="other", database_oid=20000)) == []


def test_sequences_that_go_back() -> None:
    back = replace(BEFORE, sequences=(replace(BEFORE.sequences[0], last_value=12),))
    found = detect(BEFORE, back)
    assert [d.kind for d in found] == [SEQUENCES_RESET]
    assert found[0].title == "1 id sequence went back"
    assert [(f.before, f.after) for f in found[0].figures] == [(8000, 12)]
    assert kinds(back, sequence_minimum=9000) == []
    unreadable = replace(BEFORE, sequences=(replace(BEFORE.sequences[0], last_value=None,
                                                    readable=False),))
    assert kinds(unreadable) == []


@pytest.mark.parametrize(("migrations", "title"), [
    ((), "_prisma_migrations was dropped"),
    ((MigrationsVitals(oid=300, rows=16, oldest_started_at="2026-02-12T09:40:00+00:00"),),
     "_prisma_migrations was dropped and created again"),
    ((MigrationsVitals(oid=104, rows=0),), "_prisma_migrations was emptied"),
    ((MigrationsVitals(oid=104, rows=16, oldest_started_at="2026-02-12T09:40:00+00:00"),),
     "_prisma_migrations was written again from scratch"),
])
def test_prisma_migrations_starting_over(migrations: tuple[MigrationsVitals, ...],
                                         title: str) -> None:
    found = detect(BEFORE, replace(BEFORE, migrations=migrations))
    assert [(d.kind, d.title) for d in found] == [(MIGRATIONS_RESET, title)]


def test_prisma_migrations_unreadable_or_trimmed_says_nothing() -> None:
    unreadable = (MigrationsVitals(oid=104, problem="permission denied"),)
    assert kinds(replace(BEFORE, migrations=unreadable)) == []
    trimmed = (replace(BEFORE.migrations[0], rows=15),)  # a failed migration's row deleted
    assert kinds(replace(BEFORE, migrations=trimmed)) == []


def test_other_dialects_are_not_compared() -> None:
    assert detect(BEFORE, VitalSigns(dialect="sqlite")) == ()


def test_thresholds_round_trip_and_say_what_is_wrong() -> None:
    limits = Thresholds(rows_gone_fraction=0.3, sequence_minimum=10)
    assert Thresholds.from_plain(limits.to_plain()) == limits
    assert Thresholds.from_plain({"rows_gone_fraction": 0.3, "unknown": 1}) == Thresholds(
        rows_gone_fraction=0.3)
    assert Thresholds.from_plain(None) == Thresholds()
    assert Thresholds().problems() == []
    assert Thresholds(rows_gone_fraction=0, rows_table_minimum=0).problems() == [
        "rows_gone_fraction must be a fraction above 0 and at most 1, not 0",
        "rows_table_minimum must be a whole number of at least 1, not 0",
    ]


def test_detections_round_trip() -> None:
    for detection in detect(BEFORE, with_tables(table("User", 200, 0))):
        assert Detection.from_plain(detection.to_plain()) == detection


def test_vital_signs_round_trip() -> None:
    assert VitalSigns.from_json(BEFORE.to_json()) == BEFORE
