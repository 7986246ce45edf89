#!/usr/bin/env python
"""Median server time of the two heaviest audits pages, on PostgreSQL, in-process.

- the overview with 200 targets (30 runs each, for the trend strips, and their worst findings);
- the target page of a 2,000-table target (its grid, plus the htmx grid fragment).

Run: .venv/bin/python bench/page_speed.py [--requests 30]
It creates (once) and reuses the database ``dw_bench_pages`` on BENCH_PG (default
postgresql://postgres@127.0.0.1:5432/postgres); pass --rebuild to start from scratch.
Time is measured around Django's test client (request -> response, no network), which is the
server's own time. Target: median <= 150 ms.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import ensure_database  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "dw_bench_pages")
TARGETS = 200
RUNS_PER_TARGET = 30
WIDE_TABLES = 2000
STATUSES = ("ok", "degraded", "broken", "missing")


def prepare_database(rebuild: bool) -> None:
    os.environ["DATABASE_URL"] = ensure_database(ADMIN, DB_NAME, rebuild=rebuild)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))  # production settings want one
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate() -> None:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from audits.core import crypto
    from audits.core.models import AuditRun, Finding, ModelStatus, Target
    from audits.core.svg import trend_strip

    if Target.objects.filter(slug="wide").exists():
        return
    user, _ = User.objects.get_or_create(username="bench-mobile")
    user.groups.add(Group.objects.get_or_create(name="mobile")[0])
    token = crypto.encrypt("postgresql://app:secret@db.internal:5432/shop")
    now = timezone.now()
    targets = Target.objects.bulk_create([
        Target(name=f"Service {i:03d}", slug=f"service-{i:03d}", dialect="postgresql",
               dsn_encrypted=token, interval_minutes=60, next_due_at=now + timedelta(hours=1))
        for i in range(TARGETS)
    ] + [Target(name="Wide warehouse", slug="wide", dialect="postgresql", dsn_encrypted=token)])
    runs = []
    for n, target in enumerate(targets):
        for r in range(1 if target.slug == "wide" else RUNS_PER_TARGET):
            worst = STATUSES[(n + r) % 4]
            failed = r % 11 == 5
            start = now - timedelta(hours=RUNS_PER_TARGET - r)
            runs.append(AuditRun(
                target=target, status="failed" if failed else "succeeded", trigger="schedule",
                started_at=start, finished_at=start + timedelta(seconds=2), duration_ms=2000,
                error="could not connect" if failed else "", worst_status="" if failed else worst,
                critical_count=0 if failed else r % 5, error_count=r % 3, warning_count=r % 4,
            ))
    runs = AuditRun.objects.bulk_create(runs, batch_size=2000)
    AuditRun.objects.filter(pk__in=[r.pk for r in runs]).update(queued_at=timezone.now())
    for run in runs:  # queued_at is auto_now_add: spread it like the start times
        run.queued_at = run.started_at
    AuditRun.objects.bulk_update(runs, ["queued_at"], batch_size=2000)
    last = {}
    trends: dict[int, list[dict]] = {}
    for run in runs:
        if run.status == "succeeded":
            last[run.target_id] = run
        trends.setdefault(run.target_id, []).append({
            "id": run.pk, "status": run.status, "worst_status": run.worst_status,
            "at": run.finished_at.isoformat(), "ms": run.duration_ms})
    findings, statuses = [], []
    for target in targets:
        run = last[target.pk]
        target.last_run = target.last_success = run
        target.worst_status = run.worst_status
        target.trend = trends[target.pk][-30:]
        target.trend_svg = str(trend_strip(target.trend))
        tables = WIDE_TABLES if target.slug == "wide" else 40
        for t in range(tables):
            status = STATUSES[t % 4] if t % 3 == 0 else "ok"
            name = f"table_{t:04d}"
            statuses.append(ModelStatus(run=run, table=name, model=f"Model{t}", status=status,
                                        status_rank=STATUSES.index(status),
                                        finding_count=0 if status == "ok" else 2,
                                        worst_severity="" if status == "ok" else "critical"))
            if status != "ok":
                for c in range(2):
                    findings.append(Finding(
                        run=run, kind="missing_column", severity="critical", severity_rank=0,
                        schema="public", table=name, column=f"col_{c}", model=f"Model{t}",
                        message=f"{name}.col_{c} is missing", fingerprint=f"{name}.{c}"))
    Target.objects.bulk_update(targets, ["last_run", "last_success", "worst_status", "trend",
                                          "trend_svg"])
    ModelStatus.objects.bulk_create(statuses, batch_size=5000)
    Finding.objects.bulk_create(findings, batch_size=5000)


def measure(client, url: str, requests: int, **headers: str) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url, **headers)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        size = len(client.get(url, **headers).content)
    return statistics.median(times), max(times), len(queries), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    prepare_database(args.rebuild)
    populate()
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="bench-mobile"))
    pages = [
        (f"overview, {TARGETS + 1} targets", "/", {}),
        (f"target page, {WIDE_TABLES} tables", "/targets/wide/", {}),
        ("grid fragment, broken only", "/targets/wide/?status=broken",
         {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "model-grid"}),
    ]
    print(f"{'page':36} {'median ms':>10} {'max ms':>8} {'queries':>8} {'bytes':>9}")
    worst = 0.0
    for label, url, headers in pages:
        median, high, queries, size = measure(client, url, args.requests, **headers)
        worst = max(worst, median)
        print(f"{label:36} {median:10.1f} {high:8.1f} {queries:8d} {size:9d}")
    print("target: median <= 150 ms:", "met" if worst <= 150 else "NOT met")


if __name__ == "__main__":
    main()
