"""The admin's names for the recovery models read as English."""

import pytest
from django.contrib import admin
from django.test import Client

pytestmark = pytest.mark.django_db


def test_plural_names() -> None:
    names = {model._meta.verbose_name_plural for model in admin.site._registry
             if model._meta.app_label == "recovery"}
    assert names == {"incidents", "timeline entries", "commits", "migrations", "data losses",
                     "action items"}


def test_admin_index_says_data_losses(client: Client, django_user_model) -> None:
    django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client.login(username="root", password="pw-for-tests-only")
    html = client.get("/admin/").content.decode()
    assert ">Data losses</a>" in html
    assert "losss" not in html
