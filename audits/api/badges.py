"""Shields-style SVG badges ("endpoints | 3 unsafe"), drawn by hand: no badge library.

Text width is estimated per character class (Verdana 11px as shields.io uses); a badge only
needs to be roughly right, and an estimate keeps it free of font files.
"""

from __future__ import annotations

from django.utils.html import escape

COLORS = {"safe": "#4c1", "degraded": "#dfb317", "unknown": "#9f9f9f", "unsafe": "#e05d44",
          "none": "#9f9f9f"}
LABEL_COLOR = "#555"
NARROW = set("fijlrt!|.,:;'I() ")
WIDE = set("mwMW@%")


def text_width(text: str) -> int:
    width = 0.0
    for char in text:
        width += 3.5 if char in NARROW else 10.0 if char in WIDE else \
            7.5 if char.isupper() else 6.5
    return int(width + 0.5)


def message_for(counts: dict[str, int]) -> tuple[str, str]:
    """The badge text and color for verdict counts: the worst verdict present wins."""
    total = sum(counts.values())
    if not total:
        return "not scanned", "none"
    for verdict in ("unsafe", "unknown", "degraded"):
        if counts.get(verdict):
            return f"{counts[verdict]} {verdict}", verdict
    return f"{total} safe", "safe"


def badge_svg(label: str, message: str, color_key: str) -> str:
    color = COLORS.get(color_key, COLORS["none"])
    left = text_width(label) + 10
    right = text_width(message) + 10
    width = left + right
    label_e, message_e = escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label_e}: {message_e}"><title>{label_e}: {message_e}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_COLOR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,'
        'sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="15" fill="#010101" fill-opacity=".3">{label_e}</text>'
        f'<text x="{left / 2:.1f}" y="14">{label_e}</text>'
        f'<text x="{left + right / 2:.1f}" y="15" fill="#010101" fill-opacity=".3">'
        f'{message_e}</text>'
        f'<text x="{left + right / 2:.1f}" y="14">{message_e}</text></g></svg>'
    )
