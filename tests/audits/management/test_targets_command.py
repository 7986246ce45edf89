"""`manage.py targets add|list|remove`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from audits.core import credentials
from audits.core.models import SchemaVersion, Target
from tests.audits.conftest import SCHEMA, SECRET_DSN

pytestmark = pytest.mark.django_db


def test_add_with_a_stored_schema_and_list_without_the_password(tmp_path, capsys):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    call_command("targets", "add", "--name", "Shop DB", "--database-url", SECRET_DSN,
                 "--schema", str(schema), "--interval", "15", "--namespaces", "public,audit")
    target = Target.objects.get(slug="shop-db")
    assert (target.interval_minutes, target.namespaces) == (15, ["public", "audit"])
    assert SchemaVersion.objects.get(target=target).content == {"schema.prisma": SCHEMA}
    assert credentials.target_dsn(target) == SECRET_DSN
    call_command("targets", "list")
    out = capsys.readouterr().out
    assert "shop-db\tShop DB\tpostgresql\tnot audited\tevery 15 min" in out
    assert "S3cr3t" not in out and "driftwatch:***@" in out


def test_add_with_env_variable_and_schema_path(tmp_path):
    call_command("targets", "add", "--name", "From env", "--database-url-env",
                 "DRIFTWATCH_TARGET_SHOP", "--schema-path", str(tmp_path))
    target = Target.objects.get(slug="from-env")
    assert (target.dsn_env_var, target.schema_source, target.schema_path) == (
        "DRIFTWATCH_TARGET_SHOP", "path", str(tmp_path))


def test_add_refuses_a_duplicate_slug(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    args = ["targets", "add", "--name", "Dup", "--database-url", SECRET_DSN, "--schema",
            str(schema)]
    call_command(*args)
    with pytest.raises(CommandError, match="already exists"):
        call_command(*args)


def test_remove(make_target, capsys):
    make_target(slug="gone")
    call_command("targets", "remove", "gone")
    assert not Target.objects.filter(slug="gone").exists()
    with pytest.raises(CommandError):
        call_command("targets", "remove", "gone")


def test_add_refuses_a_schema_prisma_refuses_listing_every_error(tmp_path):
    bad = SCHEMA + "\nmodel Broken {\n  id    Int    @id\n  owner Nobody\n  kind  Strng\n}\n"
    (tmp_path / "schema.prisma").write_text(bad)
    line = bad.splitlines().index("  owner Nobody") + 1
    with pytest.raises(CommandError) as refused:
        call_command("targets", "add", "--name", "Broken", "--database-url", SECRET_DSN,
                     "--schema", str(tmp_path / "schema.prisma"))
    assert str(refused.value) == (
        "the schema has errors:\n"
        f'schema.prisma:{line}:3: Type "Nobody" is neither a built-in type, nor refers to '
        "another model, composite type, or enum.\n"
        f'schema.prisma:{line + 1}:3: Type "Strng" is neither a built-in type, nor refers to '
        "another model, composite type, or enum.")
    assert not Target.objects.exists() and not SchemaVersion.objects.exists()
