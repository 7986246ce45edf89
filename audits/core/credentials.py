"""A target's database URL: where it is read from, and how it is kept out of sight.

The URL is the one credential an audit needs and usually holds the password of a production
database, so it has one way in and several ways to stay hidden:

- ``target_dsn`` is the only function that returns it in clear, for the engine alone;
- a URL read from an environment variable passes two checks, because whoever edits a target
  chooses the variable and the workers' environment holds other secrets: its name must match
  settings ``DRIFTWATCH_TARGET_ENV_VARS`` (``check_env_var``: else ``DATABASE_URL`` would audit
  Driftwatch's own database and show its tables), and its value must be a database URL
  (``checked_env_dsn``: else a message would quote the secret it holds);
- pages show ``redacted_dsn``, error messages go through ``scrub`` and tracebacks through
  ``log_crash``, so the password never reaches a page, a log line, a stored error or an alert.

Everything here reads a target; nothing writes one (that is ``audits.targets.services``).
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from audits.engine.errors import EngineError, TargetError

from . import conf, confinement
from .errors import TargetConfigError
from .models import Target

__all__ = ["TargetConfigError"]  # defined in .errors, imported from here by most callers

log = logging.getLogger(__name__)


@sensitive_variables("value")
def target_dsn(target: Target) -> str:
    """The DSN in clear, for the engine only: never log, render or store what this returns."""
    if target.dsn_env_var:
        check_env_var(target.dsn_env_var)  # a target saved before the rule, or the rule changed
        value = os.environ.get(target.dsn_env_var, "")
        if not value:
            raise TargetConfigError(
                f"the environment variable {target.dsn_env_var} that should hold the "
                "database URL is not set"
            )
        value = checked_env_dsn(target.dsn_env_var, value)
        check_target_location(value)
        return value
    from . import crypto

    try:
        value = crypto.decrypt(target.dsn_encrypted)
    except crypto.SecretUnreadable as exc:  # a reason for the run, not a crash
        raise TargetConfigError(
            "the stored database URL cannot be decrypted: the encryption key changed since it "
            "was saved; enter the URL again"
        ) from exc
    if not value:
        raise TargetConfigError("the target has no database URL")
    check_target_location(value)
    return value


# -- where a target may live ---------------------------------------------------------------------

LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1", "[::1]"})


@sensitive_variables("dsn", "params")
def check_target_location(dsn: str) -> None:
    """Refuse a URL naming a host outside DRIFTWATCH_TARGET_HOSTS, Driftwatch's own database,
    or a SQLite file outside DRIFTWATCH_PATH_ROOTS. Checked when a target is saved and again
    at audit time (an environment variable may change in between)."""
    from audits.engine.connect import POSTGRESQL, dialect_of, libpq_dsn, sqlite_path

    try:
        dialect = dialect_of(dsn)
    except EngineError as exc:
        raise TargetConfigError(str(exc)) from exc
    own = _own_database()
    if dialect != POSTGRESQL:
        try:
            path = confinement.confined(sqlite_path(dsn), "SQLite file")
        except EngineError as exc:
            raise TargetConfigError(str(exc)) from exc
        if own["engine"] == "sqlite" and own["name"] and path == confinement.Path(
                os.path.realpath(own["name"])):
            raise TargetConfigError(OWN_DATABASE)
        return
    try:
        params = psycopg.conninfo.conninfo_to_dict(libpq_dsn(dsn))
    except (psycopg.Error, UnicodeError):
        return  # reaches nothing: the audit fails with the engine's "cannot be parsed" reason
    hosts = str(params.get("host") or params.get("hostaddr") or "localhost").split(",")
    port = str(params.get("port") or "5432").split(",")[0]
    dbname = str(params.get("dbname") or params.get("user") or "")
    allowed = conf.target_hosts()
    for host in hosts:
        if allowed and not _host_allowed(host.strip(), port, allowed):
            raise TargetConfigError(
                f"the host {host.strip()} is not one Driftwatch may audit "
                f"(DRIFTWATCH_TARGET_HOSTS: {', '.join(allowed)})")
        if own["engine"] == "postgresql" and _same_server(host.strip(), own["host"]) \
                and port == own["port"] and dbname == own["name"]:
            raise TargetConfigError(OWN_DATABASE)


OWN_DATABASE = ("the database URL names Driftwatch's own database, whose tables every reader "
                "would then see: audit another database")


def _own_database() -> dict[str, str]:
    from django.db import connection

    config = connection.settings_dict
    engine = "postgresql" if "postgresql" in config["ENGINE"] else (
        "sqlite" if "sqlite" in config["ENGINE"] else config["ENGINE"])
    return {"engine": engine, "host": str(config.get("HOST") or "localhost"),
            "port": str(config.get("PORT") or "5432"), "name": str(config.get("NAME") or "")}


def _same_server(host: str, own_host: str) -> bool:
    def local(name: str) -> bool:
        return name.lower() in LOCAL_HOSTS or name.startswith("/")  # a Unix socket folder

    return host.lower() == own_host.lower() or (local(host) and local(own_host))


def _host_allowed(host: str, port: str, allowed: list[str]) -> bool:
    """`host` (or `host:port`) matches an entry: exact, or `*.domain` for its subdomains."""
    host = host.lower().strip("[]")
    for entry in (item.lower() for item in allowed):
        name, _, entry_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and entry_port != port:
            continue
        name = name.strip("[]")
        if name == host or (name.startswith("*.") and host.endswith(name[1:])):
            return True
    return False


def connect_error_class(message: str) -> str:
    """A "cannot connect" message reduced to its cause class, so that the error texts do not
    tell an open port from a closed or filtered one (a port scanner through the form)."""
    head, sep, reason = message.partition(": ")
    if not head.startswith("cannot connect to ") or not sep:
        return message
    lowered = reason.lower()
    if "authentication failed" in lowered or "refuses connections from" in lowered:
        cause = "authentication refused"
    elif "database does not exist" in lowered:
        cause = "the database does not exist"
    elif any(needle in lowered for needle in NETWORK_REASONS):
        cause = "network error (no connection: refused, unreachable, timed out or not PostgreSQL)"
    else:  # a configuration problem (an invalid port number...): says nothing about the network
        return message
    return f"{head}: {cause}"


# The engine's reasons (audits.engine.connect) that tell apart a port's states.
NETWORK_REASONS = ("the host is unreachable", "did not answer within the connect timeout",
                   "cannot be resolved", "closed the connection", "ssl negotiation failed",
                   "not accepting connections", "too many connections")


def allowed_env_vars() -> list[str]:
    """The variable names a target may read its URL from: ``NAME`` exactly, ``PREFIX*`` a prefix."""
    return list(settings.DRIFTWATCH_TARGET_ENV_VARS)


def allowed_env_vars_text() -> str:
    """The allowed names as a person reads them, e.g. in a refusal or a form's help."""
    return ", ".join(allowed_env_vars()) or "none"


