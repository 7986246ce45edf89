"""Adding migrations: the page shows the checksum Prisma records."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services
from recovery.models import Migration

pytestmark = pytest.mark.django_db

SQL = 'ALTER TABLE "SupplierProfile" ADD COLUMN "website" TEXT;\n'


def url(incident) -> str:
    return reverse("recovery:migration_add", args=[incident.slug])


def test_htmx_add_shows_checksum_and_linked_commit(
    backend_client: Client, incident, backend_user
) -> None:
    commit = services.add_commit(
        incident, services.CommitFields(sha="b1d20da"), author=backend_user
    )
    response = backend_client.post(
        url(incident),
        {"name": "20260212134000_add_supplierprofile_columns", "sql": SQL, "commit": commit.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    checksum = hashlib.sha256(SQL.encode()).hexdigest()
    assert html.lstrip().startswith('<section id="migrations"')
    assert checksum in html
    migration = Migration.objects.get()
    assert (migration.checksum, migration.commit) == (checksum, commit)


def test_browser_crlf_is_stored_as_lf(backend_client: Client, incident) -> None:
    backend_client.post(url(incident), {"name": "0_init", "sql": SQL.replace("\n", "\r\n")})
    migration = Migration.objects.get()
    assert migration.sql == SQL
    assert migration.checksum == hashlib.sha256(SQL.encode()).hexdigest()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "add columns", "sql": SQL}, "Use Prisma&#x27;s folder style"),
        ({"name": "20260212134000_x", "sql": ""}, "This field is required."),
    ],
)
def test_bad_input_is_a_form_error(backend_client: Client, incident, data, error) -> None:
    html = backend_client.post(url(incident), data, HTTP_HX_REQUEST="true").content.decode()
    assert error in html
    assert Migration.objects.count() == 0


def test_commit_of_another_incident_is_not_a_choice(
    backend_client: Client, incident, backend_user
) -> None:
    other = services.create_incident(title="Other", author=backend_user)
    commit = services.add_commit(other, services.CommitFields(sha="abcdef1"), author=backend_user)
    html = backend_client.post(
        url(incident), {"name": "0_init", "sql": SQL, "commit": commit.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Select a valid choice." in html
    assert Migration.objects.count() == 0
