"""Server-rendered SVG: the trend strip of a target's last runs. No chart library."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_WIDTH = 6
GAP = 2
HEIGHT = 24
# Taller is worse, so a glance at the strip reads like a severity chart.
BAR_HEIGHT = {"ok": 6, "degraded": 12, "broken": 18, "missing": 24}


def trend_strip(runs: list[dict[str, Any]], slots: int = 30) -> SafeString:
    """One bar per run, oldest on the left; failed and unfinished runs have their own look."""
    width = slots * (BAR_WIDTH + GAP) - GAP
    parts = [
        f'<svg class="trend" width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" '
        f'role="img" aria-label="Last {len(runs)} audits">'
    ]
    offset = slots - len(runs)
    for index, run in enumerate(runs[-slots:]):
        x = (offset + index) * (BAR_WIDTH + GAP)
        state = run["worst_status"] if run["status"] == "succeeded" else run["status"]
        height = BAR_HEIGHT.get(state, HEIGHT)
        when = run["queued_at"].strftime("%Y-%m-%d %H:%M")
        parts.append(
            f'<rect class="bar bar-{escape(state)}" x="{x}" y="{HEIGHT - height}" '
            f'width="{BAR_WIDTH}" height="{height}" rx="1">'
            f"<title>{when} · run #{run['id']} · {escape(state)}</title></rect>"
        )
    if not runs:
        parts.append(f'<text x="0" y="{HEIGHT - 8}" class="trend-empty">no audits yet</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above
