"""The vital-signs chart, server-rendered SVG."""

from __future__ import annotations

from datetime import UTC, datetime

from audits.catastrophe.svg import vital_signs_chart

AT = datetime(2026, 2, 12, 9, 0, tzinfo=UTC)


def point(run: int, rows: int, tables: int, detected: bool = False) -> dict[str, object]:
    return {"run": run, "rows": rows, "tables": tables, "detected": detected, "at": AT}


def test_no_points() -> None:
    svg = str(vital_signs_chart([]))
    assert 'aria-label="no vital signs yet"' in svg and svg.endswith("</svg>")


def test_rows_tables_and_the_detection() -> None:
    svg = str(vital_signs_chart([point(1, 1000, 10), point(2, 1200, 10),
                                 point(3, 0, 10, detected=True)], slots=3))
    assert 'width="56"' in svg  # 2 steps between 3 audits, a step of room on each side
    assert '<polyline class="vitals-rows" points="14,8.0 28,8.0 42,74.0"/>' not in svg
    assert '<polyline class="vitals-rows" points="14,19.0 28,8.0 42,74.0"/>' in svg
    assert '<polyline class="vitals-tables" points="14,8.0 28,8.0 42,8.0"/>' in svg
    assert svg.count('<line class="vitals-detected" x1="42"') == 1
    assert "2026-02-12 09:00 · audit #3 · 0 rows in 10 tables · CATASTROPHE DETECTED" in svg
    assert ('aria-label="vital signs of the last 3 audits: now 0 rows in 10 tables; 1 with a '
            'catastrophe detected"') in svg


def test_only_the_last_slots_are_drawn() -> None:
    svg = str(vital_signs_chart([point(n, n, 1) for n in range(1, 41)], slots=30))
    assert "audit #11 " in svg and "audit #10 " not in svg
