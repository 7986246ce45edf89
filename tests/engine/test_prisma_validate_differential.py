"""Differential: our validator gives Prisma's own verdict (the prisma-oracle's schema engine,
its WebAssembly build) on schemas that hypothesis derives from valid ones by the mistakes people
make: dropping a line (the opposite relation field, the @id, a referenced field), misspelling a
type, a native type the provider lacks, a duplicated line, an attribute with broken arguments,
``@id`` on a view, an unknown provider, a field made optional or a list, a broken ``@relation``,
a comment in or out of place; half of them split into two files (a multi-file schema). When
both accept, the tables and columns we lower are Prisma's (DMMF names, PostgreSQL and SQLite).

One node process answers every example (a line in, a line out): about 1,000 schemas per run by
default, more with ``PRISMA_DIFFERENTIAL_EXAMPLES`` (e.g. 20000 for a nightly run).

The bases have no ``url``: the oracle blanks url lines (Prisma 7 takes them from its config), so
a duplicated url line would be invisible to it.

Known difference, on purpose: Prisma refuses preview features it does not know; we accept them
(a project on a newer Prisma uses newer features), so no mutation invents one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.engine.errors import SchemaError
from audits.engine.prisma.ast import StringValue
from audits.engine.prisma.lowering import lower
from audits.engine.prisma.parser import parse_files
from audits.engine.prisma.validate import validate_files
from tests.engine.prisma_oracle_batch import OracleProcess, ensure_installed

EXAMPLES = int(os.environ.get("PRISMA_DIFFERENTIAL_EXAMPLES", "1000"))

PG = """datasource db {
  provider = "postgresql"
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views"]
}

enum Role {
  USER
  ADMIN
}

model User {
  id        Int       @id @default(autoincrement())
  email     String    @unique @db.VarChar(200)
  name      String?   @map("full_name")
  role      Role      @default(USER)
  tags      String[]
  createdAt DateTime  @default(now())
  updatedAt DateTime  @updatedAt
  posts     Post[]
  profile   Profile?
  groups    Group[]
  @@map("users")
}

model Profile {
  id     Int    @id @default(autoincrement())
  bio    String @db.Text
  userId Int    @unique
  user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)
}

model Post {
  id        String   @id @default(uuid())
  title     String
  price     Decimal  @default(0) @db.Decimal(10, 2)
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  parentId  String?
  parent    Post?    @relation("Thread", fields: [parentId], references: [id])
  replies   Post[]   @relation("Thread")
  @@index([authorId, title])
  @@unique([title, authorId], map: "post_title_author")
}

model Group {
  id      Int    @id
  members User[]
}

model Membership {
  userId  Int
  groupId Int
  since   DateTime @default(now()) @db.Timestamptz(6)
  @@id([userId, groupId])
}

view ActiveUser {
  id    Int    @unique
  email String
}
"""

SQLITE = """datasource db {
  provider = "sqlite"
}

enum Status {
  OPEN
  CLOSED
}

model Account {
  id       String   @id @default(cuid())
  handle   String   @unique
  balance  Float    @default(0)
  status   Status   @default(OPEN)
  meta     Json?
  data     Bytes?
  big      BigInt   @default(1)
  orders   Order[]
}

