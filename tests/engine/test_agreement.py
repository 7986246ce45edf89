"""Agreement with Prisma: random schemas, lowered by Driftwatch and created by Prisma itself.

A seeded generator writes schemas mixing the features lowering covers (scalar and native types,
lists, enums with @map/@@map, every default kind, @map/@@map, compound ids, uniques, indexes
with sort/ops/methods, 1:1, 1:n, self and many-to-many relations, referential actions,
multi-schema, relationMode = "prisma"); each one goes through ``prisma-oracle ddl`` into a fresh
database, and ``compare(lower(parse(text)), introspect(db))`` must find nothing above info.

Each case costs one oracle call (~1 s). ``DRIFTWATCH_AGREEMENT_CASES=N`` runs N cases per
dialect instead of the default few; a failure prints the seed and the schema to reproduce it.
"""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from audits.engine.introspect import introspect
from audits.engine.prisma.lowering import lower
from audits.engine.prisma.parser import parse_schema
from tests.engine.test_prisma_lowering_oracle import (
    above_info,
    apply_pg,
    prisma_ddl,
    strict_differences,
)

CASES = int(os.environ.get("DRIFTWATCH_AGREEMENT_CASES", "0"))
PG_SEEDS = list(range(CASES or 6))
SQLITE_SEEDS = list(range(1000, 1000 + (CASES or 3)))

WORDS = [
    "Account",
    "Badge",
    "Comment",
    "Device",
    "Event",
    "Folder",
    "Invoice",
    "Ledger",
    "Metric",
    "Order",
    "Payment",
    "Report",
    "Session",
    "Ticket",
    "Upload",
    "Vendor",
    "Widget",
    "Zone",
]
FIELD_WORDS = [
    "title",
    "label",
    "amount",
    "count",
    "note",
    "code",
    "flag",
    "stamp",
    "score",
    "body",
    "rank",
    "kind",
    "level",
    "price",
    "weight",
    "color",
    "origin",
    "due",
    "size",
    "mode",
]


@dataclass(frozen=True)
class ScalarKind:
    prisma: str  # "String", "Int"...
    native: str = ""  # "@db.VarChar(40)" or ""
    defaults: tuple[str, ...] = ()  # @default arguments that fit
    list_defaults: tuple[str, ...] = ()
    indexable: bool = True
    hashable: bool = True  # bit, varbit and money have no hash operator class


PG_KINDS = [
    ScalarKind("String", "", ('"plain"', '"it\'s"', '""'), ('["a", "b"]', "[]")),
    ScalarKind("String", "@db.VarChar(40)", ('"v"',), ('["x"]', "[]")),
    ScalarKind("String", "@db.Char(3)", ('"abc"',)),
    ScalarKind(
        "String",
        "@db.Uuid",
        ('"00000000-0000-0000-0000-000000000000"', 'dbgenerated("gen_random_uuid()")'),
    ),
    ScalarKind("String", "@db.Citext", ('"Hello"',)),
    ScalarKind("String", "@db.Inet", ('"10.0.0.1"',)),
    ScalarKind("String", "@db.Bit(3)", ('"101"',), hashable=False),
    ScalarKind("String", "@db.VarBit(8)", ('"1101"',), hashable=False),
    ScalarKind("String", "@db.Xml", (), indexable=False),
    ScalarKind("String", "", ("uuid()", "cuid()", "nanoid()", "ulid()")),
    ScalarKind("Int", "", ("0", "7", "-3"), ("[1, -2]", "[]")),
    ScalarKind("Int", "@db.SmallInt", ("5", "-1"), ("[1]",)),
    ScalarKind("Int", "@db.Oid", ("42",)),
    ScalarKind("BigInt", "", ("10", "-4", "3000000000"), ("[1, -1]",)),
    ScalarKind("Float", "", ("1.25", "-1.5", "0", "1000.0"), ("[1.5, -2]",)),
    ScalarKind("Float", "@db.Real", ("0.5",), ("[3]",)),
    ScalarKind("Decimal", "", ("0.10", "-2", "1.5"), ("[1.1, -2]", "[]")),
    ScalarKind("Decimal", "@db.Decimal(10, 2)", ("2.50",)),
    ScalarKind("Decimal", "@db.Money", ("3",), hashable=False),
    ScalarKind("Boolean", "", ("true", "false"), ("[true, false]",)),
    ScalarKind(
        "DateTime",
        "",
        ("now()", '"2020-01-01T00:00:00Z"', '"2021-06-01T10:00:00.5+02:00"'),
        ('["2020-01-01T00:00:00Z"]', "[]"),
    ),
    ScalarKind("DateTime", "@db.Timestamptz(6)", ("now()", '"2020-01-01T10:00:00.123+02:00"')),
    ScalarKind("DateTime", "@db.Date", ("now()", '"2020-03-04T05:00:00+03:00"')),
    ScalarKind("DateTime", "@db.Time(3)", ('"2020-01-01T05:06:07.5+02:00"',)),
    ScalarKind("DateTime", "@db.Timetz", ('"2020-01-01T05:06:07+05:30"',)),
    ScalarKind(
        "Json",
        "",
        ('"{\\"b\\": 1, \\"a\\": [true, null, 1.50]}"', '"[]"'),
        ('["{}"]',),
        indexable=False,
    ),
    ScalarKind("Json", "@db.Json", ('"{\\"b\\": 1, \\"a\\": 2}"',), indexable=False),
    ScalarKind("Bytes", "", ('"aGVsbG8="',), indexable=False),
]

