"""Server-rendered SVG: the trend strip of a target's last runs. No chart library."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_WIDTH = 6
GAP = 2
HEIGHT = 24
# Taller is worse, so a glance at the strip reads like a severity chart.
BAR_HEIGHT = {"ok": 6, "degraded": 12, "broken": 18, "missing": 24}


def _state(run: dict[str, Any]) -> str:
    return str(run["worst_status"] if run["status"] == "succeeded" else run["status"])


def _open(width: int, label: str) -> str:
    return (f'<svg class="trend" width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}"'
            f' role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>')


def _summary(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return "no audits yet"
    counts = Counter(_state(run) for run in runs)
    return f"last {len(runs)} audits: " + ", ".join(f"{n} {s}" for s, n in counts.most_common())


def trend_strip(runs: list[dict[str, Any]], slots: int = 30, detailed: bool = False) -> SafeString:
    """One bar per run, oldest on the left; failed runs are grey at full height.

    The compact form draws one <path> per state (a few hundred bytes, for lists of hundreds
    of targets); the detailed form has one <rect> per run with its own tooltip.
    """
    width = slots * (BAR_WIDTH + GAP) - GAP
    runs = runs[-slots:]
    parts = [_open(width, _summary(runs))]
    offset = slots - len(runs)
    paths: dict[str, list[str]] = defaultdict(list)
    # A faint tick per empty slot shows how much history the strip can hold.
    paths["empty"] = [f"M{i * (BAR_WIDTH + GAP)} {HEIGHT - 2}h{BAR_WIDTH}v2h-{BAR_WIDTH}z"
                      for i in range(offset)]
    for index, run in enumerate(runs):
        x = (offset + index) * (BAR_WIDTH + GAP)
        state = _state(run)
        height = BAR_HEIGHT.get(state, HEIGHT)
        if detailed:
            when = str(run.get("at", ""))[:16].replace("T", " ")
            parts.append(
                f'<rect class="bar bar-{escape(state)}" x="{x}" y="{HEIGHT - height}" '
                f'width="{BAR_WIDTH}" height="{height}" rx="1">'
                f"<title>{escape(when)} · audit #{int(run.get('n') or run['id'])} · "
                f"{escape(state)}</title></rect>"
            )
        else:
            paths[state].append(f"M{x} {HEIGHT - height}h{BAR_WIDTH}v{height}h-{BAR_WIDTH}z")
    for state, pieces in paths.items():
        if not pieces:
            continue
        parts.append(f'<path class="bar bar-{escape(state)}" d="{"".join(pieces)}"/>')
    if not runs:
        parts.append(f'<text x="0" y="{HEIGHT - 8}" class="trend-empty">no audits yet</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above
