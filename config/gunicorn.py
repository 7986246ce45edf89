"""gunicorn's configuration: `gunicorn config.wsgi -c config/gunicorn.py` (the Dockerfile's)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
