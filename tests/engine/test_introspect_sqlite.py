"""SQLite introspection against real files: exact dataclasses, a fixed query count."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from audits.engine.connect import readonly_sqlite
from audits.engine.introspect import introspect
from audits.engine.introspect.sqlite import read_schema
from audits.engine.model import Column, ForeignKey, Index, PrimaryKey, Schema, Table

# What Prisma's own engine writes for a small SQLite schema (prisma-oracle ddl), verbatim.
PRISMA_DDL = """
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "score" REAL NOT NULL DEFAULT 1.5,
    "active" BOOLEAN NOT NULL DEFAULT true
);
CREATE TABLE "Post" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    "amount" DECIMAL NOT NULL,
    "big" BIGINT,
    "data" BLOB,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE TABLE "Tag" (
    "a" TEXT NOT NULL,
    "b" INTEGER NOT NULL,

    PRIMARY KEY ("a", "b")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE INDEX "User_name_createdAt_idx" ON "User"("name", "createdAt" DESC);
CREATE UNIQUE INDEX "post_author_title" ON "Post"("authorId", "title");
"""  # noqa: E501

# Hand-written SQLite: what the pragmas alone cannot tell, and what Prisma never writes.
HAND_DDL = """
CREATE TABLE pair (x text, y integer, label varchar(20) DEFAULT 'none', PRIMARY KEY (x, y))
    WITHOUT ROWID;
CREATE TABLE link (
    id integer PRIMARY KEY,
    px text, py integer,
    owner integer REFERENCES "User",
    note text UNIQUE,
    price numeric(10, 2) DEFAULT (0.5 * 2),
    FOREIGN KEY (px, py) REFERENCES pair (x, y) ON DELETE SET NULL ON UPDATE RESTRICT
);
CREATE INDEX link_lower_note ON link (lower(note) DESC, "px" COLLATE NOCASE ASC)
    WHERE note IS NOT NULL AND py > 0;
CREATE INDEX "odd (name)" ON link (py);
CREATE TABLE untyped (a, b DEFAULT 'x, y');
CREATE VIEW v_link AS SELECT id FROM link;
"""

USER = Table(
    name="User",
    columns=(
        Column("id", "INTEGER", False, "autoincrement()"),
        Column("email", "TEXT", False, None),
        Column("name", "TEXT", True, None),
        Column("createdAt", "DATETIME", False, "CURRENT_TIMESTAMP"),
        Column("score", "REAL", False, "1.5"),
        Column("active", "BOOLEAN", False, "true"),
    ),
    primary_key=PrimaryKey(("id",)),
    indexes=(
        Index("User_email_key", ("email",), unique=True),
        Index("User_name_createdAt_idx", ("name", "createdAt"), orders=("ASC", "DESC")),
    ),
)
POST = Table(
    name="Post",
    columns=(
        Column("id", "TEXT", False, None),
        Column("title", "TEXT", False, None),
        Column("authorId", "INTEGER", False, None),
        Column("amount", "DECIMAL", False, None),
        Column("big", "BIGINT", True, None),
        Column("data", "BLOB", True, None),
    ),
    primary_key=PrimaryKey(("id",)),
    indexes=(Index("post_author_title", ("authorId", "title"), unique=True),),
    foreign_keys=(
        ForeignKey("Post_authorId_fkey", ("authorId",), "User", ("id",),
                   on_delete="CASCADE", on_update="CASCADE"),
    ),
)
TAG = Table(
    name="Tag",
    columns=(Column("a", "TEXT", False, None), Column("b", "INTEGER", False, None)),
    primary_key=PrimaryKey(("a", "b")),
)
LINK = Table(
    name="link",
    columns=(
        Column("id", "INTEGER", True, None),  # a rowid alias without AUTOINCREMENT
        Column("px", "TEXT", True, None),
        Column("py", "INTEGER", True, None),
        Column("owner", "INTEGER", True, None),
        Column("note", "TEXT", True, None),
        Column("price", "NUMERIC(10, 2)", True, "0.5 * 2"),
    ),
    primary_key=PrimaryKey(("id",)),
    indexes=(
        Index("link_lower_note", ("lower(note)", "px"), orders=("DESC", "ASC"),
              predicate="note IS NOT NULL AND py > 0"),
        Index("odd (name)", ("py",)),
        Index("sqlite_autoindex_link_1", ("note",), unique=True, constraint=True),
    ),
    foreign_keys=(
        ForeignKey("", ("owner",), "User", ("id",)),  # REFERENCES "User": its primary key
        ForeignKey("", ("px", "py"), "pair", ("x", "y"), on_delete="SET NULL",
                   on_update="RESTRICT"),
    ),
)
PAIR = Table(
    name="pair",
    columns=(
        Column("x", "TEXT", False, None),  # WITHOUT ROWID keys are NOT NULL
        Column("y", "INTEGER", False, None),
        Column("label", "VARCHAR(20)", True, "'none'"),
    ),
    primary_key=PrimaryKey(("x", "y")),
)
UNTYPED = Table(name="untyped", columns=(Column("a", "", True, None),
                                         Column("b", "", True, "'x, y'")))


def make_db(path: Path, *scripts: str) -> Path:
    with sqlite3.connect(path) as conn:
        for script in scripts:
            conn.executescript(script)
    return path


def test_prisma_ddl_is_read_exactly(tmp_path: Path) -> None:
    path = make_db(tmp_path / "prisma.db", PRISMA_DDL)

    schema = introspect(f"sqlite://{path}")

    assert schema == Schema(dialect="sqlite", tables=(POST, TAG, USER))


def test_hand_written_ddl_is_read_exactly(tmp_path: Path) -> None:
    path = make_db(tmp_path / "hand.db", PRISMA_DDL, HAND_DDL)

    schema = introspect(str(path))

    assert schema.tables == (POST, TAG, USER, LINK, PAIR, UNTYPED)
    assert Schema.from_json(schema.to_json()) == schema


def test_internal_tables_are_skipped(tmp_path: Path) -> None:
    path = make_db(tmp_path / "seq.db", PRISMA_DDL, "INSERT INTO \"User\" (email) VALUES ('a');",
                   "ANALYZE;")
    with sqlite3.connect(path) as conn:
        internal = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_%' AND type = 'table'")}
    assert {"sqlite_sequence", "sqlite_stat1"} <= internal

    names = [table.name for table in introspect(str(path)).tables]

    assert names == ["Post", "Tag", "User"]


def test_an_empty_file_is_an_empty_schema(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    assert path.stat().st_size == 0

    assert introspect(str(path)) == Schema(dialect="sqlite")


def test_prisma_migrations_table_is_kept(tmp_path: Path) -> None:
    path = make_db(tmp_path / "m.db", """
        CREATE TABLE "_prisma_migrations" (
            "id" TEXT PRIMARY KEY NOT NULL,
            "checksum" TEXT NOT NULL,
            "finished_at" DATETIME,
            "migration_name" TEXT NOT NULL,
            "logs" TEXT,
            "rolled_back_at" DATETIME,
            "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
            "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
        );
    """)

    table = introspect(str(path)).table("_prisma_migrations")

    assert table is not None
    assert table.column("applied_steps_count") == Column(
        "applied_steps_count", "INTEGER UNSIGNED", False, "0"
    )
    assert table.column("started_at") == Column("started_at", "DATETIME", False,
                                                "current_timestamp")


@pytest.mark.parametrize("size", [5, 200])
def test_query_count_does_not_grow_with_tables(tmp_path: Path, size: int) -> None:
    script = "\n".join(
        f'CREATE TABLE "T{n}" (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, '
        f'parent INTEGER REFERENCES "T{max(n - 1, 0)}"(id));'
        f'CREATE INDEX "T{n}_name" ON "T{n}" (lower(name)) WHERE parent IS NULL;'
        for n in range(size)
    )
    path = make_db(tmp_path / "many.db", script)
    sent: list[str] = []
    with readonly_sqlite(str(path)) as session:
        session.trace(sent.append)
        schema = read_schema(session)

    # SQLite also traces the pragma statements behind pragma_table_xinfo() etc. as "-- PRAGMA"
    assert len([text for text in sent if not text.startswith("-- ")]) == 3
    assert len(schema.tables) == size
    assert all(len(table.indexes) == 2 and len(table.foreign_keys) == 1
               for table in schema.tables)
    first = schema.tables[0]
    assert first.indexes[0] == Index("T0_name", ("lower(name)",), predicate="parent IS NULL")


def test_index_text_is_read_past_quotes_commas_and_parentheses(tmp_path: Path) -> None:
    path = make_db(tmp_path / "tricky.db", """
        CREATE TABLE "t,x" (a TEXT, "b""c" INTEGER, [d e] TEXT);
        CREATE INDEX "i(1)" ON "t,x" (coalesce(a, 'x,y') DESC, "b""c") where a <> 'where (';
        CREATE INDEX [i2] ON [t,x] ([d e] COLLATE NOCASE, (a || ')')) ;
        create unique index i3 on "t,x"(substr(a,1,2)) WHERE "b""c" > 0 AND [d e] IS NULL;
    """)

    table = introspect(str(path)).table("t,x")

    assert table is not None
    assert table.indexes == (
        Index("i(1)", ("coalesce(a, 'x,y')", 'b"c'), orders=("DESC", "ASC"),
              predicate="a <> 'where ('"),
        Index("i2", ("d e", "(a || ')')")),
        Index("i3", ("substr(a,1,2)",), unique=True,
              predicate='"b""c" > 0 AND [d e] IS NULL'),
    )
