"""The Changes page, its Markdown export and the decoder's paste box: what they show for the
seed target, that anonymous users are turned away, that read-only roles may use them, git
revisions of the schema path, and a fixed number of queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from audits import seed
from audits.core.models import Target
from audits.history.models import ThreeWayRecord
from audits.targets import services
from tests.audits.changes.fixtures import *  # noqa: F403 — the seed fixtures
from tests.audits.changes.fixtures import PRE_INCIDENT, git_repo, version_refs

pytestmark = pytest.mark.django_db

PAGE = "/targets/marketplace/changes/"
MARKDOWN = "/targets/marketplace/changes.md"
DECODE = "/targets/marketplace/decode/"


def test_anonymous_users_are_sent_to_log_in(guide_target: Target) -> None:
    for response in (Client().get(PAGE), Client().get(MARKDOWN),
                     Client().post(DECODE, {"error": 'relation "Review" does not exist'})):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_default_pair_is_the_previous_and_newest_version(guide_target: Target,
                                                         mobile_client: Client) -> None:
    response = mobile_client.get(PAGE)
    assert response.status_code == 200
    guide = response.context["guide"]
    refs = version_refs(guide_target)
    assert (guide.old.ref, guide.new.ref) == (refs["pre-incident"], refs["current"])
    assert guide.summary == "31 changes: 9 breaking, 0 risky, 22 safe"
    text = response.content.decode()
    # grouped by model, the groups with a breaking change first
    titles = [title for title, _ in guide.sections]
    assert titles == ["Booking", "MechanicBookingTracking", "Order", "OrderTracking",
                      "TrackingUpdate", "Withdrawal", "Message", "SupplierProfile", "User"]
    assert text.index("<h3>Booking</h3>") < text.index("<h3>User</h3>")
    assert ("Model TrackingEvent was renamed TrackingUpdate (probably: it was removed while a "
            "near-identical model appeared)") in text
    # each change with the endpoints the stored scan says touch it
    renamed = next(c for c in guide.changes if c.kind == "model_renamed")
    assert renamed.endpoints == ("GET /api/tracking/live", "POST /api/tracking/live")
    assert "<code>POST /api/wallet/withdraw</code>" in text
    assert 'aria-current="page">Changes</a>' in text


def test_chosen_versions_and_a_bad_one(guide_target: Target, backend_client: Client) -> None:
    refs = version_refs(guide_target)
    back = backend_client.get(PAGE, {"from": refs["current"], "to": refs["pre-incident"]})
    kinds = {c.kind for c in back.context["guide"].changes}
    assert "model_renamed" in kinds and "field_added" in kinds
    assert {c.to for c in back.context["guide"].changes if c.kind == "model_renamed"} == {
        "TrackingEvent"}
    bad = backend_client.get(PAGE, {"from": "v999999", "to": refs["current"]})
    assert bad.status_code == 400
    assert "v999999 is not a schema version of this target" in bad.content.decode()


def test_markdown_export(guide_target: Target, mobile_client: Client) -> None:
    refs = version_refs(guide_target)
    response = mobile_client.get(MARKDOWN, {"from": refs["pre-incident"], "to": refs["current"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="marketplace-api-changes-{refs["pre-incident"]}-'
        f'{refs["current"]}.md"')
    text = response.content.decode()
    assert text.startswith("## Function Name & API Update Guide\n\nFrom `#")
    assert "// Remove: Order.paymentStatus (field deleted)" in text
    assert mobile_client.get(MARKDOWN, {"from": "nope", "to": "v1"}).status_code == 400


def test_one_version_only_says_so(sqlite_seed_target: Target, mobile_client: Client) -> None:
    response = mobile_client.get(PAGE)
    assert response.status_code == 200 and response.context["guide"] is None
    assert "fewer than two schema versions" in response.content.decode()


def test_query_count_does_not_grow_with_versions_or_endpoints(
        guide_target: Target, mobile_client: Client,
        django_assert_num_queries: object) -> None:
    # session, user, target, the version list, the two versions compared, the endpoints, the role
    with django_assert_num_queries(8):  # type: ignore[operator]
        mobile_client.get(PAGE)
    for number in range(5):
        services.add_schema_version(guide_target, {"schema.prisma": PRE_INCIDENT.read_text()
                                                   + f"\n// {number}\n"}, label=f"extra {number}")
    services.add_schema_version(guide_target, {"schema.prisma": seed.SCHEMA_PATH.read_text()},
                                label="current again")
    with django_assert_num_queries(8):  # type: ignore[operator]
        mobile_client.get(PAGE)


def test_git_revisions_of_the_schema_path(make_target, backend_client: Client,
                                          tmp_path: Path) -> None:
    shas = git_repo(tmp_path / "repo", [PRE_INCIDENT.read_text(), seed.SCHEMA_PATH.read_text()])
    target = make_target(name="From git", slug="from-git",
                         schema_path=str(tmp_path / "repo" / "prisma" / "schema.prisma"))
    response = backend_client.get(f"/targets/{target.slug}/changes/",
                                  {"from": f"git:{shas[0]}", "to": f"git:{shas[1]}"})
    assert response.status_code == 200
    assert [v.ref for v in response.context["revisions"]] == [f"git:{shas[1]}",
                                                               f"git:{shas[0]}"]
    guide = response.context["guide"]
    assert guide.summary == "31 changes: 9 breaking, 0 risky, 22 safe"
    assert guide.old.label == f"{shas[0][:9]} prisma/schema.prisma"
    gone = backend_client.get(f"/targets/{target.slug}/changes/",
                              {"from": "git:" + "0" * 40, "to": f"git:{shas[1]}"})
    assert gone.status_code == 400


# --- the decoder's paste box ------------------------------------------------------------------


def test_paste_box_on_the_target_page(guide_target: Target, mobile_client: Client) -> None:
    text = mobile_client.get("/targets/marketplace/").content.decode()
    assert 'hx-post="/targets/marketplace/decode/"' in text
    assert 'hx-target="#decode-result"' in text
    assert '<div id="decode-result"' in text


def test_decode_partial_for_a_read_only_role(guide_target: Target,
                                             mobile_client: Client) -> None:
    response = mobile_client.post(
        DECODE, {"error": "The column `User.username` does not exist in the current database."},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="decode-result"')
    assert "<html" not in text
    assert "<p><strong>missing_column</strong> · User.username</p>" in text
    assert ('<li><span class="badge badge-critical">critical</span> User.username is missing: '
            "column &quot;username&quot; of table &quot;User&quot; does not exist") in text
    assert "Endpoints that touch it: <code>POST /api/auth/google</code>" in text
    assert "ALTER TABLE &quot;User&quot; ADD COLUMN &quot;username&quot; TEXT;" in text


def test_decode_without_htmx_is_a_page(guide_target: Target, backend_client: Client) -> None:
    response = backend_client.post(DECODE, {"error": 'relation "Review" does not exist'})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" in text and '<div id="decode-result"' in text
    assert response.context["decoded"].findings[0].kind == "missing_table"


def test_decode_refusals(make_target, guide_target: Target, mobile_client: Client) -> None:
    empty = mobile_client.post(DECODE, {"error": "  "}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 400
    assert '<p class="dw-error" role="alert">paste an error first</p>' in empty.content.decode()
    make_target(name="Never audited", slug="never")
    response = mobile_client.post("/targets/never/decode/", {"error": "x"},
                                  HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert ("the target has no successful audit to decode against yet"
            in response.content.decode())
    assert mobile_client.get(DECODE).status_code == 405


def test_a_pending_migration_is_the_fix(guide_target: Target, mobile_client: Client) -> None:
    ThreeWayRecord.objects.create(
        run_id=guide_target.last_success_id, position=0, object="User.username",
        kind="column", table="User", model="User", in_code=True, in_history=True,
        in_database=False, verdict="pending_migration",
        migration="20260212132000_add_missing_user_columns", finding="missing_column")
    text = mobile_client.post(DECODE, {"error": 'column "username" of relation "User" does not '
                                                "exist"}, HTTP_HX_REQUEST="true").content.decode()
    assert ("-- Pending migration 20260212132000_add_missing_user_columns creates it: deploy it "
            "(npx prisma migrate deploy) rather than writing another.") in text
    assert "The pending migration 20260212132000_add_missing_user_columns repairs it." in text
