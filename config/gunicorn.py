"""gunicorn's settings, for every way Driftwatch's web server runs:
`gunicorn config.wsgi -c config/gunicorn.py` (the Dockerfile, compose, bin/start, bench/load.py).

Driftwatch's pages spend most of their time in Python (templates, the ORM), so what bounds
throughput is one busy process per core; one more process than cores keeps the cores busy
while a request waits on PostgreSQL. Threads (gthread) let a process hold keep-alive
connections and overlap those waits without a process each, and a request that runs long does
not hold up the connections behind it in the same way a sync worker does.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Browsers and API clients reuse their connection between requests.
keepalive = 5
