from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args: object) -> str:
    """The URL `name` reverses to, or "" when no app serves it (yet): lets the incident page
    hold slots for the audits app's fragments without recovery depending on audits."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.inclusion_tag("partials/badge.html")
def badge(value: object, label: object = "") -> dict[str, object]:
    """A status/severity badge; the CSS class is the lower-cased value (ok, broken, sev1...)."""
    text = str(value)
    return {"value": text.lower().replace(" ", "_"), "label": label or text}
