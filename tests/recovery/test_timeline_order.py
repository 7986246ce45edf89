"""The timeline's order: phases in the order they started, steps by time inside each, and a
step without a phase placed by its time, never in a block above the phases."""

from datetime import UTC, datetime

import pytest

from recovery import services
from recovery.postmortem import build_markdown, phase_groups

pytestmark = pytest.mark.django_db


def at(hh_mm: str) -> datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return datetime(2026, 2, 12, hour, minute, tzinfo=UTC)


def log(incident, user, when: str, body: str, phase: str = "") -> None:
    services.log_step(incident, body=body, phase=phase, occurred_at=at(when), author=user)


def test_unphased_steps_sit_in_the_phase_running_at_their_time(incident, backend_user) -> None:
    incident.entries.all().delete()
    log(incident, backend_user, "09:00", "first, before any phase")
    log(incident, backend_user, "10:00", "p1 start", "Phase 1")
    log(incident, backend_user, "12:00", "p2 start", "Phase 2")
    log(incident, backend_user, "12:30", "logged later, no phase")
    log(incident, backend_user, "10:30", "p1 late entry", "Phase 1")
    log(incident, backend_user, "11:00", "unphased during phase 1")
    groups = [(phase, [e.body for e in entries])
              for phase, entries in phase_groups(incident.entries.all())]
    assert groups == [
        ("", ["first, before any phase"]),
        ("Phase 1", ["p1 start", "p1 late entry", "unphased during phase 1"]),
        ("Phase 2", ["p2 start", "logged later, no phase"]),
    ]


def test_demo_timeline_has_no_unphased_block(demo_incident, backend_user) -> None:
    services.log_step(demo_incident, body="Checked the backups", author=backend_user,
                      occurred_at=at("13:25"))
    phases = [phase for phase, _ in phase_groups(demo_incident.entries.all())]
    assert phases[0] == "Phase 1: Initial Destruction"
    assert "" not in phases
    phase_4 = dict(phase_groups(demo_incident.entries.all()))[
        "Phase 4: Comprehensive Table Missing Discovery"]
    bodies = [e.body for e in phase_4]
    assert bodies.index("Checked the backups") == 1  # after 13:24, before 13:26
    assert "Unphased" not in build_markdown(demo_incident)


def test_the_page_shows_dates_with_the_year(demo_incident, backend_client) -> None:
    html = backend_client.get(demo_incident.get_absolute_url()).content.decode()
    assert '<time datetime="2026-02-12T08:55:00+00:00" title="logged ' in html
    assert ">12 Feb 2026 08:55</time>" in html
    assert "UNPHASED" not in html.upper()