def env_var_allowed(name: str) -> bool:
    return any(
        name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern
        for pattern in allowed_env_vars()
    )


def check_env_var(name: str) -> None:
    """Refuse a variable outside ``DRIFTWATCH_TARGET_ENV_VARS``, saying which names are allowed.

    The workers also hold Driftwatch's own ``DATABASE_URL``, the shadow server's URL and the
    broker's: a target pointed at one of them would audit that database and show its tables to
    every reader. Only variables the operator set aside for targets may be read.
    """
    if env_var_allowed(name):
        return
    raise TargetConfigError(
        f"the environment variable {name} may not hold a target's database URL: allowed names "
        f"are {allowed_env_vars_text()} (setting DRIFTWATCH_TARGET_ENV_VARS)"
    )


def checked_env_dsn(name: str, value: str) -> str:
    """``value`` if it is a database URL; else an error that names the variable, not its value.

    Anyone who may edit a target chooses the variable, and the workers' environment also holds
    SECRET_KEY, the encryption key, broker and SMTP passwords: a value that is not a DSN must
    never reach a message (dialect_of and libpq would quote it word for word).
    """
    if _is_dsn(value):
        return value
    raise TargetError(
        f"the environment variable {name} does not hold a database URL (postgresql://..., "
        "sqlite:///abs/path.db or a path ending .db/.sqlite/.sqlite3); its value is not shown"
    )