model Order {
  id        Int      @id @default(autoincrement())
  accountId String
  account   Account  @relation(fields: [accountId], references: [id])
  total     Decimal
  placedAt  DateTime @default(now())
  note      String?  @map("order_note")
  @@index([accountId])
  @@map("orders")
}
"""

BASES = (PG, SQLITE)
TYPES = ("String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes",
         "Role", "Status", "User", "Post", "Account", "Strin", "Integer", "Order", "Group")
ATTRIBUTES = (
    "@id", "@unique", "@updatedAt", "@ignore", "@default(now())", "@default(autoincrement())",
    '@default("x")', "@default(1)", "@default(1.5)", "@default(true)", "@default(USER)",
    "@default(uuid())", "@default(cuid(2))", "@default(uuid(5))", "@default(dbgenerated())",
    '@map("users")', '@map("email")', "@map(1)", "@db.Text", "@db.VarChar(10)", "@db.Integer",
    "@db.Uuid", "@db.Timestamptz(3)", "@db.Foo", "@db.VarChar(1, 2)", '@relation("Thread")',
    "@unique(sort: Desc)", "@unique(sort: Up)", "@id(clustered: true)", "@unique(length: 10)",
    "@foo", "@default()", "@updatedAt(1)", "@unique(map: 3)", "@default([])",
)
BLOCK_ATTRIBUTES = (
    "@@id([id])", "@@unique([id])", "@@index([id])", "@@index([nope])", "@@unique([])",
    '@@map("users")', '@@map("orders")', "@@map(1)", "@@ignore", "@@index(id)",
    "@@index([id], type: Hash)", "@@index([id], type: Brin)", "@@foo", '@@schema("x")',
    "@@id([email, name])", "@@unique(fields: [id], name: 1)",
)
PROVIDERS = ('"postgresql"', '"sqlite"', '"postgres"', '"mysqlx"', "1")


def _field_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines that declare a field (inside a block, not a block attribute)."""
    found, inside = [], False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.endswith("{"):
            inside = not stripped.startswith(("datasource", "generator", "enum"))
        elif stripped == "}":
            inside = False
        elif inside and stripped and not stripped.startswith("@@"):
            found.append(index)
    return found


RELATION_EDITS = (
    ("references: [id]", "references: [email]"), ("references: [id]", "references: [id, id]"),
    ("fields: [authorId], ", ""), ("fields: [authorId]", "fields: [title]"),
    ("onDelete: Cascade", "onDelete: SetNull"), ("onDelete: Cascade", "onDelete: SetDefault"),
    ("onDelete: Cascade", "onDelete: Foo"), ("onDelete: Cascade", 'onDelete: "Cascade"'),
    ('@relation("Thread", ', "@relation("), ('@relation("Thread")', ""),
    ("userId Int    @unique", "userId Int"), ("authorId  Int", "authorId  Int?"),
    ("references: [id])", "references: [id], map: \"fk\")"),
)
COMMENTS = ("/* a comment */", "/**\n * a doc comment\n */", "// a comment", "/// a doc")


@st.composite
def mutated_schema(draw: st.DrawFn) -> dict[str, str]:
    """A multi-file schema ``{file name: text}``: usually one file, sometimes split in two."""
    lines = draw(st.sampled_from(BASES)).splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        fields = _field_lines(lines)
        kind = draw(st.sampled_from((
            "drop", "type", "attribute", "duplicate", "block", "provider", "optional", "list",
            "rename", "view_id", "strip_attributes", "relation", "comment",
        )))
        at = draw(st.sampled_from(fields)) if fields else 0
        if kind == "drop":
            del lines[draw(st.integers(min_value=0, max_value=len(lines) - 1))]
        elif kind == "type" and fields:
            parts = lines[at].split()
            if len(parts) >= 2:
                new = draw(st.sampled_from(TYPES))
                suffix = re.match(r"\w+(.*)", parts[1])
                parts[1] = new + (suffix.group(1) if suffix else "")
                lines[at] = "  " + " ".join(parts)
        elif kind == "attribute" and fields:
            lines[at] += " " + draw(st.sampled_from(ATTRIBUTES))
        elif kind == "duplicate":
            index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines.insert(index, lines[index])
        elif kind == "block" and fields:
            lines.insert(at, "  " + draw(st.sampled_from(BLOCK_ATTRIBUTES)))
        elif kind == "provider":
            lines = [re.sub(r'provider = "(postgresql|sqlite)"',
                            "provider = " + draw(st.sampled_from(PROVIDERS)), line)
                     for line in lines]
        elif kind in ("optional", "list") and fields:
            parts = lines[at].split()
            if len(parts) >= 2 and parts[1].isidentifier():
                parts[1] += "?" if kind == "optional" else "[]"
                lines[at] = "  " + " ".join(parts)
        elif kind == "rename":
            old = draw(st.sampled_from(("User", "Post", "Account", "Role", "Status", "Order")))
            lines = [re.sub(rf"^(model|enum) {old} ", rf"\1 {old}x ", line) for line in lines]
        elif kind == "view_id":
            lines = [line.replace("id    Int    @unique", "id    Int    @id") for line in lines]
        elif kind == "strip_attributes" and fields:
            lines[at] = re.sub(r"\s@.*$", "", lines[at])
        elif kind == "relation":
            old, new = draw(st.sampled_from(RELATION_EDITS))
            lines = [line.replace(old, new) for line in lines]
        elif kind == "comment":
            comment = draw(st.sampled_from(COMMENTS))
            index = draw(st.integers(min_value=0, max_value=len(lines)))
            if draw(st.booleans()) and fields:
                lines[at] += " " + comment.replace("\n", " ")  # in the middle of a line
            else:
                lines.insert(index, comment)
    text = "\n".join(lines) + "\n"
    blocks = [m.start() for m in re.finditer(r"^(model|enum|view|generator) ", text, re.M)]
    if blocks and draw(st.booleans()):
        cut = draw(st.sampled_from(blocks))
        return {"a.prisma": text[:cut], "b.prisma": text[cut:]}
    return {"schema.prisma": text}


