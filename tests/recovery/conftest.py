"""Recovery-only fixtures: a real git repository with one known commit."""

import subprocess
from pathlib import Path

import pytest


def run(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
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
