"""Target connections: dialects, redaction, read-only by construction, faults as TargetError."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.engine.connect import (
    dialect_of,
    libpq_dsn,
    readonly_postgres,
    readonly_sqlite,
    redact_dsn,
    url_schema,
)
from audits.engine.errors import TargetError
from audits.engine.introspect import introspect

SECRET = "secret-xyz"


# --- dialect_of -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dsn", "dialect"),
    [
        ("postgres://u@h/db", "postgresql"),
        ("postgresql://u:p@h:5432/db?sslmode=require", "postgresql"),
        ("POSTGRESQL://h/db", "postgresql"),
        ("host=127.0.0.1 dbname=app user=me", "postgresql"),
        ("sqlite:///abs/path.db", "sqlite"),
        ("file:/abs/data.sqlite", "sqlite"),
        ("file:relative/thing", "sqlite"),
        ("/var/data/app.db", "sqlite"),
        ("dev.sqlite3", "sqlite"),
        ("./x.sqlite", "sqlite"),
    ],
)
def test_dialect_of(dsn: str, dialect: str) -> None:
    assert dialect_of(dsn) == dialect


@pytest.mark.parametrize("dsn", ["mysql://root:pw@h/db", "redis://h:6379", "just-a-name", ""])
def test_dialect_of_refuses_other_databases_without_leaking(dsn: str) -> None:
    with pytest.raises(TargetError) as caught:
        dialect_of(dsn)
    assert "unsupported database URL" in str(caught.value)
    assert ":pw@" not in str(caught.value)


# --- redact_dsn -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dsn", "redacted"),
    [
        ("postgresql://app:s3cret@db.example.com:5432/prod",
         "postgresql://app:***@db.example.com:5432/prod"),
        ("postgres://app@db/prod", "postgres://app@db/prod"),
        ("postgresql://db/prod", "postgresql://db/prod"),
        ("postgresql://app:p%40ss%2Fw@h1:5432,h2:5433/prod?sslmode=require",
         "postgresql://app:***@h1:5432,h2:5433/prod?sslmode=require"),
        ("postgresql://app:pa@ss/w@host/db", "postgresql://app:***@host/db"),  # raw @ and /
        ("postgresql://app:pa?ss@host/db", "postgresql://app:***@host/db"),  # raw ?
        ("postgresql://app:pw@host/db?application_name=a@b",
         "postgresql://app:***@host/db?application_name=a@b"),
        ("postgresql://host/db?user=app&password=s3cret&sslmode=require",
         "postgresql://host/db?user=app&password=***&sslmode=require"),
        ("postgresql://host/db?sslpassword=k3y&PASSWORD=x",
         "postgresql://host/db?sslpassword=***&PASSWORD=***"),
        ("host=h dbname=d password=s3cret user=u", "host=h dbname=d password=*** user=u"),
        ("host=h password = 's3 cret\\' x' user=u", "host=h password = *** user=u"),
        ("host=h sslpassword=k3y", "host=h sslpassword=***"),
        ("sqlite:///abs/app.db", "sqlite:///abs/app.db"),
    ],
)
def test_redact_dsn(dsn: str, redacted: str) -> None:
    assert redact_dsn(dsn) == redacted


def test_redact_dsn_never_keeps_any_piece_of_a_password() -> None:
    for password in ["s3cret", "a@b:c/d?e#f", "p w", "'quoted'", "x%40y"]:
        for dsn in (f"postgresql://user:{password}@host:5432/db",
                    f"host=h password={password} dbname=d"):
            assert password not in redact_dsn(dsn), dsn


MARKED_PASSWORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs")), min_size=1, max_size=30
).map(lambda text: f"Pw{text}wP")


@settings(max_examples=300, deadline=None)
@given(password=MARKED_PASSWORDS)
def test_redact_dsn_hides_any_url_password(password: str) -> None:
    for dsn in (f"postgresql://user:{password}@db.example.com:5432/app?sslmode=require",
                f"postgres://user:{quote(password, safe='')}@db/app",
                f"postgresql://db/app?user=u&password={quote(password, safe='')}&x=1"):
        redacted = redact_dsn(dsn)
        assert password not in redacted and quote(password, safe="") not in redacted, redacted


@settings(max_examples=300, deadline=None)
@given(password=MARKED_PASSWORDS | st.text(min_size=1, max_size=20).map(lambda t: f"Pw {t}wP"))
def test_redact_dsn_hides_any_keyword_password(password: str) -> None:
    quoted = "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"
    for dsn in (f"host=h password={quoted} dbname=d", f"sslpassword={quoted} host=h"):
        redacted = redact_dsn(dsn)
        assert "Pw" not in redacted, redacted


@pytest.mark.parametrize(
    ("dsn", "message"),
    [
        ("host=127.0.0.1 foo=bar password=s3cretpw",
         'host=127.0.0.1 foo=bar password=***: the PostgreSQL URL cannot be parsed '
         '(invalid connection option "foo")'),
        ("postgresql://u:s3cretpw@[::1/db",
         'postgresql://u:***@[::1/db: the PostgreSQL URL cannot be parsed (end of string reached '
         'when looking for matching "]" in IPv6 host address in URI: "postgresql://u:***@[::1/db")'),
        ("postgresql://u:s3c%ZZ@127.0.0.1/db",
         'postgresql://u:***@127.0.0.1/db: the PostgreSQL URL cannot be parsed '
         '(invalid percent-encoded token: "***")'),
        ("postgresql://u:s3cretpw@127.0.0.1:99999/db",
         'cannot connect to postgresql://u:***@127.0.0.1:99999/db: connection is bad: '
         'invalid port number: "99999"'),
    ],
)
def test_malformed_urls_fail_without_their_password(dsn: str, message: str) -> None:
    with pytest.raises(TargetError) as caught:
        introspect(dsn, connect_timeout_s=2)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("dsn", "cleaned", "schema"),
    [
        ("postgresql://u:p@h:5432/db?schema=app&connection_limit=5&sslmode=require&pgbouncer=true",
         "postgresql://u:p@h:5432/db?sslmode=require", "app"),
        ("postgresql://u:p@h/db?schema=my%20app&pool_timeout=10", "postgresql://u:p@h/db",
         "my app"),
        ("postgresql://u:pa?ss@h/db?schema=s", "postgresql://u:pa?ss@h/db", "s"),
        ("postgresql://h/db", "postgresql://h/db", None),
        ("host=h dbname=d", "host=h dbname=d", None),
    ],
)
def test_prisma_connection_strings(dsn: str, cleaned: str, schema: str | None) -> None:
    assert libpq_dsn(dsn) == cleaned
    assert url_schema(dsn) == schema


# --- PostgreSQL: read-only by construction --------------------------------------------------


@pytest.fixture
def target(scratch_pg: str) -> str:
    with psycopg.connect(scratch_pg, autocommit=True) as conn:
        conn.execute("CREATE TABLE item (id serial PRIMARY KEY, name text)")
        conn.execute("INSERT INTO item (name) VALUES ('one')")
    return scratch_pg


def table_state(url: str) -> tuple[list[tuple[object, ...]], list[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id, name FROM item ORDER BY id").fetchall()
        names = [row[0] for row in conn.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND relkind = 'r' ORDER BY relname").fetchall()]
    return rows, names


UNCHANGED = ([(1, "one")], ["item"])


@pytest.mark.postgres
def test_reads_work(target: str) -> None:
    with readonly_postgres(target) as session:
        assert session.fetch_all("SELECT name FROM item") == [("one",)]
        assert session.fetch_one("SELECT current_setting('transaction_read_only')") == ("on",)
        assert session.fetch_one("SELECT current_setting('default_transaction_read_only')") == (
            "on",
        )
        assert session.fetch_one("SELECT current_setting('statement_timeout')") == ("30s",)
        assert session.fetch_one("SELECT current_setting('lock_timeout')") == ("2s",)
        assert session.fetch_one("SELECT current_setting('application_name')") == ("driftwatch",)
        assert session.fetch_one("SELECT current_setting('transaction_isolation')") == (
            "repeatable read",
        )


@pytest.mark.postgres
def test_a_prisma_url_with_schema_and_pool_parameters_connects(target: str) -> None:
    url = f"{target}?schema=public&connection_limit=1&pool_timeout=0&pgbouncer=true"
    with readonly_postgres(url) as session:
        assert session.fetch_all("SELECT name FROM item") == [("one",)]


@pytest.mark.postgres
def test_without_startup_options_the_transaction_still_guards(target: str) -> None:
    with readonly_postgres(target, startup_options=False, statement_timeout_ms=250,
                           lock_timeout_ms=150) as session:
        assert session.fetch_one("SELECT current_setting('default_transaction_read_only')") == (
            "off",
        )
        assert session.fetch_one("SELECT current_setting('transaction_read_only')") == ("on",)
        assert session.fetch_one("SELECT current_setting('statement_timeout')") == ("250ms",)
        assert session.fetch_one("SELECT current_setting('lock_timeout')") == ("150ms",)
        with pytest.raises(TargetError, match="read-only transaction"):
            session.fetch_all("INSERT INTO item (name) VALUES ('two')")
    with readonly_postgres(target, startup_options=False, statement_timeout_ms=250) as session, \
            pytest.raises(TargetError, match="exceeded the statement timeout of 250 ms"):
        session.fetch_all("SELECT pg_sleep(3)")
    assert table_state(target) == UNCHANGED


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO item (name) VALUES ('two')",
        "UPDATE item SET name = 'changed'",
        "DELETE FROM item",
        "CREATE TABLE sneaky (a int)",
        "DROP TABLE item",
        "TRUNCATE item",
        "SELECT nextval('item_id_seq')",
        "SELECT setval('item_id_seq', 100)",
    ],
)
def test_writes_fail(target: str, statement: str) -> None:
    with readonly_postgres(target) as session, pytest.raises(TargetError) as caught:
        session.fetch_all(statement)

    assert "refused: the connection is read-only" in str(caught.value)
    assert "read-only transaction" in str(caught.value)
    assert table_state(target) == UNCHANGED


@pytest.mark.postgres
def test_after_a_failed_query_the_session_is_finished(target: str) -> None:
    with readonly_postgres(target) as session:
        with pytest.raises(TargetError, match='relation "missing" does not exist'):
            session.fetch_all("SELECT * FROM missing")
        with pytest.raises(TargetError) as caught:
            session.fetch_all("SELECT 1")
    assert str(caught.value) == (
        f"{target}: an earlier query of this read-only session failed, so the session is "
        "finished; open a new one"
    )
    with pytest.raises(TargetError, match="the read-only session is closed"):
        session.fetch_all("SELECT 1")


@pytest.mark.postgres
def test_set_transaction_read_write_is_refused(target: str) -> None:
    with readonly_postgres(target) as session, pytest.raises(TargetError) as caught:
        session.fetch_all("SET TRANSACTION READ WRITE")
    assert "transaction read-write mode must be set before any query" in str(caught.value)


@pytest.mark.postgres
def test_turning_the_default_off_does_not_make_the_session_writable(target: str) -> None:
    with readonly_postgres(target) as session:
        session.fetch_all("SET default_transaction_read_only = off")
        session.fetch_all("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        with pytest.raises(TargetError, match="read-only transaction"):
            session.fetch_all("INSERT INTO item (name) VALUES ('two')")

    assert table_state(target) == UNCHANGED


@pytest.mark.postgres
@pytest.mark.parametrize("ending", ["COMMIT", "ROLLBACK", "END", "ABORT"])
def test_ending_the_transaction_closes_the_session(target: str, ending: str) -> None:
    with readonly_postgres(target) as session:
        session.fetch_all("SET default_transaction_read_only = off")
        with pytest.raises(TargetError, match="the read-only transaction was ended by a query"):
            session.fetch_all(ending)
        with pytest.raises(TargetError):
            session.fetch_all("INSERT INTO item (name) VALUES ('two')")

    assert table_state(target) == UNCHANGED


@pytest.mark.postgres
def test_a_batch_cannot_smuggle_a_commit_and_a_write(target: str) -> None:
    with readonly_postgres(target) as session, pytest.raises(TargetError) as caught:
        session.fetch_all(
            "SET default_transaction_read_only = off; COMMIT; "
            "INSERT INTO item (name) VALUES ('two'); COMMIT"
        )
    assert "cannot insert multiple commands into a prepared statement" in str(caught.value)
    assert table_state(target) == UNCHANGED


@pytest.mark.postgres
def test_a_savepoint_cannot_become_writable(target: str) -> None:
    with readonly_postgres(target) as session:
        session.fetch_all("SAVEPOINT s")
        with pytest.raises(TargetError, match="inside a read-only transaction"):
            session.fetch_all("SET TRANSACTION READ WRITE")
    assert table_state(target) == UNCHANGED


@pytest.mark.postgres
def test_options_in_the_dsn_cannot_switch_read_only_off(target: str) -> None:
    url = f"{target}?options=-c%20default_transaction_read_only%3Doff"
    with readonly_postgres(url) as session:
        assert session.fetch_one("SELECT current_setting('default_transaction_read_only')") == (
            "on",
        )
        with pytest.raises(TargetError, match="read-only"):
            session.fetch_all("INSERT INTO item (name) VALUES ('two')")
    assert table_state(target) == UNCHANGED


# --- PostgreSQL faults ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.postgres
def test_unreachable_port() -> None:
    started = time.monotonic()
    with pytest.raises(TargetError) as caught:
        introspect(f"postgresql://postgres:{SECRET}@127.0.0.1:1/db", connect_timeout_s=2)
    assert time.monotonic() - started < 2
    message = str(caught.value)
    assert message.startswith("cannot connect to postgresql://postgres:***@127.0.0.1:1/db: ")
    assert "the host is unreachable: nothing listens on that port" in message
    assert SECRET not in message
    assert "\n" not in message


def test_a_server_that_never_answers_times_out_within_the_connect_timeout() -> None:
    with socket.socket() as silent:  # accepts TCP connections, never speaks the protocol
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(TargetError) as caught:
            introspect(f"postgresql://u:{SECRET}@127.0.0.1:{port}/db", connect_timeout_s=2)
        elapsed = time.monotonic() - started
    assert 1.5 < elapsed < 4
    assert "the server did not answer within the connect timeout" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_an_unknown_host() -> None:
    with pytest.raises(TargetError, match="the host name cannot be resolved") as caught:
        introspect(f"postgresql://u:{SECRET}@no-such-host.invalid/db", connect_timeout_s=2)
    assert SECRET not in str(caught.value)


@pytest.mark.postgres
def test_a_role_that_does_not_exist(pg_admin_dsn: str) -> None:
    # 127.0.0.1 is "trust" in this server's pg_hba.conf, so a wrong password is tested against
    # a private scram-sha-256 cluster below; here the password given must still never leak
    with pytest.raises(TargetError) as caught:
        introspect(f"postgresql://dw_nobody:{SECRET}@127.0.0.1:5432/postgres")
    message = str(caught.value)
    assert "authentication failed: the role does not exist" in message
    assert 'role "dw_nobody" does not exist' in message
    assert SECRET not in message


@pytest.mark.postgres
def test_a_database_that_does_not_exist(pg_admin_dsn: str) -> None:
    with pytest.raises(TargetError) as caught:
        introspect(f"postgresql://postgres:{SECRET}@127.0.0.1:5432/dw_no_such_db_42")
    message = str(caught.value)
    assert message == (
        "cannot connect to postgresql://postgres:***@127.0.0.1:5432/dw_no_such_db_42: "
        'the database does not exist (connection to server at "127.0.0.1", port 5432 failed: '
        'database "dw_no_such_db_42" does not exist)'
    )


@pytest.mark.postgres
def test_statement_timeout(target: str) -> None:
    started = time.monotonic()
    with readonly_postgres(target, statement_timeout_ms=300) as session, \
            pytest.raises(TargetError) as caught:
        session.fetch_all("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 3
    assert str(caught.value).endswith("the audit query exceeded the statement timeout of 300 ms")


@pytest.mark.postgres
def test_lock_timeout_behind_a_migration(target: str) -> None:
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE INDEX item_lower ON item (lower(name))")
    with psycopg.connect(target) as migration:  # an uncommitted ALTER TABLE holds the table
        migration.execute("ALTER TABLE item ADD COLUMN extra int")
        started = time.monotonic()
        with pytest.raises(TargetError) as caught:
            introspect(target, lock_timeout_ms=300)
        assert time.monotonic() - started < 3
        migration.rollback()
    assert str(caught.value) == (
        f"{target}: the audit query waited longer than the lock timeout of 300 ms"
    )


@pytest.mark.postgres
def test_a_table_without_expression_indexes_does_not_block_the_audit(target: str) -> None:
    with psycopg.connect(target) as migration:
        migration.execute("ALTER TABLE item ADD COLUMN extra int")
        schema = introspect(target, lock_timeout_ms=300)  # sees the committed catalog
        migration.rollback()
    item = schema.table("item")
    assert item is not None
    assert [column.name for column in item.columns] == ["id", "name"]


@pytest.mark.postgres
def test_permission_denied(target: str) -> None:
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS dw_reader_no_access")
        conn.execute("CREATE ROLE dw_reader_no_access LOGIN")
        conn.execute("REVOKE ALL ON item FROM PUBLIC")
    try:
        url = target.replace("postgres@", "dw_reader_no_access@", 1)
        with readonly_postgres(url) as session, pytest.raises(TargetError) as caught:
            session.fetch_all("SELECT * FROM item")
        assert "permission denied (permission denied for table item)" in str(caught.value)
    finally:
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute("DROP OWNED BY dw_reader_no_access")
            conn.execute("DROP ROLE dw_reader_no_access")


# --- a private cluster with password authentication -----------------------------------------


@pytest.fixture(scope="module")
def password_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster with scram-sha-256; yields its port-specific URL base.

    The shared server trusts 127.0.0.1, so only a private cluster can say "wrong password".
    """
    bin_dir = Path("/usr/lib/postgresql/15/bin")
    if not (bin_dir / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip("SKIPPED LOUDLY: no initdb/runuser to start a password-protected cluster")
    base = Path(tempfile.mkdtemp(prefix="dw_pwcluster_"))
    data = base / "data"
    pwfile = base / "pw"
    pwfile.write_text("admin-pass\n")
    shutil.chown(base, "postgres")
    shutil.chown(pwfile, "postgres")
    port = free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                        "--auth=scram-sha-256", f"--pwfile={pwfile}", "-N"],
                       check=True, capture_output=True, timeout=120)
        options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c shared_buffers=8MB -c max_connections=10")
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                        "-w", "-l", str(base / "log"), "start"],
                       check=True, capture_output=True, timeout=60)
        admin = f"postgresql://postgres:admin-pass@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE dw_pw_test LOGIN PASSWORD '{SECRET}'")
        yield f"127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
