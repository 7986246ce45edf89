"""Creating and editing a target: uploads become versions, secrets are write-only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.core import credentials
from audits.core.models import SchemaVersion, Target
from tests.audits.conftest import SCHEMA, SECRET_DSN

pytestmark = pytest.mark.django_db


def form_data(**extra):
    data = {"name": "Shop", "slug": "", "schema_source": "versions", "schema_path": "",
            "interval_minutes": "30", "enabled": "on", "namespaces_text": "public",
            "database_url": SECRET_DSN, "database_url_env": "", "alert_emails": "",
            "webhook_url": "", "webhook_secret": "", "code_path": "", "migrations_path": ""}
    data.update(extra)
    return data


def test_create_with_a_multi_file_schema_upload(backend):
    files = [SimpleUploadedFile("schema.prisma", SCHEMA.encode()),
             SimpleUploadedFile("billing.prisma", b"model Invoice {\n  id Int @id\n}\n")]
    response = backend.post(reverse("audits:target_create"),
                            form_data(schema_files=files, webhook_secret="whsec"))
    assert response.status_code == 302 and response["Location"] == "/targets/shop/"
    target = Target.objects.get(slug="shop")
    version = SchemaVersion.objects.get(target=target)
    assert sorted(version.content) == ["billing.prisma", "schema.prisma"]
    assert target.current_schema_id == version.pk
    assert credentials.target_dsn(target) == SECRET_DSN and target.webhook_secret == "whsec"
    assert target.dialect == "postgresql" and target.interval_minutes == 30


def test_create_requires_a_database_url_and_a_schema(backend):
    response = backend.post(reverse("audits:target_create"), form_data(database_url=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give a database URL or an environment variable." in html
    assert "Upload schema.prisma (or choose a path on disk)." in html
    assert not Target.objects.exists()


def test_edit_keeps_secrets_when_left_empty_and_dedups_uploads(backend, make_target):
    target = make_target(slug="shop", name="Shop")
    target.set_webhook_secret("keep-me")
    target.save()
    upload = SimpleUploadedFile("schema.prisma", SCHEMA.encode())
    response = backend.post(reverse("audits:target_edit", args=["shop"]),
                            form_data(database_url="", schema_files=[upload], slug="shop",
                                      interval_minutes="5"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert credentials.target_dsn(target) == SECRET_DSN and target.webhook_secret == "keep-me"
    assert target.interval_minutes == 5
    assert SchemaVersion.objects.filter(target=target).count() == 1  # same content, same row


def test_non_prisma_upload_is_refused(backend):
    upload = SimpleUploadedFile("schema.sql", b"create table x();")
    html = backend.post(reverse("audits:target_create"),
                        form_data(schema_files=[upload])).content.decode()
    assert "schema.sql is not a .prisma file." in html


# A Slack webhook URL is a credential: its path is the secret, so the form treats it like the DSN.
WEBHOOK = "https://hooks.slack.com/services/T000/B000/sEcReTwebhookPATH"


def webhook_target(make_target):
    target = make_target(slug="shop", name="Shop")
    target.webhook_url = WEBHOOK
    target.save()
    return target


def test_edit_page_shows_only_the_webhook_host(backend, make_target):
    webhook_target(make_target)
    html = backend.get(reverse("audits:target_edit", args=["shop"])).content.decode()
    assert "sEcReTwebhookPATH" not in html and "/services/" not in html
    assert "Current: hooks.slack.com/…" in html
    assert "Leave empty to keep the current one." in html
    assert 'name="webhook_url"' in html and 'type="password"' in html


def test_edit_with_empty_webhook_keeps_it_and_a_new_one_replaces_it(backend, make_target,
                                                                   tmp_path):
    target = webhook_target(make_target)
    url = reverse("audits:target_edit", args=["shop"])
    response = backend.post(url, form_data(database_url="", slug="shop",
                                           schema_source="path", schema_path=str(tmp_path)))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.webhook_url == WEBHOOK
    response = backend.post(url, form_data(database_url="", slug="shop", schema_source="path",
                                           schema_path=str(tmp_path),
                                           webhook_url="https://hooks.example.com/new"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.webhook_url == "https://hooks.example.com/new"


def test_remove_webhook_clears_it(backend, make_target, tmp_path):
    target = webhook_target(make_target)
    response = backend.post(reverse("audits:target_edit", args=["shop"]),
                            form_data(database_url="", slug="shop", schema_source="path",
                                      schema_path=str(tmp_path), clear_webhook_url="on"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.webhook_url == ""


def test_a_rejected_form_does_not_echo_the_webhook_url(backend, make_target):
    webhook_target(make_target)
    response = backend.post(reverse("audits:target_edit", args=["shop"]),
                            form_data(database_url="", slug="shop", schema_source="path",
                                      schema_path="", webhook_url=WEBHOOK + "2"))
    html = response.content.decode()
    assert response.status_code == 200 and "Give the path of schema.prisma" in html
    assert "sEcReTwebhookPATH" not in html


def test_admin_target_page_does_not_show_the_webhook_url(admin_client, make_target):
    target = webhook_target(make_target)
    html = admin_client.get(reverse("admin:audits_target_change", args=[target.pk])
                            ).content.decode()
    assert "sEcReTwebhookPATH" not in html and 'name="name"' in html


def test_a_configuration_error_the_form_missed_is_a_form_error_not_a_500(backend, monkeypatch):
    from audits.targets import services

    def refuse(target, **kwargs):
        raise credentials.TargetConfigError("the upload holds no .prisma file")

    monkeypatch.setattr(services, "save_target", refuse)
    files = [SimpleUploadedFile("schema.prisma", SCHEMA.encode())]
    response = backend.post(reverse("audits:target_create"), form_data(schema_files=files))
    assert response.status_code == 200
    assert "the upload holds no .prisma file" in response.content.decode()
    assert not Target.objects.exists()


def test_a_schema_prisma_refuses_is_a_form_error_listing_every_error(backend):
    bad = (SCHEMA + "\nmodel Broken {\n  id    Int    @id\n  owner Nobody\n}\n"
           "model AlsoBroken {\n  id   Int   @id\n  kind Strng\n}\n")
    upload = SimpleUploadedFile("schema.prisma", bad.encode())
    response = backend.post(reverse("audits:target_create"), form_data(schema_files=[upload]))
    assert response.status_code == 200
    errors = response.context["form"].errors["schema_files"]
    lines = bad.splitlines()
    nobody, strng = lines.index("  owner Nobody") + 1, lines.index("  kind Strng") + 1
    assert errors == [
        f'schema.prisma:{nobody}:3: Type "Nobody" is neither a built-in type, nor refers to '
        "another model, composite type, or enum.",
        f'schema.prisma:{strng}:3: Type "Strng" is neither a built-in type, nor refers to '
        "another model, composite type, or enum.",
    ]
    assert not Target.objects.exists() and not SchemaVersion.objects.exists()
