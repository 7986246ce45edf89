"""Vital signs to feed the catastrophe watch without a target database."""

from __future__ import annotations

from dataclasses import replace

from audits.core.models import AuditRun, Target
from audits.engine import model as m
from audits.engine.vitals import MigrationsVitals, NamespaceVitals, TableVitals, VitalSigns
from audits.targets import services

HEALTHY = VitalSigns(
    dialect="postgresql", read_at="2026-02-12T09:00:00+00:00", database="shop", database_oid=1,
    namespaces=(NamespaceVitals("public", 2200),),
    tables=tuple(TableVitals(name=name, oid=100 + n, relfilenode=100 + n, reltuples=5000.0,
                             n_live_tup=5000, n_tup_ins=5000, maintenance_count=1)
                 for n, name in enumerate(("User", "Order", "Product"))),
    migrations=(MigrationsVitals(oid=99, rows=16, oldest_started_at="2025-06-12T09:30:15+00:00",
                                 newest_started_at="2026-01-20T11:15:30+00:00"),),
)
# after `migrate reset --force`: a new schema, new empty tables, a new history
WIPED = replace(
    HEALTHY, namespaces=(NamespaceVitals("public", 9000),),
    tables=tuple(TableVitals(name=t.name, oid=t.oid + 9000 if t.oid else None,  # type: ignore[operator]
                             relfilenode=(t.oid or 0) + 9000, reltuples=-1.0, n_live_tup=0)
                 for t in HEALTHY.tables),
    migrations=(MigrationsVitals(oid=9099, rows=16,
                                 oldest_started_at="2026-02-12T09:40:00+00:00",
                                 newest_started_at="2026-02-12T09:40:03+00:00"),),
)


def audit_with(target: Target, vitals: VitalSigns | None) -> AuditRun:
    """Queue, claim and store a run whose audit read ``vitals``, as a worker would."""
    run = services.request_audit(target, enqueue=False)
    assert services.claim_run(run.pk)
    run.refresh_from_db()
    schema = m.Schema(dialect="postgresql", tables=(m.Table(name="User"),))
    saved = services.save_result(run, expected=schema, actual=schema,
                                 report=m.Report(dialect="postgresql"), vitals=vitals)
    assert saved is not None
    return saved
