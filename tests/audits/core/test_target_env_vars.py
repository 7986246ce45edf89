"""A target reads its database URL only from a variable DRIFTWATCH_TARGET_ENV_VARS allows.

Whoever may edit a target picks the variable, and the workers also hold DATABASE_URL: a target
pointed at it would audit Driftwatch's own database and show its tables. The form, the targets
command and the audit itself all refuse a name outside the setting, naming what is allowed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from audits.core import credentials
from audits.core.models import Target
from audits.targets import services
from tests.audits.conftest import SECRET_DSN

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
REFUSED = ("the environment variable DATABASE_URL may not hold a target's database URL: "
           "allowed names are DRIFTWATCH_TARGET_* (setting DRIFTWATCH_TARGET_ENV_VARS)")


def form_data(env_var: str, schema_path: Path) -> dict[str, str]:
    return {"name": "Shop", "slug": "shop", "schema_source": "path",
            "schema_path": str(schema_path), "interval_minutes": "60", "enabled": "on",
            "database_url": "", "database_url_env": env_var}


def test_the_form_refuses_a_variable_outside_the_setting_and_saves_nothing(backend, tmp_path):
    page = backend.get(reverse("audits:target_create")).content.decode()
    assert "Allowed names: DRIFTWATCH_TARGET_*." in page
    response = backend.post(reverse("audits:target_create"), form_data("DATABASE_URL", tmp_path))
    assert response.status_code == 200
    assert response.context["form"].errors["database_url_env"] == [REFUSED]
    assert not Target.objects.exists()


def test_editing_a_target_to_read_driftwatch_s_own_database_is_refused(
        backend, make_target, monkeypatch, tmp_path):
    monkeypatch.setenv("DRIFTWATCH_TARGET_SHOP", SECRET_DSN)
    target = make_target(dsn="", dsn_env_var="DRIFTWATCH_TARGET_SHOP", slug="shop")
    response = backend.post(reverse("audits:target_edit", args=[target.slug]),
                            form_data("DATABASE_URL", tmp_path))
    assert response.status_code == 200
    assert REFUSED in response.content.decode().replace("&#x27;", "'")
    assert Target.objects.get(pk=target.pk).dsn_env_var == "DRIFTWATCH_TARGET_SHOP"


def test_the_audit_of_a_target_whose_variable_is_not_allowed_fails_with_the_reason(
        make_target, monkeypatch, settings):
    settings.DRIFTWATCH_TARGET_ENV_VARS = ["DATABASE_URL"]  # allowed when the target was saved
    target = make_target(dsn="", dsn_env_var="DATABASE_URL")
    settings.DRIFTWATCH_TARGET_ENV_VARS = ["DRIFTWATCH_TARGET_*"]
    run = services.execute_audit(services.request_audit(target, enqueue=False).pk)
    assert run is not None
    assert (run.status, run.error) == ("failed", REFUSED)


def test_the_targets_command_refuses_it_in_one_stderr_line_exit_1(tmp_path):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'dw.sqlite3'}",
                   "DRIFTWATCH_VAR_DIR": str(tmp_path / "var")}
    environment.pop("DRIFTWATCH_TARGET_ENV_VARS", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "targets", "add", "--name", "Mine",
         "--database-url-env", "DATABASE_URL", "--schema-path", str(tmp_path)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"CommandError: {REFUSED}\n")


@pytest.mark.parametrize("name", ["DRIFTWATCH_TARGET_SHOP", "SHOP_DB_URL"])
def test_a_prefix_match_and_an_exact_name_are_allowed(
        name, backend, monkeypatch, settings, tmp_path):
    settings.DRIFTWATCH_TARGET_ENV_VARS = ["DRIFTWATCH_TARGET_*", "SHOP_DB_URL"]
    monkeypatch.setenv(name, SECRET_DSN)
    response = backend.post(reverse("audits:target_create"), form_data(name, tmp_path))
    assert response.status_code == 302
    assert credentials.target_dsn(Target.objects.get(slug="shop")) == SECRET_DSN
    call_command("targets", "add", "--name", "Shop 2", "--database-url-env", name,
                 "--schema-path", str(tmp_path))
    assert Target.objects.get(slug="shop-2").dsn_env_var == name


@pytest.mark.parametrize(("name", "allowed"), [
    ("DRIFTWATCH_TARGET_SHOP", True), ("DRIFTWATCH_TARGET_", True), ("SHOP_DB_URL", True),
    ("DRIFTWATCH_TARGET", False), ("driftwatch_target_shop", False), ("SHOP_DB_URL_2", False),
    ("DATABASE_URL", False), ("DRIFTWATCH_SHADOW_DATABASE_URL", False),
])
def test_names_match_exactly_or_by_a_trailing_star_prefix(name, allowed, settings):
    settings.DRIFTWATCH_TARGET_ENV_VARS = ["DRIFTWATCH_TARGET_*", "SHOP_DB_URL"]
    assert credentials.env_var_allowed(name) is allowed


def test_an_empty_setting_allows_no_variable(settings):
    settings.DRIFTWATCH_TARGET_ENV_VARS = []
    with pytest.raises(credentials.TargetConfigError, match="allowed names are none"):
        credentials.check_env_var("DRIFTWATCH_TARGET_SHOP")
