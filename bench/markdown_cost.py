#!/usr/bin/env python
"""What Markdown costs now: the incident page with the largest steps the form accepts.

- an incident with 200 steps of MARKDOWN_MAX_LENGTH characters each (prose, lists, code, links);
- an incident with five reference-link bombs at that size (`[1]: http://a/` then `[1]` repeated:
  the 24 KB version took 67 s per render with Python-Markdown, on every view);
- the time to write one maximal step (the render now happens once, there).

Run: .venv/bin/python bench/markdown_cost.py [--requests 20]
It creates the database ``dw_bench_markdown`` (BENCH_DB) on BENCH_PG (default
postgresql://postgres@127.0.0.1:5432/postgres) from scratch and drops it at the end. Times are
Django's test client around one request (the server's own time, no network). Goal: the
200-step page under 300 ms, the five-bomb page well under a second.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "dw_bench_markdown")
PARAGRAPH = (
    "Ran `prisma migrate deploy` against **production** after the reset; the `User` table "
    "came back without `username` and *nine* other columns, see [the runbook]"
    "(https://example.com/runbook) and the [Prisma docs](https://www.prisma.io/docs).\n\n"
    "- restored `Order` from the 02:00 snapshot\n- re-ran the backfill for `SupplierProfile`\n\n"
    "```sql\nALTER TABLE \"User\" ADD COLUMN \"username\" TEXT;\n```\n\n"
)


def sized(text: str, length: int) -> str:
    return (text * (length // len(text) + 1))[:length]


def reference_bomb(length: int) -> str:
    head = "[1]: http://a/\n\n"
    return head + "[1]" * ((length - len(head)) // 3)


def setup_django() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ["DATABASE_URL"] = ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def page_times(client, url: str, requests: int) -> tuple[float, float, float, int]:
    """Median and max wall time, median CPU time of this process (the server's Python work,
    which other jobs on a shared machine do not inflate as much), and the page size."""
    client.get(url)
    times, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times), statistics.median(cpu), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    try:
        from django.contrib.auth.models import Group, User
        from django.test import Client

        from recovery import services
        from recovery.markdown import MARKDOWN_MAX_LENGTH, markdown_to_html

        user = User.objects.create_user("bench-backend")
        user.groups.add(Group.objects.get_or_create(name="backend")[0])
        client = Client()
        client.force_login(user)

        step = sized(PARAGRAPH, MARKDOWN_MAX_LENGTH)
        bomb = reference_bomb(MARKDOWN_MAX_LENGTH)
        writes = []
        big = services.create_incident(title="Two hundred maximal steps", author=user)
        for _ in range(args.steps):
            started = time.perf_counter()
            services.log_step(big, body=step, author=user)
            writes.append((time.perf_counter() - started) * 1000)
        bombs = services.create_incident(title="Five reference-link bombs", author=user)
        bomb_writes = []
        for _ in range(5):
            started = time.perf_counter()
            services.log_step(bombs, body=bomb, author=user)
            bomb_writes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        markdown_to_html(bomb)
        bomb_render = (time.perf_counter() - started) * 1000

        print(f"step size {MARKDOWN_MAX_LENGTH:,} characters; {args.requests} requests per page; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"write one maximal step (render + store): median {statistics.median(writes):.1f} ms")
        print(f"write one maximal reference-link bomb: median "
              f"{statistics.median(bomb_writes):.1f} ms (render alone {bomb_render:.1f} ms)")
        for label, incident in ((f"incident page, {args.steps} maximal steps", big),
                                ("incident page, 5 maximal reference-link bombs", bombs)):
            median, worst, cpu, size = page_times(client, incident.get_absolute_url(),
                                                  args.requests)
            print(f"{label}: median {median:.1f} ms (CPU {cpu:.1f} ms), max {worst:.1f} ms, "
                  f"{size / 1e6:.1f} MB")
        median, worst, cpu, size = page_times(
            client, f"/incidents/{bombs.slug}/postmortem/", max(3, args.requests // 4))
        print(f"post-mortem page, 5 maximal reference-link bombs: median {median:.1f} ms "
              f"(CPU {cpu:.1f} ms), max {worst:.1f} ms")
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
