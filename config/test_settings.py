"""Settings for the test suite: the real settings, with a random SECRET_KEY for this run.

Set in the environment (not just here) so the processes the tests start (a Celery worker,
`manage.py` commands) inherit the same key and can decrypt what the tests stored.
"""

import os
import tempfile
from pathlib import Path

from config.secret_key import new_secret_key

os.environ.setdefault("SECRET_KEY", new_secret_key())
# Tests give targets paths in their temporary folders and in ../shared's fixtures, besides the
# defaults (the var dir, the bundled demo): the confinement tests set their own roots.
_repo = Path(__file__).resolve().parent.parent
os.environ.setdefault("DRIFTWATCH_PATH_ROOTS", ":".join([
    tempfile.gettempdir(),
    os.environ.get("DRIFTWATCH_SHARED", str(_repo.parent / "shared")),
    os.environ.get("DRIFTWATCH_VAR_DIR", str(_repo / "var")),
    str(_repo / "audits" / "seed"),
]))

from config.settings import *  # noqa: E402,F403
