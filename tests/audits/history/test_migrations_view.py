"""The migrations tab of a target: one row per migration, state filters (htmx), target facts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.engine.history import State
from audits.engine.history.folder import ChecksumMatch
from tests.audits.conftest import SECRET_DSN
from tests.audits.history.fixtures import error_run, history_report, history_run, migrations, status

pytestmark = pytest.mark.django_db
SECRET = "S3cr3t-Pa55w0rd"

EVERY_STATE = (
    status("20250101000000_init", minutes=0),
    status("20250102000000_edited", State.EDITED, minutes=1, match=ChecksumMatch.NONE),
    status("20250103000000_crlf", minutes=2, match=ChecksumMatch.LINE_ENDINGS),
    status("20250104000000_marked", State.MARKED_APPLIED, minutes=3,
           absent_objects=("Invoice",)),
    status("20250105000000_failed", State.FAILED, minutes=4,
           logs="Database error code: 42P07\nrelation \"Invoice\" already exists"),
    status("20250106000000_rolled", State.ROLLED_BACK, minutes=5),
    status("20250107000000_hotfix", State.UNKNOWN, minutes=6),
    status("20250108000000_next", State.PENDING),
)


def url(target) -> str:
    return reverse("audits:target_migrations", args=[target.slug])


def rows_of(html: str) -> list[tuple[str, str]]:
    """(name, state) of each migration row, in page order."""
    return re.findall(r'data-state="(\w+)">\s*<td data-label="Migration"><code class="hw-name">'
                      r'([^<]+)</code>', html)


@pytest.fixture
def every_state(make_target, finish_run):
    return history_run(make_target, finish_run, history_report(EVERY_STATE),
                       name="Shop", slug="shop")


@pytest.mark.parametrize("role", ["backend", "mobile"])
def test_one_row_per_migration_for_both_roles(role, request, every_state) -> None:
    target, run, _ = every_state
    response = request.getfixturevalue(role).get(url(target))
    assert response.status_code == 200
    html = response.content.decode()
    assert [(name, state) for state, name in rows_of(html)] == [
        (s.name, s.state.value) for s in EVERY_STATE]
    assert '<span class="badge badge-edited">edited since applied</span>' in html
    assert '<span class="badge badge-marked_applied">marked applied</span>' in html
    assert '<span class="badge badge-rolled_back">rolled back</span>' in html
    assert '<span class="badge badge-unknown">unknown to the folder</span>' in html
    assert '<span class="badge badge-pending">pending</span>' in html
    assert '>matches (CRLF/LF only)</span>' in html
    assert '>differs: edited</span>' in html
    assert "2026-02-12 09:00" in html  # applied when
    assert "relation &quot;Invoice&quot; already exists" in html  # the failed one's logs
    assert '<strong class="hw-bad">1</strong></summary><ul><li><code>Invoice</code>' in html
    assert f"audit #{run.number}" in html
    assert '<code>_prisma_migrations</code> is present' in html


def test_the_state_filter_returns_the_htmx_fragment(mobile, every_state) -> None:
    target, _, _ = every_state
    response = mobile.get(url(target) + "?state=failed", HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="migration-list")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="migration-list"')
    assert "<html" not in html and 'class="tabs"' not in html
    assert rows_of(html) == [("failed", "20250105000000_failed")]
    full = mobile.get(url(target) + "?state=failed").content.decode()
    assert "<html" in full and rows_of(full) == [("failed", "20250105000000_failed")]
    assert 'value="failed" checked' in full


def test_filter_chips_count_each_state(mobile, every_state) -> None:
    html = mobile.get(url(every_state[0])).content.decode()
    assert re.search(r'value=""\s*checked> all <span class="dw-chip-n">8</span>', html)
    assert re.search(r'value="applied"> applied <span class="dw-chip-n">2</span>', html)
    assert "No migration is" not in html
    empty = mobile.get(url(every_state[0]) + "?state=bogus").content.decode()
    assert len(rows_of(empty)) == 8  # an unknown state filters nothing


def test_target_facts_no_table_recreated_in_flight(mobile, make_target, finish_run) -> None:
    target, _, _ = history_run(make_target, finish_run, history_report(
        (status("20250101000000_init", State.PENDING),), table_present=False, in_flight=True,
        recreated=True, identity=None))
    html = mobile.get(url(target)).content.decode()
    assert 'data-fact="no-table">No <code>_prisma_migrations</code> table' in html
    assert 'data-fact="recreated">' in html
    assert 'data-fact="in-flight">A migration is in flight' in html
    assert "is present" not in html


def test_a_failed_history_check_shows_its_error_over_the_last_good_one(
        mobile, make_target, finish_run) -> None:
    target, good, _ = history_run(make_target, finish_run, history_report(migrations(3)))
    failed, _ = error_run(make_target, finish_run, "cannot connect to the shadow server "
                          "postgresql://shadow:***@10.0.0.9:5432/postgres: timeout",
                          target=target)
    html = mobile.get(url(target)).content.decode()
    assert (f"The history check of <a href=\"/targets/{target.slug}/runs/{failed.pk}/\">"
            f"audit #{failed.number}</a> failed:</strong> cannot connect to the shadow server"
            ) in html
    assert f"below is what <a href=\"/targets/{target.slug}/runs/{good.pk}/\">" in html
    assert len(rows_of(html)) == 3


def test_a_target_without_history(mobile, make_target) -> None:
    target = make_target()
    html = mobile.get(url(target)).content.decode()
    assert "This target has no migrations folder" in html
    assert 'id="migration-list"' in html and not rows_of(html)


def test_constant_queries_10_vs_200_migrations(mobile, make_target, finish_run) -> None:
    small, _, _ = history_run(make_target, finish_run, history_report(migrations(10)))
    large, _, _ = history_run(make_target, finish_run, history_report(migrations(200)))
    mobile.get(url(small))  # the session and user are cached alike for both

    def count(target) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = mobile.get(url(target))
        return len(captured), len(rows_of(response.content.decode()))

    assert count(small)[1] == 10 and count(large)[1] == 200
    assert count(small)[0] == count(large)[0]


def test_no_password_in_the_page(mobile, backend, every_state) -> None:
    target, _, _ = every_state
    assert SECRET in SECRET_DSN
    for client in (mobile, backend):
        assert SECRET not in client.get(url(target)).content.decode()


def test_anonymous_is_sent_to_login(client, every_state) -> None:
    response = client.get(url(every_state[0]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_target_page_links_both_history_pages(mobile, every_state) -> None:
    target = every_state[0]
    html = mobile.get(reverse("audits:target", args=[target.slug])).content.decode()
    assert f'href="/targets/{target.slug}/migrations/">Migrations</a>' in html
    assert f'href="/targets/{target.slug}/three-way/">Code · history · database</a>' in html


def test_one_runs_history_with_run_param(mobile, make_target, finish_run) -> None:
    target, old, _ = history_run(make_target, finish_run, history_report(migrations(2)))
    history_run(make_target, finish_run, history_report(migrations(5)), target=target)
    assert len(rows_of(mobile.get(url(target)).content.decode())) == 5
    html = mobile.get(url(target) + f"?run={old.pk}").content.decode()
    assert len(rows_of(html)) == 2
    assert f"The history as <a href=\"/targets/{target.slug}/runs/{old.pk}/\">" in html
    assert f'<input type="hidden" name="run" value="{old.pk}">' in html  # filters stay on it
    fragment = mobile.get(url(target) + f"?run={old.pk}&state=applied", HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="migration-list").content.decode()
    assert len(rows_of(fragment)) == 2
    other, other_run, _ = history_run(make_target, finish_run, history_report(migrations(1)))
    assert mobile.get(url(target) + f"?run={other_run.pk}").status_code == 404
    assert mobile.get(url(target) + "?run=x").status_code == 404


def test_a_failed_runs_history_with_run_param(mobile, make_target, finish_run) -> None:
    target, _, _ = history_run(make_target, finish_run, history_report(migrations(2)))
    failed, _ = error_run(make_target, finish_run, "no shadow server", target=target)
    html = mobile.get(url(target) + f"?run={failed.pk}").content.decode()
    assert "failed:</strong> no shadow server</p>" in html and not rows_of(html)


def test_the_run_page_sums_up_its_history(mobile, every_state) -> None:
    target, run, _ = every_state
    html = mobile.get(reverse("audits:run", args=[target.slug, run.pk])).content.decode()
    line = html[html.index('<dd id="run-history">'):]
    line = line[:line.index("</dd>")]
    assert line.startswith(
        '<dd id="run-history">2 applied · 1 edited since applied · 1 marked applied · 1 failed'
        ' · 1 rolled back · 1 pending · 1 unknown to the folder · ')
    assert f'href="/targets/{target.slug}/migrations/?run={run.pk}">migrations</a>' in line
