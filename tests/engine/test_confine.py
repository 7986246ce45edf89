"""Confined reads (audits/engine/confine.py): inside a code or migrations folder that lies under
the roots, a file that resolves outside them (a symlinked file or folder, an import climbing out
with ``..``, a symlinked tsconfig.json) stops the scan or the history read with its name, before
a byte of it is read; links that stay inside the roots are followed. Real symlinks throughout."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.engine.confine import OutsideRoots, Roots
from audits.engine.endpoints import scan_backend
from audits.engine.history.folder import read_folder

# what a leaked file would show: a route and a raw SQL literal carry their text to the pages
SECRET_ROUTES = ("import express from 'express';\nimport { prisma } from './db';\n"
                 "const router = express.Router();\n"
                 "router.get('/SECRET_KEY=leaked', async (req, res) => "
                 "res.json(await prisma.$queryRaw`SELECT 'DATABASE_URL=postgres://leak'`));\n"
                 "export default router;\n")
APP = ("import express from 'express';\nimport routes from './routes';\n"
       "const app = express();\napp.use('/api', routes);\n")
ROUTES = ("import express from 'express';\nimport { prisma } from './db';\n"
          "const router = express.Router();\n"
          "router.get('/users', async (req, res) => res.json(await prisma.user.findMany()));\n"
          "export default router;\n")
DB = "export const prisma = new PrismaClient();\n"


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path, Roots]:
    """(the code folder, a folder outside the roots holding the secret, the roots)."""
    allowed = tmp_path / "allowed"
    code = allowed / "backend"
    (code / "src").mkdir(parents=True)
    (code / "src" / "app.ts").write_text(APP)
    (code / "src" / "routes.ts").write_text(ROUTES)
    (code / "src" / "db.ts").write_text(DB)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "routes.ts").write_text(SECRET_ROUTES)
    (outside / "db.ts").write_text(DB)
    return code, outside, Roots.of([allowed])


def test_the_tree_scans_when_nothing_leaves_the_roots(tree: tuple[Path, Path, Roots]) -> None:
    code, _, roots = tree
    result = scan_backend(code, ["User"], roots=roots)
    assert [(e.key, e.models) for e in result.endpoints] == [("GET /api/users", ("User",))]


def test_a_symlinked_source_file_stops_the_scan_by_name(tree: tuple[Path, Path, Roots]) -> None:
    code, outside, roots = tree
    (code / "src" / "routes.ts").unlink()
    (code / "src" / "routes.ts").symlink_to(outside / "routes.ts")
    with pytest.raises(OutsideRoots) as error:
        scan_backend(code, ["User"], roots=roots)
    assert str(error.value) == ("src/routes.ts resolves outside the folders Driftwatch may read "
                                "(DRIFTWATCH_PATH_ROOTS), so it was not read")
    # unconfined (the CLI, the operator's own shell) it is read as before
    leaked = scan_backend(code, ["User"])
    assert [e.route for e in leaked.endpoints] == ["/api/SECRET_KEY=leaked"]


def test_a_link_to_proc_self_environ_is_never_read(tree: tuple[Path, Path, Roots]) -> None:
    code, _, roots = tree
    (code / "src" / "env.ts").symlink_to("/proc/self/environ")
    with pytest.raises(OutsideRoots, match=r"^src/env\.ts resolves outside"):
        scan_backend(code, ["User"], roots=roots)


def test_an_import_through_a_symlinked_folder_stops_the_scan(
        tree: tuple[Path, Path, Roots]) -> None:
    code, outside, roots = tree
    (code / "src" / "lib").symlink_to(outside, target_is_directory=True)
    (code / "src" / "app.ts").write_text(APP.replace("'./routes'", "'./lib/routes'"))
    with pytest.raises(OutsideRoots, match=r"^src/lib/routes\.ts resolves outside"):
        scan_backend(code, ["User"], roots=roots)


def test_an_import_climbing_out_with_dot_dot_stops_the_scan(
        tree: tuple[Path, Path, Roots]) -> None:
    code, _, roots = tree
    (code / "src" / "app.ts").write_text(APP.replace("'./routes'", "'../../../outside/routes'"))
    with pytest.raises(OutsideRoots, match=r"outside/routes\.ts resolves outside"):
        scan_backend(code, ["User"], roots=roots)


def test_a_symlinked_tsconfig_stops_the_scan(tree: tuple[Path, Path, Roots]) -> None:
    code, outside, roots = tree
    (outside / "tsconfig.json").write_text('{"compilerOptions": {"baseUrl": "."}}')
    (code / "tsconfig.json").symlink_to(outside / "tsconfig.json")
    with pytest.raises(OutsideRoots, match=r"^tsconfig\.json resolves outside"):
        scan_backend(code, ["User"], roots=roots)


def test_a_link_that_stays_inside_the_roots_is_followed(tree: tuple[Path, Path, Roots]) -> None:
    code, _, roots = tree
    shared = code.parent / "shared"
    shared.mkdir()
    (code / "src" / "routes.ts").rename(shared / "routes.ts")
    (code / "src" / "routes.ts").symlink_to(shared / "routes.ts")
    result = scan_backend(code, ["User"], roots=roots)
    assert [e.key for e in result.endpoints] == ["GET /api/users"]


# -- migrations folders --------------------------------------------------------------------------


@pytest.fixture
def migrations(tmp_path: Path) -> tuple[Path, Roots]:
    allowed = tmp_path / "allowed"
    folder = allowed / "migrations"
    for name in ("20240101000000_init", "20240102000000_more"):
        (folder / name).mkdir(parents=True)
        (folder / name / "migration.sql").write_text(f"-- {name}\nSELECT 1;\n")
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    return folder, Roots.of([allowed])


def test_a_folder_inside_the_roots_reads_whole(migrations: tuple[Path, Roots]) -> None:
    folder, roots = migrations
    read = read_folder(folder, roots)
    assert (read.names, read.provider) == (
        ("20240101000000_init", "20240102000000_more"), "postgresql")


def test_a_symlinked_migration_sql_is_refused_by_name(migrations: tuple[Path, Roots]) -> None:
    folder, roots = migrations
    sql = folder / "20240102000000_more" / "migration.sql"
    sql.unlink()
    sql.symlink_to("/proc/self/environ")
    with pytest.raises(OutsideRoots) as error:
        read_folder(folder, roots)
    assert str(error.value) == (
        "20240102000000_more/migration.sql resolves outside the folders Driftwatch may read "
        "(DRIFTWATCH_PATH_ROOTS), so it was not read")


def test_a_symlinked_migration_folder_is_refused(migrations: tuple[Path, Roots],
                                                 tmp_path: Path) -> None:
    folder, roots = migrations
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "migration.sql").write_text("SELECT 'secret';\n")
    (folder / "20240103000000_linked").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutsideRoots, match=r"^20240103000000_linked/migration\.sql resolves"):
        read_folder(folder, roots)


def test_a_symlinked_lock_file_is_refused(migrations: tuple[Path, Roots]) -> None:
    folder, roots = migrations
    (folder / "migration_lock.toml").unlink()
    (folder / "migration_lock.toml").symlink_to("/etc/passwd")
    with pytest.raises(OutsideRoots, match=r"^migration_lock\.toml resolves outside"):
        read_folder(folder, roots)
