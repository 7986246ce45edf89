"""The post-mortem: Markdown download and printable page, and the section registry."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from recovery import demo
from recovery.postmortem import Section, build_markdown, register_section, unregister_section

pytestmark = pytest.mark.django_db


def md_url(incident) -> str:
    return reverse("recovery:postmortem_markdown", args=[incident.slug])


@pytest.mark.parametrize("role", ["backend_client", "mobile_client"])
def test_markdown_download_has_commits_migrations_and_checksums(
    role, demo_incident, request
) -> None:
    client: Client = request.getfixturevalue(role)
    response = client.get(md_url(demo_incident))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="prisma-migrate-reset-production-postmortem.md"'
    )
    text = response.content.decode()
    for sha, _, _, message in demo.COMMITS:
        assert f"| `{sha}` | {message} |" in text
    migrations = list(demo_incident.migrations.select_related("commit"))
    assert [m.name for m in migrations] == [name for name, _ in demo.MIGRATIONS]
    for number, migration in enumerate(migrations, start=1):
        assert f"### Migration {number}: {migration.name}" in text
        assert f"`prisma/migrations/{migration.name}/migration.sql`" in text
        checksum = hashlib.sha256(migration.sql.encode()).hexdigest()
        assert f"**Checksum**: `{checksum}`" in text
        assert (f"| `{migration.name}` | `{migration.commit.short_sha}` | "
                f"{migration.line_count} | `{checksum}` |") in text
        # Recovery alone: the script is not there, and the document says so.
        assert f"```sql\n{migration.sql.rstrip()}\n```" in text
        assert migration.sql == demo.SQL_NOT_AVAILABLE


def test_markdown_follows_the_seed_shape(demo_incident) -> None:
    text = build_markdown(demo_incident)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:6] == [
        "## Executive summary",
        "## Impact and data loss",
        "## Incident timeline",
        "## Commits",
        "## Migrations",
        "## Action items",
    ]
    for phase in (demo.PHASE_1, demo.PHASE_2, demo.PHASE_3, demo.PHASE_4, demo.PHASE_5):
        assert f"### {phase}" in text
    assert "- [ ] Full schema audit against all models (owner: backend team)" in text
    assert "| `User` | — | 0 | yes |" in text


@pytest.mark.parametrize("role", ["backend_client", "mobile_client"])
def test_printable_page_renders_the_document(role, demo_incident, request) -> None:
    client: Client = request.getfixturevalue(role)
    url = reverse("recovery:postmortem", args=[demo_incident.slug])
    html = client.get(url).content.decode()
    assert '<article class="card postmortem prose">' in html
    assert "<h2>Migrations</h2>" in html
    assert html.count('<code class="language-sql">-- SQL not available') == 3
    assert "@media print" not in html  # print rules live in the stylesheet
    assert "window.print()" in html


def test_registered_section_is_appended_and_can_be_skipped(incident) -> None:
    def drift(inc):
        return Section("Drift state of the targets", f"All ok for {inc.slug}.")

    def nothing(inc):
        return None

    register_section(drift)
    register_section(drift)  # twice is harmless
    register_section(nothing)
    try:
        text = build_markdown(incident)
    finally:
        unregister_section(drift)
        unregister_section(nothing)
    assert text.count("## Drift state of the targets") == 1
    assert "All ok for orders-table-dropped." in text
    assert "## Drift state of the targets" not in build_markdown(incident)


def test_markdown_injection_in_postmortem_page_is_inert(
    backend_client: Client, incident, backend_user
) -> None:
    from recovery import services

    services.log_step(incident, body="<img src=x onerror=alert(1)>", author=backend_user)
    url = reverse("recovery:postmortem", args=[incident.slug])
    html = backend_client.get(url).content.decode()
    assert "onerror" not in html


def test_failing_section_does_not_break_the_export(incident, caplog) -> None:
    def broken(inc):
        raise RuntimeError("audits database unreachable")

    register_section(broken)
    try:
        text = build_markdown(incident)
    finally:
        unregister_section(broken)
    assert "## Unavailable: test_failing_section_does_not_break_the_export.<locals>.broken" in text
    assert "## Commits" in text
    assert "audits database unreachable" in caplog.text


def test_document_ends_with_lessons_and_the_sql_appendix(demo_incident) -> None:
    text = build_markdown(demo_incident)
    headings = [line for line in text.splitlines() if line.startswith(("# ", "## "))]
    assert headings == [
        "# Post-mortem: Production database wiped by prisma migrate reset --force",
        "## Executive summary",
        "## Impact and data loss",
        "## Incident timeline",
        "## Commits",
        "## Migrations",
        "## Action items",
        "## Lessons learned",
        "## Appendix: migration SQL",
    ]
    lessons = text.split("## Lessons learned\n\n")[1]
    assert lessons.startswith(demo.LESSONS_LEARNED)
    # No SQL before the appendix: the story stays short.
    assert "```sql" not in text.split("## Appendix: migration SQL")[0]


def test_lessons_learned_are_edited_by_the_backend_team(incident, backend_client) -> None:
    url = reverse("recovery:incident_edit", args=[incident.slug])
    response = backend_client.post(url, {"title": incident.title, "commander": "Ada",
                                         "summary": incident.summary,
                                         "lessons_learned": "Guard production URLs."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.lessons_learned == "Guard production URLs."
    assert "## Lessons learned\n\nGuard production URLs.\n" in build_markdown(incident)
    assert incident.entries.last().body == "Incident details edited: lessons learned"


def test_printable_page_is_short_with_one_h1_and_real_checkboxes(demo_incident, backend_client,
                                                                 backend_user) -> None:
    from recovery import services

    services.toggle_action_item(demo_incident.action_items.first(), author=backend_user)
    url = reverse("recovery:postmortem", args=[demo_incident.slug])
    html = backend_client.get(url).content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Post-mortem: Production database wiped by prisma migrate reset --force</h1>" in html
    assert "[ ]" not in html and "[x]" not in html
    assert html.count('<li class="task"><input type="checkbox" disabled aria-label="open"> ') == 4
    assert html.count('<li class="task"><input type="checkbox" disabled checked '
                      'aria-label="done"> Full schema audit') == 1
    article = html.split('<article class="card postmortem prose">')[1]
    before_appendix = article.split('<section class="postmortem-appendix" id="appendix">')[0]
    assert "<pre>" not in before_appendix
    assert article.count("<details><summary>Migration ") == 3
    assert "<h2>Lessons learned</h2>" in article
