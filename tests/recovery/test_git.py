"""recovery.git and the commit service against a real git repository made in the test."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from recovery import git, services

from .conftest import run


def test_lookup_fills_message_author_date_and_numstat(git_repo: Path) -> None:
    sha = run(git_repo, "rev-parse", "HEAD")
    info = git.lookup_commit(git_repo, sha[:7])
    assert info.sha == sha
    assert info.message == "Add missing User columns\n\nNine columns the base migration forgot."
    assert info.author == "Bea Backend <bea@example.com>"
    assert info.committed_at.isoformat() == "2026-02-12T13:20:00+00:00"
    assert (info.files_changed, info.insertions, info.deletions) == (2, 6, 0)


def test_unknown_sha_raises(git_repo: Path) -> None:
    with pytest.raises(git.GitError, match="does not know the commit deadbee"):
        git.lookup_commit(git_repo, "deadbee")


def test_is_repository(git_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert git.is_repository(git_repo)
    assert not git.is_repository(tmp_path_factory.mktemp("plain"))
    assert not git.is_repository("")


@pytest.mark.django_db
def test_add_commit_fills_from_repo(git_repo: Path, incident, backend_user, settings) -> None:
    settings.REPO_PATH = str(git_repo)
    sha = run(git_repo, "rev-parse", "HEAD")
    commit = services.add_commit(incident, services.CommitFields(sha=sha[:7]), author=backend_user)
    assert commit.sha == sha
    assert commit.subject == "Add missing User columns"
    assert commit.author == "Bea Backend <bea@example.com>"
    assert (commit.files_changed, commit.insertions, commit.deletions) == (2, 6, 0)


@pytest.mark.django_db
def test_sha_unknown_to_git_is_a_form_error(
    git_repo: Path, incident, backend_user, settings
) -> None:
    settings.REPO_PATH = str(git_repo)
    with pytest.raises(ValidationError) as exc:
        services.add_commit(incident, services.CommitFields(sha="deadbee"), author=backend_user)
    assert list(exc.value.message_dict) == ["sha"]
    assert incident.commits.count() == 0
