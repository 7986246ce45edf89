"""The incident list: both roles, filters, the htmx fragment, a constant number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from recovery import services

pytestmark = pytest.mark.django_db
URL = reverse("recovery:incident_list")


def make_incidents(author, n: int) -> None:
    for i in range(n):
        incident = services.create_incident(
            title=f"Incident {i}", severity="SEV1" if i % 2 else "SEV3", author=author
        )
        services.add_action_item(incident, title="Do it", author=author)
        if i % 3 == 0:
            services.change_status(incident, "recovering", author=author)


@pytest.mark.parametrize("role", ["backend_client", "mobile_client"])
def test_renders_for_both_roles(role, incident, request) -> None:
    client: Client = request.getfixturevalue(role)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'id="incident-list"' in html
    assert "Orders table dropped" in html
    assert ("Declare an incident" in html) is (role == "backend_client")


def test_filters_by_status_and_severity(backend_client: Client, backend_user) -> None:
    make_incidents(backend_user, 6)
    html = backend_client.get(URL, {"status": "recovering", "severity": "SEV1"}).content.decode()
    # Incidents 0 and 3 are recovering; of those only 3 is SEV1.
    assert ">Incident 3<" in html
    for other in (0, 1, 2, 4, 5):
        assert f">Incident {other}<" not in html
    html = backend_client.get(URL, {"severity": "SEV3"}).content.decode()
    assert [i for i in range(6) if f">Incident {i}<" in html] == [0, 2, 4]


def test_unknown_filter_values_are_ignored(backend_client: Client, incident) -> None:
    html = backend_client.get(URL, {"status": "bogus", "severity": "SEV9"}).content.decode()
    assert "Orders table dropped" in html


def test_htmx_gets_the_fragment(backend_client: Client, incident) -> None:
    response = backend_client.get(URL, {"status": "declared"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.strip().startswith('<section id="incident-list"')
    assert "<html" not in html
    assert "Orders table dropped" in html


def test_no_match_says_so(backend_client: Client, incident) -> None:
    html = backend_client.get(URL, {"status": "resolved"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No incidents match these filters." in html


@pytest.mark.parametrize("n", [1, 12])
def test_query_count_does_not_grow_with_incidents(
    n, backend_client: Client, backend_user, django_assert_max_num_queries
) -> None:
    make_incidents(backend_user, n)
    # session + user + groups (role check) + the list query: constant in n.
    with django_assert_max_num_queries(6):
        response = backend_client.get(URL)
    assert response.content.decode().count('data-label="Incident"') == n
