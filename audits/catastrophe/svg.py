"""The vital-signs chart: rows and tables over a target's last audits, detections marked.
Server-rendered SVG, like the trend strip (audits/core/svg.py); no chart library."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

STEP = 14  # pixels between two audits
HEIGHT = 90
TOP, BOTTOM = 8, 16  # room for the marks and the axis words


def vital_signs_chart(points: list[dict[str, Any]], slots: int = 30) -> SafeString:
    """Two lines over the last ``slots`` audits, oldest on the left: the rows of the user
    tables (filled) and the number of tables (dashed), each scaled to its own maximum. An
    audit whose vital signs showed a catastrophe is a red rule with a dot."""
    points = points[-slots:]
    width = max(slots - 1, 1) * STEP + 2 * STEP
    label = _summary(points)
    parts = [f'<svg class="vitals-chart" width="{width}" height="{HEIGHT}" '
             f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{escape(label)}">'
             f"<title>{escape(label)}</title>"]
    if not points:
        parts.append(f'<text x="0" y="{HEIGHT // 2}" class="vitals-empty">'
                     "no vital signs yet</text></svg>")
        return mark_safe("".join(parts))  # noqa: S308 — constant text
    offset = slots - len(points)
    plot = HEIGHT - TOP - BOTTOM
    most_rows = max(max(point["rows"] for point in points), 1)
    most_tables = max(max(point["tables"] for point in points), 1)

    def x(index: int) -> int:
        return STEP + (offset + index) * STEP

    def y(value: float, most: float) -> float:
        return round(TOP + plot - plot * value / most, 1)

    rows_line = " ".join(f"{x(i)},{y(p['rows'], most_rows)}" for i, p in enumerate(points))
    floor = TOP + plot
    parts.append(f'<path class="vitals-rows-area" d="M{x(0)},{floor} L{rows_line} '
                 f'L{x(len(points) - 1)},{floor} Z"/>')
    parts.append(f'<polyline class="vitals-rows" points="{rows_line}"/>')
    tables_line = " ".join(f"{x(i)},{y(p['tables'], most_tables)}" for i, p in enumerate(points))
    parts.append(f'<polyline class="vitals-tables" points="{tables_line}"/>')
    for index, point in enumerate(points):
        when = point["at"].strftime("%Y-%m-%d %H:%M") if hasattr(point["at"], "strftime") else ""
        tip = (f"{when} · audit #{int(point['run'])} · {int(point['rows']):,} rows in "
               f"{int(point['tables'])} tables" + (" · CATASTROPHE DETECTED"
                                                   if point["detected"] else ""))
        if point["detected"]:
            parts.append(f'<line class="vitals-detected" x1="{x(index)}" y1="{TOP}" '
                         f'x2="{x(index)}" y2="{floor}"/>')
        kind = "vitals-dot vitals-dot-detected" if point["detected"] else "vitals-dot"
        parts.append(f'<circle class="{kind}" cx="{x(index)}" '
                     f'cy="{y(point["rows"], most_rows)}" r="{4 if point["detected"] else 2.5}">'
                     f"<title>{escape(tip)}</title></circle>")
    parts.append(f'<text x="2" y="{HEIGHT - 3}" class="vitals-axis">rows (max '
                 f"{most_rows:,}) · tables (max {most_tables}, dashed)</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above


def _summary(points: list[dict[str, Any]]) -> str:
    if not points:
        return "no vital signs yet"
    last = points[-1]
    detected = sum(1 for point in points if point["detected"])
    return (f"vital signs of the last {len(points)} audits: now {int(last['rows']):,} rows in "
            f"{int(last['tables'])} tables; {detected} with a catastrophe detected")
