"""Where targets may live: DRIFTWATCH_TARGET_HOSTS, never Driftwatch's own database, and
connection failures that name a cause class, not the state of a port."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from audits.core.credentials import (
    OWN_DATABASE,
    TargetConfigError,
    check_target_location,
    connect_error_class,
)
from audits.core.models import AuditRun, Target
from audits.targets import services
from tests.audits.targets.test_target_form_view import form_data

pytestmark = pytest.mark.django_db


def own_database_url() -> str:
    config = connection.settings_dict
    return (f"postgresql://{config['USER']}@{config['HOST'] or 'localhost'}:"
            f"{config['PORT'] or 5432}/{config['NAME']}")


def test_driftwatchs_own_database_is_refused_in_the_form(backend) -> None:
    html = backend.post(reverse("audits:target_create"),
                        form_data(database_url=own_database_url())).content.decode()
    assert "the database URL names Driftwatch&#x27;s own database" in html
    assert not Target.objects.exists()


def test_driftwatchs_own_database_is_refused_at_audit_time(make_target, monkeypatch) -> None:
    target = make_target(dsn_env_var="DRIFTWATCH_TARGET_OWN", dsn="")
    monkeypatch.setenv("DRIFTWATCH_TARGET_OWN", own_database_url().replace("127.0.0.1",
                                                                            "localhost"))
    run = services.request_audit(target, enqueue=False)
    services.execute_audit(run.pk)
    run = AuditRun.objects.get(pk=run.pk)
    assert (run.status, run.error) == ("failed", OWN_DATABASE)


def test_another_database_on_the_same_server_is_allowed() -> None:
    check_target_location(own_database_url().rsplit("/", 1)[0] + "/some_app")


def test_the_allow_list(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DRIFTWATCH_TARGET_HOSTS = ["db.internal", "*.example.com", "10.0.0.5:6432"]
    for allowed in ("postgresql://u:p@db.internal/app", "postgresql://u@a.b.example.com:5433/x",
                    "postgresql://u@10.0.0.5:6432/x", "host=db.internal dbname=app"):
        check_target_location(allowed)
    for refused, host in (("postgresql://u:p@evil.test/app", "evil.test"),
                          ("postgresql://u@10.0.0.5:5432/x", "10.0.0.5"),
                          ("postgresql://u@example.com/x", "example.com"),
                          ("host=db.internal,evil.test dbname=app", "evil.test")):
        with pytest.raises(TargetConfigError) as error:
            check_target_location(refused)
        assert str(error.value) == (
            f"the host {host} is not one Driftwatch may audit (DRIFTWATCH_TARGET_HOSTS: "
            "db.internal, *.example.com, 10.0.0.5:6432)")
        assert ":p@" not in str(error.value)


def test_a_sqlite_file_outside_the_path_roots_is_refused(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DRIFTWATCH_PATH_ROOTS = [str(tmp_path)]
    check_target_location(f"sqlite:///{tmp_path}/app.db")
    with pytest.raises(TargetConfigError) as error:
        check_target_location("sqlite:////etc/app.db")
    assert str(error.value).startswith("the SQLite file /etc/app.db is outside the folders")


def test_a_closed_port_and_a_silent_one_read_the_same(make_target) -> None:
    target = make_target(dsn="postgresql://someone:S3cret@127.0.0.1:1/app")
    run = services.request_audit(target, enqueue=False)
    services.execute_audit(run.pk)
    run = AuditRun.objects.get(pk=run.pk)
    assert run.error == ("cannot connect to postgresql://someone:***@127.0.0.1:1/app: network "
                         "error (no connection: refused, unreachable, timed out or not "
                         "PostgreSQL)")


@pytest.mark.parametrize("reason", [
    "the host is unreachable: nothing listens on that port (Connection refused)",
    "the server did not answer within the connect timeout (timeout expired)",
    "the server closed the connection (server closed the connection unexpectedly)",
    "the host name cannot be resolved (failed to resolve host)",
])
def test_network_causes_are_one_class(reason: str) -> None:
    assert connect_error_class(f"cannot connect to postgresql://u@h:1/d: {reason}") == (
        "cannot connect to postgresql://u@h:1/d: network error (no connection: refused, "
        "unreachable, timed out or not PostgreSQL)")
    assert connect_error_class("cannot connect to postgresql://u@h/d: authentication failed: "
                               "wrong user name or password (x)") == (
        "cannot connect to postgresql://u@h/d: authentication refused")


def test_test_connection_is_no_port_scanner(backend, settings) -> None:  # type: ignore[no-untyped-def]
    url = reverse("audits:test_connection")
    html = backend.post(url, {"database_url": own_database_url()}).content.decode()
    assert "the database URL names Driftwatch&#x27;s own database" in html
    html = backend.post(url, {"database_url": "postgresql://u:pw@127.0.0.1:1/app"}).content.decode()
    assert ("cannot connect to postgresql://u:***@127.0.0.1:1/app: network error (no "
            "connection: refused, unreachable, timed out or not PostgreSQL)") in html
    settings.DRIFTWATCH_TARGET_HOSTS = ["db.internal"]
    html = backend.post(url, {"database_url": "postgresql://u@10.1.2.3:22/x"}).content.decode()
    assert "the host 10.1.2.3 is not one Driftwatch may audit" in html
