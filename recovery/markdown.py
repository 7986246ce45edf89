"""Markdown for timeline bodies and incident texts: rendered once when written, then sanitized.

The renderer is markdown-it-py (CommonMark), whose time is linear in the input. Python-Markdown,
used before, rescans the rest of the paragraph for the closing bracket at every `[`
(`_findBracketEnds` in its link and reference processors), so a 24 KB step made of
`[1]: http://a/` and `[1]` repeated 8,000 times took 67 s, on every view of the incident.
Sizes are capped too (MARKDOWN_MAX_LENGTH per field), and pages show the HTML stored when the
text was written (`<field>_html` columns, see RenderedMarkdown) instead of rendering per view.

Markdown passes raw HTML through, so sanitizing after rendering is what makes a pasted
`<script>` or `<img onerror>` inert; nh3 also drops `javascript:` and other odd URL schemes.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import nh3
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# The most one Markdown field holds: a long post-mortem section fits, and rendering a field this
# size costs a few tens of milliseconds, once.
MARKDOWN_MAX_LENGTH = 20_000
validate_markdown_length = MaxLengthValidator(MARKDOWN_MAX_LENGTH)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"align", "style"},
    "td": {"align", "style"},
}

# CommonMark (fenced code, raw HTML for nh3 to clean) plus GitHub's tables and ~~strikethrough~~.
_renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def markdown_to_html(text: str) -> str:
    """Sanitized HTML for `text`: what the `<field>_html` columns store."""
    html = _renderer.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    ).strip()


def _source_mark(text: str) -> str:
    return f"<!--md:{hashlib.sha256((text or '').encode('utf-8', 'surrogatepass')).hexdigest()}-->"


def stored_html(text: str) -> str:
    """What a `<field>_html` column holds: the HTML, after a mark of the text it came from, so
    a row whose text was changed around save() (QuerySet.update, the admin's bulk actions, raw
    SQL) is noticed and rendered afresh instead of showing the old text."""
    return _source_mark(text) + markdown_to_html(text)


def render_markdown(text: str) -> SafeString:
    return mark_safe(markdown_to_html(text))  # noqa: S308 - nh3 has just sanitized it


class RenderedMarkdown:
    """`{{ entry.body_rendered }}`: the HTML stored for the Markdown field `source`.

    A row whose text changed around save() (QuerySet.update, raw SQL) has HTML marked with
    another text's digest, or none; it is then rendered here, which the size cap and the linear
    renderer keep cheap.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        text = getattr(instance, self.source)
        stored = getattr(instance, f"{self.source}_html")
        mark = _source_mark(text)
        html = stored[len(mark):] if stored.startswith(mark) else markdown_to_html(text)
        return mark_safe(html)  # noqa: S308 - markdown_to_html sanitized it


def render_markdown_fields(instance: Any, fields: tuple[str, ...],
                           update_fields: Any = None) -> Any:
    """Fill `<field>_html` for each Markdown field whose text changed since it was last
    rendered (or loaded); returns `update_fields` with the HTML columns it must now include."""
    rendered: dict[str, str] = instance.__dict__.setdefault("_markdown_rendered", {})
    for name in fields:
        text = getattr(instance, name)
        if rendered.get(name) == text and (getattr(instance, f"{name}_html") or not text):
            continue
        setattr(instance, f"{name}_html", stored_html(text))
        rendered[name] = text
    if update_fields is None:
        return None
    names = set(update_fields)
    return list(names | {f"{name}_html" for name in fields if name in names})


class StoresRenderedMarkdown(models.Model):
    """A model whose MARKDOWN_FIELDS each have a `<field>_html` column, filled on save() only
    when the text changed, so a page never renders Markdown."""

    MARKDOWN_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = render_markdown_fields(
            self, self.MARKDOWN_FIELDS, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance.__dict__["_markdown_rendered"] = {
            name: instance.__dict__[name] for name in cls.MARKDOWN_FIELDS
            if name in instance.__dict__
        }
        return instance
