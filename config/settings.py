"""One settings module, read from the environment, with defaults that run on a bare machine.

Unset variables give the zero-setup mode: SQLite for Driftwatch's own data and kombu's
filesystem transport as the Celery broker, so a real worker and beat run with no server at all.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.secret_key import local_secret_key, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DRIFTWATCH_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The laptop demo `bin/start` runs: no SECRET_KEY needed (a random one is kept in the var dir).
LOCAL_DEMO = env_bool("DRIFTWATCH_LOCAL_DEMO", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and (DEBUG or LOCAL_DEMO):
    SECRET_KEY = local_secret_key(VAR_DIR)
# SECRET_KEY also derives the key encrypting stored connection strings: a deployment must not
# start on a missing, published or weak one (config/secret_key.py says which).
if not DEBUG and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"{problem} Set SECRET_KEY to a long random value, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`, "
        "or DRIFTWATCH_LOCAL_DEMO=true for a local demo (a random key kept in the var dir)."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://localhost:8000,http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "recovery",
    "audits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # the base layout and shared partials, then each audits feature package's own pages
        "DIRS": [BASE_DIR / "templates", *sorted(BASE_DIR.glob("audits/*/templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'driftwatch.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Zero-setup mode has the web server, a worker and beat writing to one SQLite file: WAL lets
    # readers run beside a writer, IMMEDIATE takes the write lock up front (no upgrade deadlock),
    # and the timeout makes a writer wait for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A broken persistent connection (Driftwatch's PostgreSQL restarted, or the backend killed)
# is noticed and replaced before a request uses it, instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto: secure cookies, HSTS, and a
# redirect of plain HTTP, so `manage.py check --deploy` has nothing left to warn about.
HTTPS = env_bool("DRIFTWATCH_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DRIFTWATCH_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DRIFTWATCH_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DRIFTWATCH_HSTS_PRELOAD", True)

# Login throttling (django-axes): after DRIFTWATCH_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused, right password or not, for the cool-off.
# Keyed on the pair so a guesser cannot lock the real user out from everywhere else.
AUTHENTICATION_BACKENDS = [
    "config.lockout.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DRIFTWATCH_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("DRIFTWATCH_LOGIN_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on stderr of every manage.py command
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"

# Database sessions, as Django's, read with one plain statement (config/sessions.py says why).
SESSION_ENGINE = "config.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "audits:overview"
# Where a read-only (mobile role) user lands after logging in without a ?next=: the page that
# answers their question, which endpoints work. Falls back to LOGIN_REDIRECT_URL when no app
# serves that URL name.
LOGIN_REDIRECT_URL_READ_ONLY = "audits:endpoints"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Rendered fragments keyed by a digest of what they show (recovery/fragments.py): each web
# process keeps its own, so nothing is shared that would need invalidating.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "driftwatch",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
}

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Celery: Redis when CELERY_BROKER_URL is set (docker compose), otherwise kombu's filesystem
# transport under var/, which needs no server and still lets a real worker and beat run.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the worker's database connection before and after every task
# unless this is set: each audit paid a new PostgreSQL backend (connect, authenticate, catalog
# caches cold), a tenth of its time in bench/fleet.py. The fixup now recycles it every 2 x this
# many tasks, and config/celery.py applies Django's own rules around each task, as for a web
# request: CONN_MAX_AGE, and the health check that replaces a broken connection.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "500"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# On a cold shutdown (SIGQUIT, what bin/start sends on Ctrl-C) running tasks get this long to
# finish before they are ended; a warm shutdown (SIGTERM) still waits for them.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = float(
    os.environ.get("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", "3")
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "enqueue-due-audits": {"task": "audits.enqueue_due_audits", "schedule": 60.0},
    # With heartbeats every 5 s and a 40 s timeout (audits.core.conf), a sweep every 20 s fails
    # a dead worker's audit within a minute of its last heartbeat.
    "sweep-stale-audits": {"task": "audits.sweep_stale_audits",
                           "schedule": float(os.environ.get("DRIFTWATCH_SWEEP_SECONDS", "20"))},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "driftwatch@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# A local git checkout whose history fills in commits logged by sha.
REPO_PATH = os.environ.get("REPO_PATH", "")

# A PostgreSQL server where migration histories are replayed into scratch databases
# (driftwatch_shadow_*); the role needs CREATEDB. A finished replay's database is kept as a
# template (driftwatch_tpl_*, the 8 most recently used per server, older ones dropped) that a
# later replay of a history sharing its first migrations starts from. Empty: a target on
# this machine is replayed on its own server, a remote target's history is refused.
DRIFTWATCH_SHADOW_DATABASE_URL = os.environ.get("DRIFTWATCH_SHADOW_DATABASE_URL", "")

# The environment variables a target may read its database URL from: names, or prefixes ending
# in "*". Whoever edits a target picks the variable, and the workers also hold DATABASE_URL
# (Driftwatch's own database) and other secrets; an empty list allows none.
DRIFTWATCH_TARGET_ENV_VARS = env_list("DRIFTWATCH_TARGET_ENV_VARS", "DRIFTWATCH_TARGET_*")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

for directory in (VAR_DIR, *(BROKER_DIR / name for name in ("queue", "processed", "control"))):
    directory.mkdir(parents=True, exist_ok=True)