def test_wrong_password(password_cluster: str) -> None:
    with pytest.raises(TargetError) as caught:
        introspect(f"postgresql://dw_pw_test:not-the-{SECRET}@{password_cluster}")
    message = str(caught.value)
    assert "authentication failed: wrong user name or password" in message
    assert 'password authentication failed for user "dw_pw_test"' in message
    assert "not-the" not in message and SECRET not in message


@pytest.mark.slow
def test_no_password_given(password_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    with pytest.raises(TargetError, match="authentication failed: the server wants a password"):
        introspect(f"postgresql://dw_pw_test@{password_cluster}")


@pytest.mark.slow
def test_right_password_works_and_keyword_form_is_redacted(password_cluster: str) -> None:
    host_port, _, dbname = password_cluster.partition("/")
    host, _, port = host_port.partition(":")
    schema = introspect(f"postgresql://dw_pw_test:{SECRET}@{password_cluster}")
    assert schema.tables == ()
    dsn = f"host={host} port={port} dbname=nodb_here user=dw_pw_test password={SECRET}"
    with pytest.raises(TargetError) as caught:
        introspect(dsn)
    assert str(caught.value).startswith(
        f"cannot connect to host={host} port={port} dbname=nodb_here user=dw_pw_test password=***:"
    )
    assert "the database does not exist" in str(caught.value)
    assert SECRET not in str(caught.value)


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO item (name) VALUES ('one')")
    return path


def sqlite_rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM item ORDER BY id").fetchall()


@pytest.mark.parametrize("form", ["{path}", "sqlite://{path}", "file:{path}", "file://{path}"])
def test_sqlite_forms_open_the_same_file(sqlite_file: Path, form: str) -> None:
    with readonly_sqlite(form.format(path=sqlite_file)) as session:
        assert session.fetch_all("SELECT name FROM item") == [("one",)]


def test_sqlite_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    for dsn in (str(missing), f"sqlite://{missing}", f"file:{missing}"):
        with pytest.raises(TargetError) as caught:
            introspect(dsn)
        assert str(caught.value) == f"SQLite file {missing} does not exist"
        assert not missing.exists()


def test_sqlite_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database file at all" * 100)
    with pytest.raises(TargetError) as caught:
        introspect(str(junk))
    assert str(caught.value) == f"SQLite file {junk}: the file is not a SQLite database"


def test_sqlite_plain_path_without_a_known_suffix(tmp_path: Path) -> None:
    path = tmp_path / "data"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a INTEGER)")
    with readonly_sqlite(str(path)) as session:
        assert session.fetch_all("SELECT name FROM sqlite_master") == [("t",)]


