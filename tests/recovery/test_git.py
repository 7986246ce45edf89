"""recovery.git and the commit service against a real git repository made in the test."""

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from recovery import git, services


def run(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    run(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "schema.prisma").write_text("model User {\n  id Int @id\n}\n")
    (tmp_path / "migration.sql").write_text("a\nb\nc\n")
    run(tmp_path, "add", ".")
    env_args = ["-c", "user.name=Bea Backend", "-c", "user.email=bea@example.com"]
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            *env_args,
            "commit",
            "-q",
            "-m",
            "Add missing User columns\n\nNine columns the base migration forgot.",
        ],
        check=True,
        env={
            "GIT_AUTHOR_DATE": "2026-02-12T13:20:00+00:00",
            "GIT_COMMITTER_DATE": "2026-02-12T13:20:00+00:00",
            "PATH": "/usr/bin:/bin",
        },
    )
    return tmp_path


def test_lookup_fills_message_author_date_and_numstat(repo: Path) -> None:
    sha = run(repo, "rev-parse", "HEAD")
    info = git.lookup_commit(repo, sha[:7])
    assert info.sha == sha
    assert info.message == "Add missing User columns\n\nNine columns the base migration forgot."
    assert info.author == "Bea Backend <bea@example.com>"
    assert info.committed_at.isoformat() == "2026-02-12T13:20:00+00:00"
    assert (info.files_changed, info.insertions, info.deletions) == (2, 6, 0)


def test_unknown_sha_raises(repo: Path) -> None:
    with pytest.raises(git.GitError, match="does not know the commit deadbee"):
        git.lookup_commit(repo, "deadbee")


def test_is_repository(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert git.is_repository(repo)
    assert not git.is_repository(tmp_path_factory.mktemp("plain"))
    assert not git.is_repository("")


@pytest.mark.django_db
def test_add_commit_fills_from_repo(repo: Path, incident, backend_user, settings) -> None:
    settings.REPO_PATH = str(repo)
    sha = run(repo, "rev-parse", "HEAD")
    commit = services.add_commit(incident, services.CommitFields(sha=sha[:7]), author=backend_user)
    assert commit.sha == sha
    assert commit.subject == "Add missing User columns"
    assert commit.author == "Bea Backend <bea@example.com>"
    assert (commit.files_changed, commit.insertions, commit.deletions) == (2, 6, 0)


@pytest.mark.django_db
def test_sha_unknown_to_git_is_a_form_error(repo: Path, incident, backend_user, settings) -> None:
    settings.REPO_PATH = str(repo)
    with pytest.raises(ValidationError) as exc:
        services.add_commit(incident, services.CommitFields(sha="deadbee"), author=backend_user)
    assert list(exc.value.message_dict) == ["sha"]
    assert incident.commits.count() == 0
