"""Work queued on Celery once per target: audit runs and endpoint rescans.

Both follow one shape. A row in state ``queued`` is the request, and a database constraint
allows one queued or running row per target, so a second request (or two at once) gets the
existing row. The task message carries only the row's id; a worker claims the row with a
conditional UPDATE, so a redelivered message or a second worker does nothing. A broker that
cannot be reached fails the row with that reason instead of leaving it queued for ever, and a
periodic sweep fails the rows a dead worker or a lost message left behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from celery import current_app
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from . import conf

log = logging.getLogger(__name__)

Row = TypeVar("Row", bound=models.Model)

# A broker that is down answers at once; three tries over about a second, then give up and say so.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def queue_once(active: Callable[[], Row | None], create: Callable[[], Row]) -> tuple[Row, bool]:
    """The target's active row, or a new one from ``create``; True when it is new.

    ``create`` runs in its own savepoint: when another request wins the race, the database
    constraint refuses this one and the winner's row is returned.
    """
    existing = active()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = active()
        if existing is None:
            raise
        return existing, False


def send(task_name: str, row_id: int, *, what: str, fail: Callable[[int, str], object]) -> None:
    """Send ``task_name(row_id)``; when the broker cannot be reached, ``fail(row_id, reason)``.

    The task is found by its name in the Celery app (``AuditsConfig.ready`` imports every
    feature's tasks), so a service never imports the tasks module that calls it back.
    """
    task = current_app.tasks[task_name]
    try:
        task.apply_async(args=[row_id], retry=True, retry_policy=RETRY_POLICY)
    except Exception as exc:  # the broker is down: say so instead of leaving it queued
        log.warning("could not queue %s %s: %s", what, row_id, type(exc).__name__)
        fail(row_id, f"the task broker is unreachable, so the {what} was never queued "
                     f"({type(exc).__name__}); ask again once the broker is back")


def claim(model: type[models.Model], row_id: int) -> bool:
    """queued -> running, by exactly one worker: True for the one that got it."""
    return bool(
        model._default_manager.filter(pk=row_id, status="queued")
        .update(status="running", started_at=timezone.now())
    )


def left_behind(model: type[models.Model], time_limit_s: int,
                now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Ids of the rows a sweep should fail: running past the task's hard time limit (with a
    margin), so their worker died; and queued past the queued limit, so their message was lost."""
    now = now or timezone.now()
    rows = model._default_manager
    dead_before = now - timedelta(seconds=time_limit_s + conf.stale_margin())
    lost_before = now - timedelta(seconds=conf.queued_limit())
    dead = list(rows.filter(status="running", started_at__lt=dead_before)
                .values_list("pk", flat=True))
    lost = list(rows.filter(status="queued", queued_at__lt=lost_before)
                .values_list("pk", flat=True))
    return dead, lost
