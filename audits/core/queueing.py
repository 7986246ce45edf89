"""Work queued on Celery once per target: audit runs and endpoint rescans.

Both follow one shape. A row in state ``queued`` is the request, and a database constraint
allows one queued or running row per target, so a second request (or two at once) gets the
existing row. The task message carries only the row's id; a worker claims the row with a
conditional UPDATE, so a redelivered message or a second worker does nothing. A broker that
cannot be reached fails the row with that reason instead of leaving it queued for ever, and a
periodic sweep fails the rows a dead worker or a lost message left behind.

A worker proves it is alive while it runs a row: ``heartbeat`` stamps ``heartbeat_at`` every
few seconds from a thread of its own. A worker killed outright (SIGKILL, the OOM killer, a lost
machine, Celery's hard time limit) stops stamping, and the sweep fails the row within a minute,
where waiting for the task's time limit took eleven. Celery's own answer (late acks plus
``reject_on_worker_lost``) is not used for this: it redelivers the message, which the claim
then skips because the row is still ``running``, and it cannot see a whole worker host die.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from celery import current_app
from django.db import DatabaseError, IntegrityError, connection, models, transaction
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


def send_on_commit(row: Row, send_row: Callable[[int], object]) -> Row:
    """``send_row(row.pk)`` once the new row is committed. Outside a transaction that is at
    once, and the row is read back: when the broker was unreachable the caller then sees the
    row failed with that reason (the page and the API answer with the real status, not
    "queued")."""
    transaction.on_commit(lambda: send_row(row.pk))
    if not transaction.get_connection().in_atomic_block:
        row.refresh_from_db()
    return row


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
    now = timezone.now()
    return bool(
        model._default_manager.filter(pk=row_id, status="queued")
        .update(status="running", started_at=now, heartbeat_at=now)
    )


def beat(model: type[models.Model], row_id: int) -> bool:
    """Stamp a running row's heartbeat; False once it is no longer running (finished, or
    failed by the sweep), which ends the heartbeat."""
    return bool(model._default_manager.filter(pk=row_id, status="running")
                .update(heartbeat_at=timezone.now()))


@contextmanager
def heartbeat(model: type[models.Model], row_id: int) -> Iterator[None]:
    """While the body runs, a daemon thread calls ``beat`` every ``conf.heartbeat_interval()``
    seconds on a database connection of its own, closed when the body ends."""
    stop = threading.Event()

    def stamp() -> None:
        try:
            while not stop.wait(conf.heartbeat_interval()):
                try:
                    if not beat(model, row_id):
                        return
                except DatabaseError as exc:  # Driftwatch's database away: retry next beat
                    log.warning("heartbeat of %s %s failed: %s", model.__name__, row_id,
                                type(exc).__name__)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=stamp, name=f"heartbeat-{model.__name__}-{row_id}",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def lost_worker_message(what: str, last_heartbeat: datetime) -> str:
    utc = last_heartbeat.astimezone(UTC)
    return (f"worker lost: no heartbeat since {utc:%Y-%m-%d %H:%M:%S} UTC; the "
            f"worker running this {what} was killed or cut off before finishing")


def left_behind(model: type[models.Model], time_limit_s: int, now: datetime | None = None,
                ) -> tuple[list[tuple[int, datetime | None]], list[int]]:
    """The rows a sweep should fail.

    Dead: (id, last heartbeat) of rows running whose heartbeat is older than
    ``conf.heartbeat_timeout()``, or running past the task's hard time limit plus a margin
    (a row claimed before heartbeats existed, or a pool that enforces no time limit; the
    heartbeat is then None when it is fresh). Lost: ids of rows queued past the queued limit,
    whose message never reached a worker.
    """
    now = now or timezone.now()
    rows = model._default_manager
    silent_since = now - timedelta(seconds=conf.heartbeat_timeout())
    dead_before = now - timedelta(seconds=time_limit_s + conf.stale_margin())
    lost_before = now - timedelta(seconds=conf.queued_limit())
    dead = [(pk, beat_at if beat_at is not None and beat_at < silent_since else None)
            for pk, beat_at in rows.filter(
                models.Q(heartbeat_at__lt=silent_since) | models.Q(started_at__lt=dead_before),
                status="running").values_list("pk", "heartbeat_at")]
    lost = list(rows.filter(status="queued", queued_at__lt=lost_before)
                .values_list("pk", flat=True))
    return dead, lost