SQLITE_KINDS = [
    ScalarKind("String", "", ('"plain"', '"it\'s"', "uuid()", "cuid()")),
    ScalarKind("Int", "", ("0", "-3", "12")),
    ScalarKind("BigInt", "", ("10", "-4")),
    ScalarKind("Float", "", ("1.25", "-1.5")),
    ScalarKind("Decimal", "", ("0.10", "-2")),
    ScalarKind("Boolean", "", ("true", "false")),
    ScalarKind("DateTime", "", ("now()", '"2020-01-01T10:00:00.1+02:00"')),
    ScalarKind("Json", "", (), indexable=False),
    ScalarKind("Bytes", "", ('"aGVsbG8="',), indexable=False),
]


@dataclass
class ModelPlan:
    name: str
    id_kind: str  # "int", "bigint", "uuid", "cuid", "compound"
    schema: str | None
    lines: list[str] = field(default_factory=list)
    block: list[str] = field(default_factory=list)
    indexable: list[str] = field(default_factory=list)
    hashable: list[str] = field(default_factory=list)
    array_fields: list[str] = field(default_factory=list)
    indexed: set[tuple[str, ...]] = field(default_factory=set)
    jsonb_fields: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> @map name
    int_fields: list[str] = field(default_factory=list)


class SchemaGenerator:
    """One random but valid Prisma schema per seed."""

    def __init__(self, seed: int, dialect: str) -> None:
        self.rng = random.Random(seed)
        self.dialect = dialect
        self.pg = dialect == "postgresql"
        self.schemas = ["core", "extra"] if self.pg and self.rng.random() < 0.35 else []
        self.prisma_mode = self.rng.random() < 0.2
        self.enums: list[tuple[str, list[str]]] = []
        self.relation_count = 0

    def text(self) -> str:
        names = self.rng.sample(WORDS, self.rng.randint(3, 5))
        if self.rng.random() < 0.3:  # names past PostgreSQL's 63 bytes, for join tables and indexes
            names[0] += "WithANameLongEnoughToBeCutInJoinTables"
            names[1] += "WithANameLongEnoughToBeCutInJoinTables"
        models = [self._model(name) for name in names]
        enum_text = self._enums()
        for plan in models:
            self._scalars(plan)
        self._relations(models)
        for plan in models:
            self._indexes(plan)
        body = "".join(self._render(plan) for plan in models)
        return self._header() + enum_text + body + self._ignored_and_views()

    def _ignored_and_views(self) -> str:
        """A @@ignore model (still created) and a view (never created), now and then."""
        schema = f'\n  @@schema("{self.schemas[0]}")' if self.schemas else ""
        out = ""
        if self.rng.random() < 0.3:
            out += f"model Hidden {{\n  id Int @id\n  note String?{schema}\n  @@ignore\n}}\n"
        if self.rng.random() < 0.3:
            out += f"view Overview {{\n  id Int @unique\n  total Int?{schema}\n}}\n"
        return out

    # --- header and enums ---------------------------------------------------------------------

    def _header(self) -> str:
        lines = ["datasource db {", f'  provider = "{self.dialect}"']
        lines.append('  url = env("DATABASE_URL")' if self.pg else '  url = "file:./dev.db"')
        if self.schemas:
            lines.append(f"  schemas = {str(self.schemas).replace(chr(39), chr(34))}")
        if self.pg:
            lines.append("  extensions = [citext]")
        if self.prisma_mode:
            lines.append('  relationMode = "prisma"')
        lines += [
            "}",
            "generator client {",
            '  provider = "prisma-client-js"',
            "  previewFeatures = "
            '["multiSchema", "postgresqlExtensions", "views", "partialIndexes"]',
            "}",
            "",
        ]
        return "\n".join(lines) + "\n"

    def _enums(self) -> str:
        out = []
        for number in range(self.rng.randint(0, 2)):
            name = f"Enum{number}"
            values = [f"V{index}" for index in range(self.rng.randint(1, 4))]
            lines = [f"enum {name} {{"]
            for value in values:
                mapped = f' @map("{value.lower()}-m")' if self.rng.random() < 0.3 else ""
                lines.append(f"  {value}{mapped}")
            if self.rng.random() < 0.3:
                lines.append(f'  @@map("{name.lower()}_t")')
            if self.schemas:
                lines.append(f'  @@schema("{self.rng.choice(self.schemas)}")')
            out.append("\n".join(lines) + "\n}\n")
            self.enums.append((name, values))
        return "".join(out)

    # --- models ---------------------------------------------------------------------------------

    def _model(self, name: str) -> ModelPlan:
        kinds = ["int", "cuid", "compound"] + (["bigint", "uuid"] if self.pg else [])
        plan = ModelPlan(
            name, self.rng.choice(kinds), self.rng.choice(self.schemas) if self.schemas else None
        )
        if plan.id_kind == "int":
            plan.lines.append("id Int @id @default(autoincrement())")
        elif plan.id_kind == "bigint":
            plan.lines.append("id BigInt @id @default(autoincrement())")
        elif plan.id_kind == "uuid":
            plan.lines.append('id String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid')
        elif plan.id_kind == "cuid":
            plan.lines.append('id String @id @default(cuid()) @map("_id")')
        else:
            plan.lines += ["org Int", "code String"]
            plan.block.append(
                '@@id([org, code], map: "' + name.lower() + '_pk")'
                if self.pg and self.rng.random() < 0.5
                else "@@id([org, code])"
            )
            plan.indexable += ["org", "code"]
            plan.hashable += ["org", "code"]
        return plan

    def _scalars(self, plan: ModelPlan) -> None:
        kinds = PG_KINDS if self.pg else SQLITE_KINDS
        for number, word in enumerate(self.rng.sample(FIELD_WORDS, self.rng.randint(2, 6))):
            name = f"{word}{number}"
            if self.enums and self.rng.random() < 0.2:
                self._enum_field(plan, name)
                continue
            kind = self.rng.choice(kinds)
            is_list = self.pg and bool(kind.list_defaults) and self.rng.random() < 0.25
            optional = not is_list and self.rng.random() < 0.3
            parts = [name, kind.prisma + ("[]" if is_list else "?" if optional else "")]
            choices = kind.list_defaults if is_list else kind.defaults
            if choices and self.rng.random() < 0.7:
                parts.append(f"@default({self.rng.choice(choices)})")
            if kind.native:
                parts.append(kind.native)
            if (
                kind.prisma == "DateTime"
                and not is_list
                and len(parts) == 2
                and self.rng.random() < 0.3
            ):
                parts.append("@updatedAt")
            if self.rng.random() < 0.2:
                parts.append(f'@map("{word}_{number}_col")')
                plan.columns[name] = f"{word}_{number}_col"
            if self.rng.random() < 0.05:
                parts.append("@ignore")
            if not is_list and kind.indexable and self.rng.random() < 0.15:
                parts.append("@unique(sort: Desc)" if self.rng.random() < 0.3 else "@unique")
            plan.lines.append(" ".join(parts))
            if kind.prisma == "Json" and not kind.native and not is_list:
                plan.jsonb_fields.append(name)
            if kind.prisma == "Int" and not kind.native and not is_list:
                plan.int_fields.append(name)
            if is_list:
                plan.array_fields.append(name)
            elif kind.indexable:
                plan.indexable.append(name)
                if kind.hashable:
                    plan.hashable.append(name)
        if self.pg and self.rng.random() < 0.2:
            plan.lines.append('search Unsupported("tsvector")?')

    def _enum_field(self, plan: ModelPlan, name: str) -> None:
        enum, values = self.rng.choice(self.enums)
        if self.pg and self.rng.random() < 0.3:
            chosen = self.rng.sample(values, self.rng.randint(0, len(values)))
            plan.lines.append(f"{name} {enum}[] @default([{', '.join(chosen)}])")
            return
        default = f" @default({self.rng.choice(values)})" if self.rng.random() < 0.7 else ""
        plan.lines.append(f"{name} {enum}{default}")
        plan.indexable.append(name)
        plan.hashable.append(name)

    def _indexes(self, plan: ModelPlan) -> None:
        candidates = plan.indexable
        if len(candidates) >= 2 and self.rng.random() < 0.5:
            pair = self.rng.sample(candidates, 2)
            plan.block.append(f"@@unique([{pair[0]}, {pair[1]}])")
        if candidates and self.rng.random() < 0.7:
            chosen = self.rng.sample(candidates, min(len(candidates), self.rng.randint(1, 2)))
            items = [f"{name}(sort: Desc)" if self.rng.random() < 0.3 else name for name in chosen]
            mapped = f', map: "{plan.name.lower()}_ix"' if self.rng.random() < 0.2 else ""
            self._add_index(plan, items, mapped)
        if self.pg and plan.hashable and self.rng.random() < 0.3:
            field_name = self.rng.choice(plan.hashable)
            plan.block.append(
                f'@@index([{field_name}], type: Hash, map: "{plan.name[:20]}_{field_name}_hash")'
            )
        if self.pg and plan.array_fields and self.rng.random() < 0.5:
            self._add_index(plan, [self.rng.choice(plan.array_fields)], ", type: Gin")
        if self.pg and plan.jsonb_fields and self.rng.random() < 0.5:
            ops = self.rng.choice(["JsonbPathOps", "JsonbOps"])
            self._add_index(
                plan, [f"{self.rng.choice(plan.jsonb_fields)}(ops: {ops})"], ", type: Gin"
            )
        if self.pg and plan.int_fields and self.rng.random() < 0.4:
            ops = self.rng.choice(["Int4MinMaxOps", "Int4BloomOps", "Int4MinMaxMultiOps"])
            self._add_index(
                plan, [f"{self.rng.choice(plan.int_fields)}(ops: {ops})"], ", type: Brin"
            )
        if self.pg and candidates and self.rng.random() < 0.3:
            name = self.rng.choice(candidates)
            # (a constant condition such as true would be folded away by PostgreSQL)
            condition = f"{plan.columns.get(name, name)} IS NOT NULL"
            plan.block.append(
                f'@@index([{name}], where: raw("{condition}"), map: "{plan.name[:20]}_{name}_some")'
            )

    def _add_index(self, plan: ModelPlan, items: list[str], extra: str) -> None:
        """An @@index, unless one on the same fields exists (Prisma refuses the duplicate name)."""
        fields = tuple(item.split("(")[0] for item in items)
        if fields in plan.indexed:
            return
        plan.indexed.add(fields)
        plan.block.append(f"@@index([{', '.join(items)}]{extra})")

    # --- relations ------------------------------------------------------------------------------

    def _relations(self, models: list[ModelPlan]) -> None:
        first, second = models[0], models[1]
        if first.name.endswith("JoinTables") and "compound" not in {first.id_kind, second.id_kind}:
            self._many_to_many(first, second, named=False)  # a join table name past 63 bytes
        for child in models:
            for _ in range(self.rng.randint(0, 2)):
                parent = self.rng.choice(models)
                shape = self.rng.choice(["one-to-many", "one-to-one", "many-to-many"])
                if shape == "many-to-many" and "compound" not in {child.id_kind, parent.id_kind}:
                    self._many_to_many(child, parent)
                elif shape == "one-to-one" and parent is not child:
                    self._foreign_key(child, parent, unique=True)
                else:
                    self._foreign_key(child, parent, unique=False)

    def _relation_name(self) -> str:
        self.relation_count += 1
        return f"rel{self.relation_count}"

    def _foreign_key(self, child: ModelPlan, parent: ModelPlan, unique: bool) -> None:
        relation = self._relation_name()
        optional = parent is child or self.rng.random() < 0.4
        mark = "?" if optional else ""
        id_fields = self._id_fields(parent)
        local = [f"{relation}{ref.capitalize()}" for ref, _, _ in id_fields]
        for name, (_, type_name, native) in zip(local, id_fields, strict=True):
            line = f"{name} {type_name}{mark}{native}"
            if unique and len(local) == 1:
                line += " @unique"
            child.lines.append(line)
        if unique and len(local) > 1:
            child.block.append(f"@@unique([{', '.join(local)}])")
        actions = self._actions(optional, parent is child)
        references = ", ".join(ref for ref, _, _ in id_fields)
        child.lines.append(
            f'{relation} {parent.name}{mark} @relation("{relation}", fields: [{", ".join(local)}], '
            f"references: [{references}]{actions})"
        )
        back = (
            f"{relation}Back {child.name}" + ("?" if unique else "[]") + f' @relation("{relation}")'
        )
        parent.lines.append(back)
        if self.rng.random() < 0.4 and not unique:
            self._add_index(child, local, "")

    def _actions(self, optional: bool, self_relation: bool) -> str:
        if self.prisma_mode:  # cycles are refused unless every action is explicit and inert
            return ", onDelete: Restrict, onUpdate: Restrict"
        parts = []
        if self_relation or self.rng.random() < 0.4:
            choices = ["Cascade", "Restrict", "NoAction"] + (["SetNull"] if optional else [])
            parts.append(f"onDelete: {'NoAction' if self_relation else self.rng.choice(choices)}")
        if self_relation or self.rng.random() < 0.3:
            choices = ["Cascade", "NoAction", "Restrict"]
            parts.append(f"onUpdate: {'NoAction' if self_relation else self.rng.choice(choices)}")
        return "".join(f", {part}" for part in parts)

    def _id_fields(self, plan: ModelPlan) -> list[tuple[str, str, str]]:
        """(field name, type, native type attribute) that a foreign key field must repeat."""
        return {
            "int": [("id", "Int", "")],
            "bigint": [("id", "BigInt", "")],
            "uuid": [("id", "String", " @db.Uuid")],
            "cuid": [("id", "String", "")],
            "compound": [("org", "Int", ""), ("code", "String", "")],
        }[plan.id_kind]

    def _many_to_many(self, one: ModelPlan, other: ModelPlan, named: bool | None = None) -> None:
        relation = self._relation_name()
        if named is None:
            named = one is other or self.rng.random() < 0.5
        attribute = f' @relation("{relation}")' if named else f' @relation("{relation}M")'
        if not named:
            # an unnamed pair needs to be the only relation between the two models' list fields
            attribute = ""
            if any(line.endswith(f"{other.name}[]") for line in one.lines):
                attribute = f' @relation("{relation}")'
        one.lines.append(f"{relation}Left {other.name}[]{attribute}")
        other.lines.append(f"{relation}Right {one.name}[]{attribute}")

    # --- output ---------------------------------------------------------------------------------

    def _render(self, plan: ModelPlan) -> str:
        block = list(plan.block)
        if plan.schema:
            block.append(f'@@schema("{plan.schema}")')
        if self.rng.random() < 0.25:
            block.append(f'@@map("{plan.name.lower()}s")')
        body = "".join(f"  {line}\n" for line in plan.lines + block)
        return f"model {plan.name} {{\n{body}}}\n"


