"""Adding commits from the incident page."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery.models import Commit, TimelineEntry

pytestmark = pytest.mark.django_db


def url(incident) -> str:
    return reverse("recovery:commit_add", args=[incident.slug])


def test_htmx_add_returns_the_commits_section(backend_client: Client, incident, settings) -> None:
    settings.REPO_PATH = ""
    response = backend_client.post(
        url(incident),
        {
            "sha": "3523b29",
            "message": "Add missing User columns",
            "author": "bea",
            "committed_at": "2026-02-12T13:20",
            "files_changed": "1",
            "insertions": "9",
            "deletions": "0",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="commits"')
    assert "<code" in html and ">3523b29</code>" in html
    assert '<span class="plus">+9</span>' in html
    assert 'hx-swap-oob="true"' in html
    commit = Commit.objects.get()
    assert (commit.files_changed, commit.insertions, commit.deletions) == (1, 9, 0)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"sha": "not-a-sha"}, "A commit sha is 7 to 40 hexadecimal characters (0-9, a-f)."),
        ({"sha": "abc"}, "A commit sha is 7 to 40 hexadecimal characters (0-9, a-f)."),
        ({"sha": "abcdef1", "committed_at": "12/31/99 noon"}, "Enter a valid date/time."),
        ({"sha": "abcdef1", "files_changed": "-3"}, "Ensure this value is greater than or equal"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(
    backend_client: Client, incident, data, error
) -> None:
    before = TimelineEntry.objects.count()
    response = backend_client.post(url(incident), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="commits"')
    assert error in html
    assert '<details class="add-form" open>' in html
    assert Commit.objects.count() == 0
    assert TimelineEntry.objects.count() == before


def test_sha_alone_is_filled_from_git(backend_client: Client, incident, git_repo, settings) -> None:
    from .conftest import run

    settings.REPO_PATH = str(git_repo)
    sha = run(git_repo, "rev-parse", "HEAD")
    html = backend_client.post(
        url(incident), {"sha": sha[:7]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Add missing User columns" in html
    assert "Bea Backend &lt;bea@example.com&gt;" in html
    commit = Commit.objects.get()
    assert (commit.sha, commit.files_changed, commit.insertions) == (sha, 2, 6)


def test_sha_git_does_not_know_is_a_form_error(
    backend_client: Client, incident, git_repo, settings
) -> None:
    settings.REPO_PATH = str(git_repo)
    html = backend_client.post(
        url(incident), {"sha": "deadbee"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "git does not know the commit deadbee" in html
    assert Commit.objects.count() == 0
