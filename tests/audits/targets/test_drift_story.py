"""The Drift tab tells one true story: every finding has a row (enums and schema-level findings
included) and the header counts equal the rows; statuses in words people use; an unreachable
database says so, with the reason; audits are numbered per target; "Audit now" refreshes the
counters, the trend and the status badge."""

from __future__ import annotations

import re
import socket

import pytest
from django.urls import reverse

from audits.core.models import AuditRun, ModelStatus
from audits.engine import model as m
from audits.targets import services

from ..conftest import finding, report

pytestmark = pytest.mark.django_db
HTMX_GRID = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "model-grid"}


def enum_finding(kind: str, enum: str, value: str | None = None,
                 severity: m.Severity = m.Severity.CRITICAL) -> m.Finding:
    if value is None:
        message = f'The enum type "{enum}" (A, B) does not exist, so the columns fail.'
    else:
        message = f'The enum type "{enum}" lacks the value \'{value}\', so writes fail.'
    return m.Finding(kind=kind, severity=severity, message=message, schema="public",
                     object_name=value or enum, expected=value or enum)


@pytest.fixture
def enum_target(make_target, finish_run):
    target = make_target(name="Shop", slug="shop")
    finish_run(target, report(
        [finding("missing_column", "User", "username"),
         finding("missing_table", "Review"),
         enum_finding("missing_enum", "KYCStatus"),
         enum_finding("missing_enum", "AddressType"),
         enum_finding("missing_enum_value", "Role", "ADMIN", m.Severity.ERROR)],
        {"User": "broken", "Review": "missing", "Product": "ok"}))
    target.refresh_from_db()
    return target


def grid_counts(html: str) -> int:
    return sum(int(n) for n in re.findall(r'<span class="badge badge-n badge-\w+">(\d+)</span>',
                                          html))


def test_every_finding_has_a_row_and_the_header_adds_up(mobile, enum_target):
    html = mobile.get(enum_target.get_absolute_url()).content.decode()
    run = enum_target.last_success
    assert (run.critical_count, run.error_count) == (4, 1)
    for name in ("KYCStatus", "AddressType", "Role", "User", "Review"):
        assert f"<code>{name}</code>" in html, name
    assert grid_counts(html) == run.critical_count + run.error_count + run.warning_count \
        + run.info_count == 5
    rows = {(r.object_type, r.table): r.status for r in ModelStatus.objects.filter(run=run)}
    assert rows == {("table", "User"): "broken", ("table", "Review"): "missing",
                    ("table", "Product"): "ok", ("enum", "KYCStatus"): "missing",
                    ("enum", "AddressType"): "missing", ("enum", "Role"): "broken"}
    assert "6 of 6 tables and types" in html


def test_missing_filter_lists_the_missing_enums(mobile, enum_target):
    html = mobile.get(enum_target.get_absolute_url(), {"status": "missing"},
                      **HTMX_GRID).content.decode()
    assert "<code>Review</code>" in html and "<code>KYCStatus</code>" in html
    assert html.count('<span class="muted">enum type</span>') == 2


