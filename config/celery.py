import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("driftwatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(sender: Any = None, **kwargs: Any) -> None:
    """Around each task, what Django does around each request: a connection past
    CONN_MAX_AGE, or broken (the health check runs on its next use), is replaced; a good one
    is kept (CELERY_DB_REUSE_MAX stops Celery from closing it every time). Not for an eager
    task: it runs inside its caller's request or transaction."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections as close_old

    close_old()
