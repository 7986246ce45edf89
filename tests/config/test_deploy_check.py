"""`manage.py check --deploy --fail-level WARNING` passes with the production environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from config.secret_key import new_secret_key

REPO_ROOT = Path(__file__).resolve().parents[2]


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (Playwright's) and no deployment's.
    base = {key: value for key, value in os.environ.items()
            if key not in {"DEBUG", "DRIFTWATCH_HTTPS", "DRIFTWATCH_LOCAL_DEMO",
                           "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment = {**base, "DJANGO_SETTINGS_MODULE": "config.settings",
                   "DRIFTWATCH_VAR_DIR": str(tmp_path), "SECRET_KEY": new_secret_key(),
                   "ALLOWED_HOSTS": "driftwatch.example.com", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_production_environment_passes_the_deploy_check(tmp_path: Path) -> None:
    done = deploy_check(tmp_path, DRIFTWATCH_HTTPS="true")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_without_https_the_deploy_check_names_what_is_missing(tmp_path: Path) -> None:
    done = deploy_check(tmp_path)
    assert done.returncode == 1
    warnings = sorted(line.split(")")[0].split("(")[1] for line in done.stderr.splitlines()
                      if line.startswith("?: (security."))
    assert warnings == ["security.W004", "security.W008", "security.W012", "security.W016"]


def test_https_settings() -> None:
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_PROXY_SSL_HEADER)")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
                   "SECRET_KEY": new_secret_key(), "DRIFTWATCH_HTTPS": "true"}
    done = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                          cwd=REPO_ROOT, env=environment, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == (
        "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    ), done.stderr