def test_an_enum_rows_findings_expand(mobile, enum_target):
    url = reverse("audits:table_findings", args=["shop", "public", "Role"])
    html = mobile.get(url, {"type": "enum"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<tr id="findings-enum-public-Role"')
    assert '<td data-label="Kind">missing enum value</td>' in html
    assert "ADMIN" in html and "KYCStatus" not in html
    assert mobile.get(url, {"type": "nonsense"}).status_code == 400


def test_api_status_lists_tables_only(enum_target):
    rows = ModelStatus.objects.filter(run=enum_target.last_success, object_type="table")
    assert {r.table for r in rows} == {"User", "Review", "Product"}


def test_kinds_and_statuses_read_as_words(mobile, enum_target):
    url = reverse("audits:table_findings", args=["shop", "public", "User"])
    html = mobile.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert '<td data-label="Kind">missing column</td>' in html
    assert ">missing_column<" not in html
    page = mobile.get(enum_target.get_absolute_url()).content.decode()
    assert '<span id="target-health" class="badge badge-broken">broken</span>' in page
    overview = mobile.get(reverse("audits:overview")).content.decode()
    assert '<span class="badge badge-broken">1 broken</span>' in overview
    assert "missing</span>" not in overview.split("Open incidents")[0].split("<h1>")[1]


def test_broken_and_missing_share_the_critical_colour():
    from django.conf import settings

    css = (settings.BASE_DIR / "static/css/driftwatch.css").read_text()
    rule = css[css.index("/* Broken and missing are both critical"):]
    selectors = rule[:rule.index("{")]
    for badge in (".badge-critical", ".badge-broken", ".badge-missing", ".badge-unreachable"):
        assert badge in selectors


# --- unreachable ---------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


@pytest.fixture
def unreachable_target(make_target, seeded_target):
    target = make_target(name="Orders replica", slug="orders-replica",
                         dsn=f"postgresql://reader:pw@127.0.0.1:{closed_port()}/orders")
    run = services.request_audit(target, enqueue=False)
    services.execute_audit(run.pk)
    target.refresh_from_db()
    return target


def test_a_closed_port_makes_the_target_unreachable(mobile, unreachable_target):
    run = unreachable_target.last_run
    assert (run.status, run.unreachable) == ("failed", True)
    assert unreachable_target.health == "unreachable"
    html = mobile.get(reverse("audits:overview")).content.decode()
    cards = re.findall(r'<a class="dw-card-title" href="[^"]+">([^<]+)</a>', html)
    assert cards == ["Orders replica", "Marketplace"]  # unreachable first
    assert '<span class="badge badge-unreachable">unreachable</span>' in html
    assert '<span class="badge badge-unreachable">1 unreachable</span>' in html
    assert "Connection refused" in html or "connection" in html.lower()
    assert "pw@" not in html
    page = mobile.get(unreachable_target.get_absolute_url()).content.decode()
    assert '<span id="target-health" class="badge badge-unreachable">unreachable</span>' in page
    reason = page.split('<p class="dw-reason" role="alert">')[1].split("</p>")[0]
    assert reason.startswith("<strong>Unreachable.</strong> Audit #1 (")
    assert "could not read the database" in reason and "pw@" not in reason


def test_a_schema_error_is_a_failure_not_unreachable(make_target):
    target = make_target(name="Bad schema", slug="bad-schema",
                         schema_files={"schema.prisma": "model {"})
    run = services.request_audit(target, enqueue=False)
    services.execute_audit(run.pk)
    run.refresh_from_db()
    assert (run.status, run.unreachable) == ("failed", False)
    target.refresh_from_db()
    assert target.health == "not_audited"


# --- numbers per target --------------------------------------------------------------------


def test_audits_are_numbered_per_target(make_target, finish_run):
    a, b = make_target(name="A", slug="a"), make_target(name="B", slug="b")
    rep = report([], {"User": "ok"})
    runs = [finish_run(t, rep) for t in (a, b, a, b, a)]
    assert [(r.target.slug, r.number) for r in runs] == [
        ("a", 1), ("b", 1), ("a", 2), ("b", 2), ("a", 3)]
    assert runs[4].changes["previous_number"] == 2


def test_since_line_and_caption_use_the_targets_numbers(mobile, make_target, finish_run):
    other = make_target(name="Other", slug="other")
    target = make_target(name="Mine", slug="mine")
    rep = report([finding("missing_column", "User", "x")], {"User": "broken"})
    finish_run(other, rep)
    finish_run(target, rep)
    finish_run(other, rep)
    finish_run(target, rep)
    html = mobile.get(target.get_absolute_url()).content.decode()
    assert "Since audit #1:" in html
    assert "· audit #2 of " in html
    assert list(AuditRun.objects.filter(target=target).order_by("number")
                .values_list("number", flat=True)) == [1, 2]


def test_audit_finished_refreshes_counters_trend_and_badge(mobile, seeded_target, finish_run):
    finish_run(seeded_target, report([], {"User": "ok", "Review": "ok", "Product": "ok"}))
    html = mobile.get(seeded_target.get_absolute_url(), HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="drift-counts").content.decode()
    assert html.lstrip().startswith('<div id="drift-counts"')
    assert 'hx-trigger="audit-finished from:body"' in html
    assert '<span class="dw-stat-n dw-critical">0</span>' in html
    assert "<svg" in html
    assert ('<span id="target-health" class="badge badge-healthy" hx-swap-oob="true">'
            'healthy</span>') in html
    assert '<div id="drift-changes" hx-swap-oob="true">' in html
    assert "Since audit #1:" in html
