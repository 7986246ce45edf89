"""A shadow server URL that libpq refuses never puts its password in the history's error.

libpq echoes a URL it cannot parse, and a password it cannot percent-decode, word for word;
the replay's message (stored with the run, cached on disk, printed by the CLI) must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.engine.connect import scrub_secrets
from audits.engine.errors import HistoryError
from audits.engine.history import check_history

PASSWORD = "S3cr3t-Pa55w0rd"
MIGRATION = ('CREATE TABLE "Item" ("id" SERIAL NOT NULL, '
             'CONSTRAINT "Item_pkey" PRIMARY KEY ("id"));\n')


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations" / "20250101000000_init"
    folder.mkdir(parents=True)
    # a unique comment: no replay of another test can come from the cache
    (folder / "migration.sql").write_text(f"-- {tmp_path.name}\n{MIGRATION}")
    return folder.parent


@pytest.mark.postgres
@pytest.mark.parametrize(("shadow", "reason"), [
    (f"postgresql://postgres:{PASSWORD}@[::1/x",
     'in IPv6 host address in URI: "postgresql://postgres:***@[::1/x"'),
    (f"postgresql://postgres:{PASSWORD}%zz@127.0.0.1:5432/postgres",
     'invalid percent-encoded token: "***"'),
    (f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/postgres", "Connection refused"),
])
def test_a_refused_shadow_url_keeps_its_password(migrations: Path, scratch_pg: str, shadow: str,
                                                 reason: str) -> None:
    with pytest.raises(HistoryError) as caught:
        check_history(str(migrations), scratch_pg, shadow_dsn=shadow, allow_target_server=True,
                      cache_dir=None)
    message = str(caught.value)
    assert message.startswith("cannot connect to the shadow server postgresql://postgres:***@")
    assert reason in message
    assert PASSWORD not in message and "Pa55w0rd" not in message


def test_scrub_secrets_hides_the_url_and_each_piece_of_its_password() -> None:
    dsn = f"postgresql://u:{PASSWORD}@h/db"
    assert scrub_secrets(f'bad URI: "{dsn}"', dsn) == 'bad URI: "postgresql://u:***@h/db"'
    assert scrub_secrets(f'token "{PASSWORD}"', dsn) == 'token "***"'
