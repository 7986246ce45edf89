"""SECRET_KEY: refused with DEBUG off when missing, published or weak; the local demo's own key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.secret_key import (
    KNOWN_KEYS,
    MIN_LENGTH,
    local_secret_key,
    new_secret_key,
    secret_key_problem,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def settings_process(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh process with exactly this environment."""
    base = {key: value for key, value in os.environ.items()
            if key not in {"SECRET_KEY", "DRIFTWATCH_LOCAL_DEMO", "DEBUG"}}
    environment = {**base, "DJANGO_SETTINGS_MODULE": "config.settings",
                   "DRIFTWATCH_VAR_DIR": str(tmp_path), **env}
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.SECRET_KEY)")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("key", sorted(KNOWN_KEYS) + ["django-insecure-" + "x" * 60])
def test_published_keys_are_refused(key: str) -> None:
    assert secret_key_problem(key) == "SECRET_KEY is a published default."


def test_short_or_repetitive_keys_are_refused() -> None:
    weak = "SECRET_KEY is too weak: it needs at least 50 characters and 5 different ones."
    assert secret_key_problem("k" * (MIN_LENGTH - 1) + "abcd") is None  # 53 characters, 5 kinds
    assert secret_key_problem("abcdefghij" * 4) == weak  # 40 characters
    assert secret_key_problem("abab" * 20) == weak  # long, but 2 different characters
    assert secret_key_problem("") == "SECRET_KEY is not set."
    assert secret_key_problem(new_secret_key()) is None


def test_production_settings_refuse_to_start_without_a_key(tmp_path: Path) -> None:
    done = settings_process(tmp_path)
    assert done.returncode != 0
    assert ("ImproperlyConfigured: SECRET_KEY is not set. Set SECRET_KEY to a long random"
            in done.stderr)
    assert not (tmp_path / "secret_key").exists()


def test_production_settings_refuse_the_old_compose_default(tmp_path: Path) -> None:
    done = settings_process(tmp_path, SECRET_KEY="change-me-in-production")
    assert done.returncode != 0
    assert "SECRET_KEY is a published default." in done.stderr


def test_the_local_demo_generates_one_key_and_keeps_it(tmp_path: Path) -> None:
    first = settings_process(tmp_path, DRIFTWATCH_LOCAL_DEMO="true")
    second = settings_process(tmp_path, DRIFTWATCH_LOCAL_DEMO="true")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert second.stdout.strip() == key
    assert secret_key_problem(key) is None
    stored = tmp_path / "secret_key"
    assert stored.read_text().strip() == key
    assert stored.stat().st_mode & 0o777 == 0o600


def test_a_key_in_the_environment_wins_over_the_local_one(tmp_path: Path) -> None:
    key = new_secret_key()
    done = settings_process(tmp_path, SECRET_KEY=key, DRIFTWATCH_LOCAL_DEMO="true")
    assert done.stdout.strip() == key
    assert not (tmp_path / "secret_key").exists()


def test_local_key_file_is_read_back(tmp_path: Path) -> None:
    assert local_secret_key(tmp_path) == local_secret_key(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left