@pytest.fixture(scope="module")
def oracle(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OracleProcess]:
    path = shared_dir / "tools" / "prisma-oracle" / "prisma-oracle"
    assert path.exists(), f"{path} is missing: the differential test must run where ../shared is"
    process = OracleProcess(ensure_installed(path, tmp_path_factory.mktemp("oracle")))
    yield process
    process.close()


def _our_tables(files: dict[str, str]) -> dict[str, list[str]]:
    """Our tables and columns, less ``@ignore`` fields and ``@@ignore`` models: Prisma creates
    their columns and tables (and so do we) but leaves them out of its DMMF."""
    parsed = parse_files(files)
    ignored = {(model.name, field.name) for model in parsed.models for field in model.fields
               if field.attribute("ignore") is not None}
    ignored_models = {model.name for model in parsed.models
                      if model.attribute("ignore") is not None}
    return {table.name: [column.name for column in table.columns
                         if (table.model, column.field) not in ignored]
            for table in lower(parsed).tables
            if table.model is not None and table.model not in ignored_models}


def _prisma_tables(files: dict[str, str],
                   tables: dict[str, list[str]]) -> dict[str, list[str]]:
    """Prisma's DMMF lists views among the models (by their mapped name); views are not
    tables."""
    views = set()
    for model in parse_files(files).models:
        mapped = model.attribute("map")
        name = mapped.argument("name") if mapped else None
        if model.kind == "view":
            views.add(name.value if isinstance(name, StringValue) else model.name)
    return {name: columns for name, columns in tables.items() if name not in views}


def _lowerable(files: dict[str, str]) -> bool:
    return any(re.search(r'provider = "(postgresql|postgres|sqlite)"', text)
               for text in files.values())


def test_the_base_schemas_are_valid_for_both(oracle: OracleProcess) -> None:
    for text in BASES:
        files = {"schema.prisma": text}
        assert oracle.verdict(files).ok
        assert validate_files(files).valid
        assert _our_tables(files) == _prisma_tables(files, oracle.verdict(files).tables)


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=mutated_schema())
def test_same_verdict_as_prisma(oracle: OracleProcess, files: dict[str, str]) -> None:
    prisma = oracle.verdict(files)
    ours = validate_files(files)
    text = "\n".join(f"// --- {name}\n{body}" for name, body in files.items())
    assert ours.valid == prisma.ok, (
        f"Prisma {'accepts' if prisma.ok else 'refuses'}; we "
        f"{'accept' if ours.valid else 'refuse: ' + str(ours.errors[0])}\n"
        f"Prisma: {prisma.message}\n{text}")
    if ours.valid and _lowerable(files):
        try:
            tables = _our_tables(files)
        except SchemaError as exc:  # lowering found what validation did not
            pytest.fail(f"valid for both, but lowering refused: {exc}\n{text}")
        assert tables == _prisma_tables(files, prisma.tables), text