def test_sqlite_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "dir.db"
    folder.mkdir()
    with pytest.raises(TargetError, match="is a directory"):
        introspect(str(folder))


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO item (name) VALUES ('two')",
        "UPDATE item SET name = 'x'",
        "DELETE FROM item",
        "CREATE TABLE sneaky (a int)",
        "DROP TABLE item",
        "PRAGMA query_only = OFF",
        "PRAGMA writable_schema = ON",
        "ATTACH DATABASE ':memory:' AS other",
        "BEGIN IMMEDIATE",
        "VACUUM",
    ],
)
def test_sqlite_writes_fail(sqlite_file: Path, statement: str) -> None:
    with readonly_sqlite(str(sqlite_file)) as session, pytest.raises(TargetError) as caught:
        session.fetch_all(statement)
    assert "refused: the connection is read-only" in str(caught.value)
    assert sqlite_rows(sqlite_file) == [(1, "one")]


def test_sqlite_batches_are_refused(sqlite_file: Path) -> None:
    with readonly_sqlite(str(sqlite_file)) as session, pytest.raises(TargetError):
        session.fetch_all("SELECT 1; DELETE FROM item")
    assert sqlite_rows(sqlite_file) == [(1, "one")]


def test_sqlite_statement_timeout(sqlite_file: Path) -> None:
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
               "SELECT count(*) FROM n")
    started = time.monotonic()
    with readonly_sqlite(str(sqlite_file), statement_timeout_ms=200) as session, \
            pytest.raises(TargetError) as caught:
        session.fetch_all(endless)
    assert time.monotonic() - started < 2
    assert str(caught.value) == (
        f"SQLite file {sqlite_file}: the audit query exceeded the statement timeout of 200 ms"
    )
