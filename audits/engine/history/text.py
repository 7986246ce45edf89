"""A history report as plain text for terminals and CI logs."""

from __future__ import annotations

from audits.engine.history.check import HistoryReport


def report_to_text(report: HistoryReport) -> str:
    table = "present" if report.table_present else "ABSENT (never migrated, or reset)"
    lines = [f"_prisma_migrations: {table}"]
    if report.in_flight:
        lines.append("A migration is in flight: Prisma's advisory lock 72707369 is held.")
    if report.recreated:
        lines.append("_prisma_migrations was recreated since the previous reading (a reset?).")
    if report.replay_error:
        lines.append(f"The history does not replay on an empty database: {report.replay_error}")
    counts = ", ".join(f"{n} {state}" for state, n in sorted(report.state_counts().items()))
    lines.append(f"Migrations: {len(report.migrations)} ({counts or 'none'})")
    for status in report.migrations:
        when = status.finished_at.isoformat() if status.finished_at else "-"
        lines.append(f"  {status.state.value:<15} {status.name}  {when}")
        if status.logs and status.state.value == "failed":
            lines.append(f"      logs: {' '.join(status.logs.split())[:300]}")
        for obj in status.absent_objects:
            lines.append(f"      absent: {obj} (this migration created it; it is gone)")
    lines.append(f"Three-way differences: {len(report.three_way)}")
    for row in report.three_way:
        where = f" ({row.migration})" if row.migration else ""
        lines.append(f"  {row.verdict:<26} {row.kind:<12} {row.object}{where}")
    if report.fix_sql:
        lines.append("")
        lines.append("-- The migration to write for the write_migration rows:")
        lines.append(report.fix_sql.rstrip("\n"))
    return "\n".join(lines) + "\n"


__all__ = ["report_to_text"]
