"""The demo tells one story (issue 16): the fix migrations are written and pushed, their deploy
to production pending — which is what the production target's audit shows — not "deployed,
stability restored" beside a database that still lacks them."""

import pytest

from recovery import demo
from recovery.models import EntryKind

pytestmark = pytest.mark.django_db


def test_fix_migrations_are_pending_on_production(demo_incident) -> None:
    assert demo_incident.status == "recovering"
    assert "deploy to production is\npending" in demo_incident.summary
    assert "stability is restored" not in demo_incident.summary.lower()
    for name, _ in demo.MIGRATIONS:
        entries = demo_incident.entries.filter(body__contains=name)
        assert entries.exists(), name
        assert not entries.filter(kind=EntryKind.DEPLOY).exists(), name
        assert all("deployed (" not in e.body for e in entries)
    last = demo_incident.entries.order_by("occurred_at").last()
    assert last.kind == EntryKind.DECISION and "Deploy the three fix migrations" in last.body


def test_the_demo_has_lessons_learned(demo_incident) -> None:
    assert demo_incident.lessons_learned == demo.LESSONS_LEARNED
    assert "Every schema change is a migration" in demo_incident.lessons_learned