def _is_dsn(value: str) -> bool:
    from audits.engine.connect import POSTGRESQL, dialect_of, libpq_dsn

    try:
        dialect = dialect_of(value)
    except EngineError:
        return False
    if dialect != POSTGRESQL or "://" in value:
        return True  # a URL: the engine's messages show it redacted
    try:  # the keyword form "host=... dbname=...": any token libpq refuses, it quotes
        psycopg.conninfo.conninfo_to_dict(libpq_dsn(value))
    except psycopg.Error:
        return False
    return True


def dialect_of_env(name: str) -> str:
    """The dialect of the URL a variable holds; PostgreSQL when only the workers have it.

    Like ``target_dsn`` it checks the name before it reads the variable, so saving a target
    (which calls this) refuses a variable that is not allowed.
    """
    check_env_var(name)
    value = os.environ.get(name, "")
    return dialect_for(checked_env_dsn(name, value)) if value else "postgresql"


def redacted_dsn(target: Target) -> str:
    """What pages show instead of the DSN."""
    if target.dsn_env_var:
        return f"${target.dsn_env_var}"
    try:
        return redact(target_dsn(target))
    except Exception:  # an unreadable secret still gets a harmless label
        return "(unreadable: encryption key changed)"


def redact(dsn: str) -> str:
    try:
        from audits.engine.connect import redact_dsn

        return redact_dsn(dsn)
    except ImportError:  # the engine's connect module may not be installed yet
        return _fallback_redact(dsn)


def _fallback_redact(dsn: str) -> str:
    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", dsn)


def scrub(message: str, dsn: str | None) -> str:
    """Remove the DSN and its password from an error message before it is stored or shown."""
    if not dsn:
        return message
    text = message.replace(dsn, redact(dsn))
    for secret in _passwords_in(dsn):
        text = text.replace(secret, "***")
    return text


def _passwords_in(dsn: str) -> list[str]:
    found: list[str] = []
    try:
        password = urlsplit(dsn).password
    except ValueError:
        password = None
    if password:
        found.append(password)
        from urllib.parse import unquote

        if unquote(password) != password:
            found.append(unquote(password))
    match = re.search(r"password\s*=\s*(\S+)", dsn)
    if match:
        found.append(match.group(1).strip("'\""))
    return [secret for secret in found if len(secret) >= 1]


def dsn_quietly(target: Target) -> str | None:
    """The DSN to scrub from a crash report, or None when it cannot be read either."""
    try:
        return target_dsn(target)
    except Exception:  # noqa: BLE001 — a crash report must not crash in turn
        return None


def log_crash(what: str, exc: BaseException, *dsns: str | None) -> None:
    """``log.exception`` with every DSN scrubbed from the traceback text.

    A bug's exception (or one it was chained from) may quote the DSN it was handed, and
    ``log.exception`` would ship that message, password included, to the log collector.
    """
    text = "".join(traceback.format_exception(exc))
    for dsn in dsns:
        text = scrub(text, dsn)
    log.error("%s\n%s", what, text.rstrip())


def dialect_for(dsn: str) -> str:
    try:
        from audits.engine.connect import dialect_of

        return dialect_of(dsn)
    except ImportError:
        return "sqlite" if not dsn.startswith(("postgres://", "postgresql://")) else "postgresql"
