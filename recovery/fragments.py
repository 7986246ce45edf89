"""HTML that costs much to render and seldom changes, kept under a digest of what it shows.

The key is a SHA-256 of exactly the data a fragment renders (and the time zone and language
it is rendered in), so a change to the data is a new key: nothing needs invalidating, and a
stale fragment cannot be served, whichever process or admin edit changed the rows. Each web
process keeps its own copies in Django's default cache (local memory, least recently used
first out); see CACHES in config/settings.py.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from .markdown import render_markdown
from .models import TimelineEntry

# Content-addressed entries never go stale; the timeout only bounds how long an unused one
# stays in memory when the cache is not full.
TIMEOUT = 24 * 3600


def digest(*parts: object) -> str:
    """SHA-256 of the parts and of the time zone and language they are rendered in."""
    sha = hashlib.sha256()
    for part in (timezone.get_current_timezone_name(), translation.get_language(), *parts):
        sha.update(str(part).encode("utf-8", "surrogatepass"))
        sha.update(b"\x1f")
    return sha.hexdigest()


def timeline_digest(entries: Iterable[TimelineEntry]) -> str:
    """What the incident page's timeline shows of each entry (author loaded with it)."""
    return digest(*(
        (entry.pk, entry.kind, entry.phase, entry.occurred_at.isoformat(),
         entry.logged_at.isoformat(), entry.edited_at.isoformat() if entry.edited_at else "",
         entry.author.get_username() if entry.author else "", entry.body)
        for entry in entries
    ))


def rows_digest(*rows: Model) -> str:
    """Every stored field of every row given: a fragment built from these rows alone is kept
    under it, so a change to any column of any of them, by any path, is a new key."""
    return digest(*((type(row).__name__, *(getattr(row, field.attname)
                                          for field in row._meta.concrete_fields))
                    for row in rows))


# Stands for the request's CSRF token in a kept fragment: the token differs per user and per
# request and must never be served to anyone else. Random per process, so no text a user
# writes into a page can name it.
CSRF_SLOT = f"csrf-{secrets.token_hex(16)}"
CSRF_FIELD = 'name="csrfmiddlewaretoken"'


def kept_fragment(key: str, render: Callable[[], str], csrf_token: Callable[[], str]) -> str:
    """The fragment rendered once for ``key`` and kept per process; a form's CSRF token is
    stored as a slot and filled in with this request's token each time it is served."""
    cache_key = f"recovery:fragment:{key}"
    html = cache.get(cache_key)
    if html is None:
        html = render()
        kept = html.replace(csrf_token(), CSRF_SLOT) if CSRF_FIELD in html else html
        cache.set(cache_key, kept, TIMEOUT)
        return html
    return html.replace(CSRF_SLOT, csrf_token()) if CSRF_SLOT in html else html


def markdown_html(text: str) -> SafeString:
    """render_markdown(text), rendered once per process for a given text."""
    key = f"recovery:markdown:{digest(text)}"
    html = cache.get(key)
    if html is None:
        html = str(render_markdown(text))
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - render_markdown sanitized it before it was stored