def check_agreement(text: str, expected_dialect: str, database: str) -> list[str]:
    expected = lower(parse_schema(text))
    assert expected.dialect == expected_dialect
    actual = introspect(database, expected.namespaces)
    return above_info(expected, actual) + strict_differences(expected, actual)


@pytest.mark.parametrize("seed", PG_SEEDS)
def test_random_postgresql_schema_agrees_with_prisma(
    seed: int, shared_dir: Path, tmp_path: Path, scratch_pg: str
) -> None:
    text = SchemaGenerator(seed, "postgresql").text()
    apply_pg(scratch_pg, prisma_ddl(shared_dir, tmp_path, text))
    problems = check_agreement(text, "postgresql", scratch_pg)
    assert problems == [], f"seed {seed}:\n{text}"


@pytest.mark.parametrize("seed", SQLITE_SEEDS)
def test_random_sqlite_schema_agrees_with_prisma(
    seed: int, shared_dir: Path, tmp_path: Path
) -> None:
    text = SchemaGenerator(seed, "sqlite").text()
    ddl = prisma_ddl(shared_dir, tmp_path, text)
    path = tmp_path / "agree.db"
    connection = sqlite3.connect(path)
    try:
        connection.executescript(ddl)
    finally:
        connection.close()
    problems = check_agreement(text, "sqlite", f"sqlite:///{path}")
    assert problems == [], f"seed {seed}:\n{text}"


def test_generator_is_deterministic_and_varied() -> None:
    assert SchemaGenerator(3, "postgresql").text() == SchemaGenerator(3, "postgresql").text()
    texts = [SchemaGenerator(seed, "postgresql").text() for seed in range(40)]
    joined = "\n".join(texts)
    for feature in (
        "@@id(",
        "@@unique(",
        "@@index(",
        "type: Hash",
        "@relation(",
        "@@schema(",
        'relationMode = "prisma"',
        "@db.Uuid",
        "@default(now())",
        "@map(",
        "enum ",
    ):
        assert feature in joined, feature
