#!/usr/bin/env python
"""CPU of one request for each page of bench/load.py's walk, in-process, production settings.

Where bench/load.py says what fifty people get, this says where the web server's CPU goes, page
by page and role by role, on a quiet or a busy machine alike: it counts the CPU time of the
thread serving the request (``time.thread_time``), which other people's jobs on the same cores
hardly move, around Django's own WSGI handler (every middleware, the session, the user, the
page), with DEBUG off, on PostgreSQL with the demo loaded.

Run: .venv/bin/python bench/page_cpu.py [--requests 20] [--profile PAGE]
It creates (once) and reuses the database ``BENCH_DB`` (default ``dw_bench_page_cpu``) on
BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres); pass --rebuild to start from
scratch. ``--profile incident`` (or ``incident:mobile``, or ``mix``) prints a cProfile of
that page's CPU time instead; ``--sql`` prints each page's queries; ``--only PAGE`` measures
one page. The "mix" line is the average over one walk of each role, in bench/load.py's
proportions (the incident page brings its two fragments).

The CPU a thread is charged on this virtual machine grows when the host is busy (the same code
measured 9 ms and 17 ms per request an hour apart): compare code side by side in the same
minutes, never with figures taken at another time.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import ensure_database  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "dw_bench_page_cpu")
INCIDENT = "prisma-migrate-reset-production"
TARGET = "marketplace-production"


def walk(role: str) -> list[tuple[str, str, bool]]:
    """bench/load.py's walk of one user of the role: (page, path, API?)."""
    incident = [
        ("incident", f"/incidents/{INCIDENT}/", False),
        ("incident: drift panel", f"/drift/incidents/{INCIDENT}/", False),
        ("incident: migrations applied", f"/drift/incidents/{INCIDENT}/migrations/", False),
    ]
    pages = {
        "overview": [("overview", "/", False)],
        "target": [("target", f"/targets/{TARGET}/", False)],
        "target endpoints": [("target endpoints", f"/targets/{TARGET}/endpoints/", False)],
        "endpoints": [("endpoints", "/endpoints/", False)],
        "incident": incident,
        "post-mortem": [("post-mortem", f"/incidents/{INCIDENT}/postmortem/", False)],
        "api status": [("api status", f"/api/v1/targets/{TARGET}/status", True)],
        "api endpoints": [("api endpoints", f"/api/v1/targets/{TARGET}/endpoints", True)],
    }
    order = (["overview", "target", "target endpoints", "incident", "post-mortem", "api status"]
             if role == "backend" else
             ["overview", "endpoints", "target", "incident", "post-mortem", "api endpoints"])
    return [request for name in order for request in pages[name]]


def prepare(rebuild: bool) -> None:
    os.environ["DATABASE_URL"] = ensure_database(ADMIN, DB_NAME, rebuild=rebuild)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("DRIFTWATCH_VAR_DIR", str(REPO / "var" / "bench_page_cpu"))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from recovery.models import Incident

    call_command("migrate", verbosity=0)
    if not Incident.objects.filter(slug=INCIDENT).exists():
        call_command("demo", stdout=io.StringIO())


def sign_in(role: str) -> tuple[str, str]:
    """A session cookie and an API token for a user of the role, as the login form makes them."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import RequestFactory
    from django.utils.module_loading import import_string

    from audits.api import tokens

    user, _ = User.objects.get_or_create(username=f"cpu-{role}")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    request = RequestFactory().get("/")
    engine = import_string(settings.SESSION_ENGINE)
    request.session = engine.SessionStore()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    session: SessionBase = request.session
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookie, tokens.create_token(user, name="page_cpu")[1]


def call(handler, path: str, headers: dict[str, str]) -> tuple[int, int]:
    from django.test import RequestFactory

    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET",
                                             SERVER_NAME="127.0.0.1", **headers)
    status = []
    body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
    return int(status[0].split()[0]), len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--profile", default="",
                        help='"incident", "target:mobile"... or "mix": its cProfile')
    parser.add_argument("--sort", default="cumulative", help="cProfile's order")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument("--only", default="", help="measure only this page (both roles)")
    args = parser.parse_args()
    prepare(args.rebuild)
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handler = WSGIHandler()
    credentials = {role: sign_in(role) for role in ("backend", "mobile")}

    def headers(role: str, api: bool) -> dict[str, str]:
        cookie, token = credentials[role]
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if api else {"HTTP_COOKIE": cookie}

    if args.profile:
        import cProfile
        import pstats

        if args.profile == "mix":  # one walk of each role, as the mix line counts them
            requests = [(path, headers(role, api)) for role in ("backend", "mobile")
                        for _, path, api in walk(role)]
        else:
            role = "mobile" if args.profile.endswith(":mobile") else "backend"
            name = args.profile.removesuffix(":mobile")
            requests = [(p, headers(role, a)) for n, p, a in walk(role) if n == name]
        for _ in range(3):
            for path, hdrs in requests:
                call(handler, path, hdrs)
        # CPU time of this thread, not wall time: waits on PostgreSQL are not what is sought
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        for _ in range(args.requests):
            for path, hdrs in requests:
                call(handler, path, hdrs)
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats(args.sort).print_stats(args.lines)
        return

    print(f"{'page':30} {'role':8} {'CPU ms':>7} {'wall ms':>8} {'queries':>8} {'bytes':>8}")
    mix: list[float] = []
    for role in ("backend", "mobile"):
        for name, path, api in walk(role):
            if args.only and name != args.only:
                continue
            hdrs = headers(role, api)
            for _ in range(3):
                status, _ = call(handler, path, hdrs)
                assert status == 200, (path, status)
            cpu, wall = [], []
            for _ in range(args.requests):
                started, started_cpu = time.perf_counter(), time.thread_time()
                call(handler, path, hdrs)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                _, size = call(handler, path, hdrs)
            mix.append(statistics.median(cpu))
            if args.sql:
                for query in queries.captured_queries:
                    print(f"    {query['sql'][:300]}")
            print(f"{name:30} {role:8} {statistics.median(cpu):7.1f} "
                  f"{statistics.median(wall):8.1f} {len(queries):8d} {size:8d}")
    print(f"{'mix (average per request)':30} {'both':8} {statistics.mean(mix):7.1f}")


if __name__ == "__main__":
    main()
