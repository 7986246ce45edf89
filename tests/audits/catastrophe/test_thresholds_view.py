"""Changing a target's catastrophe thresholds from its vital-signs panel: only the roles that
write, a bad value refused beside its field with nothing stored, and the change noted on the
target's open incidents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.catastrophe import services
from audits.catastrophe.models import WatchSettings
from audits.core.models import Target
from audits.engine.vitals import Thresholds
from recovery import services as recovery_services
from recovery.models import TimelineEntry

pytestmark = pytest.mark.django_db

VALID = {"thresholds-tables_recreated_fraction": "0.3", "thresholds-tables_recreated_minimum": "2",
         "thresholds-rows_gone_fraction": "0.5", "thresholds-rows_table_minimum": "100",
         "thresholds-rows_total_minimum": "5000", "thresholds-sequence_minimum": "100"}


@pytest.fixture
def target(make_target):
    return make_target(name="Shop", slug="shop")


def url(target: Target) -> str:
    return reverse("audits:vital_signs_thresholds", args=[target.slug])


def panel(client, target: Target) -> str:
    return client.get(reverse("audits:vital_signs", args=[target.slug]),
                      HTTP_HX_REQUEST="true").content.decode()


def test_anonymous_is_sent_to_login_and_nothing_is_stored(client, target) -> None:
    response = client.post(url(target), VALID)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not WatchSettings.objects.exists()


def test_read_only_role_is_refused_and_sees_no_form(mobile, target) -> None:
    assert mobile.post(url(target), VALID).status_code == 403
    assert not WatchSettings.objects.exists()
    assert "Change these thresholds" not in panel(mobile, target)


def test_backend_sees_the_form_with_the_current_values(backend, target) -> None:
    html = panel(backend, target)
    assert "<summary>Change these thresholds</summary>" in html
    assert 'name="thresholds-rows_total_minimum" value="1000"' in html
    assert 'name="thresholds-tables_recreated_fraction" value="0.5"' in html


def test_saving_stores_what_differs_from_the_defaults_and_answers_the_panel(backend,
                                                                            target) -> None:
    response = backend.post(url(target), VALID, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="vital-signs"')
    assert "(0.30 of the tables, at least 2)" in html
    assert "(5000+ together)" in html
    assert WatchSettings.objects.get(target=target).thresholds == {
        "tables_recreated_fraction": 0.3, "rows_total_minimum": 5000}
    assert services.thresholds_for(target) == Thresholds(tables_recreated_fraction=0.3,
                                                         rows_total_minimum=5000)


def test_a_plain_post_goes_back_to_the_page(backend, target) -> None:
    response = backend.post(url(target), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:vital_signs", args=[target.slug])


def test_bad_values_are_refused_beside_their_field_and_nothing_is_stored(backend, target) -> None:
    bad = {**VALID, "thresholds-rows_gone_fraction": "1.5", "thresholds-sequence_minimum": "0",
           "thresholds-rows_table_minimum": "many"}
    response = backend.post(url(target), bad, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<details class=\"dw-vitals-settings\" open>" in html
    assert "Ensure this value is less than or equal to 1.0." in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert "Enter a whole number." in html
    assert not WatchSettings.objects.exists()
    assert "(0.50 of the tables, at least 2)" in html  # the stored limits, not the bad ones


def test_the_change_is_noted_on_the_targets_open_incidents(backend, target) -> None:
    incident = recovery_services.create_incident(title="Reset")
    target.incidents.add(incident)
    backend.post(url(target), VALID)
    entry = TimelineEntry.objects.get(incident=incident, kind="decision")
    assert entry.body.startswith("Catastrophe watch thresholds of **Shop** set to "
                                 "tables_recreated_fraction 0.3, tables_recreated_minimum 2,")
    assert entry.author.username == "test-backend"
