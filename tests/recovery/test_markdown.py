"""Markdown bodies are rendered, then sanitized: script payloads come out inert."""

import pytest

from recovery.markdown import render_markdown


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", ["<script", "alert(1)"]),
        ('<img src="x" onerror="alert(1)">', ["onerror", "alert(1)"]),
        # Not a link at all (CommonMark refuses the scheme): the text stays, inert.
        ("[click](javascript:alert(1))", ["<a", "href"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
        ('<svg onload="alert(1)"></svg>', ["<svg", "onload"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe"]),
        ('<p style="background:url(javascript:alert(1))">x</p>', ["javascript:", "style="]),
    ],
)
def test_payloads_come_out_inert(source: str, forbidden: list[str]) -> None:
    html = render_markdown(source).lower()
    for needle in forbidden:
        assert needle not in html


def test_markdown_still_renders() -> None:
    html = render_markdown("**bold** and `code`\n\n- one\n- two\n\n[docs](https://prisma.io)")
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://prisma.io" rel="noopener noreferrer nofollow">docs</a>' in html


def test_fenced_sql_block() -> None:
    html = render_markdown('```sql\nALTER TABLE "User" ADD COLUMN "x" TEXT;\n```')
    assert "<pre><code" in html
    assert '<code class="language-sql">ALTER TABLE "User" ADD COLUMN "x" TEXT;' in html
