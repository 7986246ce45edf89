"""Fill in a commit from a local git checkout (settings.REPO_PATH) given its sha."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

GIT_TIMEOUT_SECONDS = 10


class GitError(Exception):
    """git could not answer: not a repository, or the sha is unknown."""


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    message: str
    author: str
    committed_at: datetime
    files_changed: int
    insertions: int
    deletions: int


def _git(repo: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git could not run: {exc}") from exc
    if result.returncode != 0:
        raise GitError(result.stderr.strip() or f"git {args[0]} failed")
    return result.stdout


def is_repository(path: str | Path) -> bool:
    if not path or not Path(path).is_dir():
        return False
    try:
        return _git(Path(path), "rev-parse", "--is-inside-work-tree").strip() == "true"
    except GitError:
        return False


def lookup_commit(repo_path: str | Path, sha: str) -> CommitInfo:
    """The commit `sha` names in the repository; GitError when git does not know it."""
    repo = Path(repo_path)
    try:
        full_sha = _git(repo, "rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}").strip()
    except GitError as exc:
        raise GitError(f"git does not know the commit {sha} in {repo.name}") from exc
    # %x00 separates fields; the message (%B) goes last since it may hold anything but NUL.
    header = _git(repo, "log", "-1", "--format=%an <%ae>%x00%aI%x00%B", full_sha)
    author, date, message = header.split("\x00", 2)
    numstat = _git(repo, "show", "--numstat", "--format=", full_sha)
    files = insertions = deletions = 0
    for line in numstat.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        files += 1
        # Binary files show "-" for both counts.
        insertions += int(parts[0]) if parts[0].isdigit() else 0
        deletions += int(parts[1]) if parts[1].isdigit() else 0
    return CommitInfo(
        sha=full_sha,
        message=message.strip(),
        author=author,
        committed_at=datetime.fromisoformat(date.strip()),
        files_changed=files,
        insertions=insertions,
        deletions=deletions,
    )
