"""gunicorn's settings, for every way Driftwatch's web server runs:
`gunicorn config.wsgi -c config/gunicorn.py` (the Dockerfile, compose, bin/start, bench/load.py).

Driftwatch's pages spend most of their time in Python (templates, the ORM), so what bounds
throughput is one busy process per core; one more process than cores keeps the cores busy
while a request waits on PostgreSQL.

One thread per process. Threads of one process share its GIL: with four, up to four requests
took turns on one core, each turn handed over by the interpreter, and every request cost more
CPU and waited for the others' turns. bench/load.py, 50 users pausing a second, on the 2-core
machine while it was quiet (2026-12-07 04:41-04:46 UTC): 3 processes x 4 threads, 19.0 ms of
web CPU per request and p99 547 ms; 3 x 1, 16.1 ms and p99 277 ms; 4 x 1, 14.3-17.3 ms and
p99 266-489 ms; 5 x 2, 18.6 ms and p99 872 ms; 6 x 1, 20.3 ms and p99 1,054 ms (more processes
than that only queue for the same two cores). The gthread worker is kept for its single thread:
it holds the browsers' keep-alive connections in its event loop (a sync worker closes each one),
and GUNICORN_THREADS raises the count where requests wait on something slower than CPU.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Browsers and API clients reuse their connection between requests.
keepalive = 5
