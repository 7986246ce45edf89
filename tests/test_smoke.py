import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_public(client) -> None:
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.django_db
def test_overview_requires_login(client) -> None:
    response = client.get(reverse("audits:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
