"""Each role lands on its own first page after logging in: the mobile team on Endpoints."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def log_in(client: Client, username: str, next_url: str = "") -> str:
    data = {"username": username, "password": "pw-for-tests-only"}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def test_mobile_lands_on_endpoints(mobile_user, client: Client) -> None:
    assert log_in(client, "test-mobile") == reverse("audits:endpoints") == "/endpoints/"


def test_backend_lands_on_the_overview(backend_user, client: Client) -> None:
    assert log_in(client, "test-backend") == reverse("audits:overview")


def test_next_wins_over_the_role_page(mobile_user, client: Client) -> None:
    assert log_in(client, "test-mobile", "/incidents/") == "/incidents/"


def test_signed_in_mobile_visiting_login_goes_to_endpoints(mobile_client: Client) -> None:
    response = mobile_client.get(reverse("login"))
    assert (response.status_code, response["Location"]) == (302, "/endpoints/")


def test_without_an_endpoints_page_mobile_lands_on_the_overview(
    mobile_user, client: Client, settings
) -> None:
    settings.LOGIN_REDIRECT_URL_READ_ONLY = "no-such:page"
    assert log_in(client, "test-mobile") == reverse("audits:overview")
