from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from recovery.fragments import digest, kept_fragment

register = template.Library()


class KeepNode(template.Node):
    def __init__(self, nodelist: NodeList, name: str, vary_on: list[FilterExpression]) -> None:
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context: Context) -> SafeString:
        values = [value.resolve(context) for value in self.vary_on]
        if not values[0]:  # no content digest: a form with errors, say; never kept
            return self.nodelist.render(context)
        return mark_safe(kept_fragment(  # noqa: S308 - the template's own output
            digest(self.name, *values),
            lambda: self.nodelist.render(context),
            lambda: str(context.get("csrf_token", ""))))


@register.tag
def keep(parser: Parser, token: Token) -> KeepNode:
    """``{% keep "name" content_digest [other values it varies on] %}…{% endkeep %}``: the
    block rendered once per name and values, kept per process (recovery/fragments.py); like
    Django's ``{% cache %}``, but a form's CSRF token inside is this request's, not the one of
    whoever rendered the block first. An empty digest renders the block afresh."""
    bits: list[Any] = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("keep takes a name and a content digest")
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist, bits[1].strip("\"'"), [parser.compile_filter(b) for b in bits[2:]])


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
