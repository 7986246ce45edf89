"""audits.engine.changes.diff: each kind of change, its impact, and how renames are told apart
from a removal and an addition (same table or column: certain; near-identical: probable)."""

from __future__ import annotations

from typing import Any

from audits.engine.changes import guide_to_dict, schema_changes
from audits.engine.prisma import parse_schema

HEAD = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
"""


def changes(old: str, new: str) -> list[dict[str, Any]]:
    document = guide_to_dict(schema_changes(parse_schema(HEAD + old), parse_schema(HEAD + new)))
    return [{key: value for key, value in change.items() if key != "message"}
            for change in document["changes"]]


def row(kind: str, impact: str, **values: Any) -> dict[str, Any]:
    base = {"kind": kind, "model": None, "field": None, "enum": None, "value": None,
            "from": None, "to": None, "probable": False, "impact": impact, "endpoints": []}
    base.update({"from" if key == "from_" else key: value for key, value in values.items()})
    return base


USER = """
model User {
  id    String @id
  email String @unique
  name  String?
  posts Post[]
}
model Post {
  id       String @id
  title    String
  authorId String
  author   User   @relation(fields: [authorId], references: [id])
}
"""


def test_identical_schemas_have_no_change() -> None:
    assert changes(USER, USER) == []


def test_model_added_and_removed() -> None:
    extra = "model Tag {\n  id String @id\n  label String\n}\n"
    assert changes(USER, USER + extra) == [row("model_added", "safe", model="Tag")]
    assert changes(USER + extra, USER) == [row("model_removed", "breaking", model="Tag")]


def test_model_renamed_with_its_table_kept_is_certain() -> None:
    new = USER.replace("model Post {", 'model Article {\n  @@map("Post")').replace(
        "posts Post[]", "posts Article[]")
    assert changes(USER, new) == [
        row("model_renamed", "breaking", model="Article", from_="Post", to="Article"),
        row("field_type_changed", "breaking", model="User", field="posts", from_="Post[]",
            to="Article[]"),
    ]


def test_near_identical_model_is_a_probable_rename() -> None:
    new = USER.replace("model Post {", "model Entry {").replace("posts Post[]", "posts Entry[]")
    assert changes(USER, new) == [
        row("model_renamed", "breaking", model="Entry", from_="Post", to="Entry",
            probable=True),
        row("field_type_changed", "breaking", model="User", field="posts", from_="Post[]",
            to="Entry[]"),
    ]


def test_a_different_model_is_not_a_rename() -> None:
    old = USER + "model Tag {\n  id String @id\n  label String\n  color Int\n}\n"
    new = USER + "model Badge {\n  id Int @id\n  title String\n  icon Bytes\n}\n"
    assert changes(old, new) == [row("model_removed", "breaking", model="Tag"),
                                 row("model_added", "safe", model="Badge")]


def test_field_added_required_without_default_is_breaking() -> None:
    new = USER.replace("  name  String?\n", "  name  String?\n  age Int\n  nick String?\n"
                       "  score Int @default(0)\n  tags String[]\n  seen DateTime @updatedAt\n")
    assert changes(USER, new) == [
        row("field_added", "breaking", model="User", field="age", to="Int"),
        row("field_added", "safe", model="User", field="nick", to="String?"),
        row("field_added", "safe", model="User", field="score", to="Int"),
        row("field_added", "safe", model="User", field="seen", to="DateTime"),
        row("field_added", "safe", model="User", field="tags", to="String[]"),
    ]


def test_field_removed() -> None:
    new = USER.replace("  name  String?\n", "")
    assert changes(USER, new) == [
        row("field_removed", "breaking", model="User", field="name", from_="String?")]


def test_field_renamed_with_its_column_kept_and_by_similarity() -> None:
    mapped = USER.replace("  name  String?\n", '  fullName String? @map("name")\n')
    assert changes(USER, mapped) == [
        row("field_renamed", "breaking", model="User", field="fullName", from_="name",
            to="fullName")]
    similar = USER.replace("  title    String\n", "  titles   String\n")
    assert changes(USER, similar) == [
        row("field_renamed", "breaking", model="Post", field="titles", from_="title",
            to="titles", probable=True)]
    unlike = USER.replace("  title    String\n", "  body     String\n")
    assert changes(USER, unlike) == [
        row("field_added", "breaking", model="Post", field="body", to="String"),
        row("field_removed", "breaking", model="Post", field="title", from_="String")]


def test_type_optionality_default_native_type() -> None:
    new = USER.replace("  title    String\n",
                       '  title    String? @default("untitled") @db.VarChar(80)\n').replace(
        "  name  String?\n", "  name  Json?\n")
    assert changes(USER, new) == [
        row("field_type_changed", "breaking", model="User", field="name", from_="String",
            to="Json"),
        row("field_optionality_changed", "risky", model="Post", field="title",
            from_="required", to="optional"),
        row("field_native_type_changed", "risky", model="Post", field="title",
            to="@db.VarChar(80)"),
        row("field_default_changed", "safe", model="Post", field="title", to='"untitled"'),
    ]
    back = changes(new, USER)
    assert [(c["field"], c["kind"], c["impact"]) for c in back] == [
        ("title", "field_optionality_changed", "breaking"),
        ("title", "field_default_changed", "breaking"),
        ("name", "field_type_changed", "breaking"),
        ("title", "field_native_type_changed", "risky")]


def test_defaults_compare_by_value_not_spelling() -> None:
    old = "model A {\n  id String @id @default(cuid())\n  n Decimal @default(1.50)\n}\n"
    new = "model A {\n  id String @id @default(cuid(1))\n  n Decimal @default(1.5)\n}\n"
    assert changes(old, new) == []


def test_unique_and_relation_actions() -> None:
    new = USER.replace("email String @unique", "email String").replace(
        "references: [id])", "references: [id], onDelete: Cascade)").replace(
        "  authorId String\n", "  authorId String\n  @@unique([authorId, title])\n")
    assert changes(USER, new) == [
        row("unique_removed", "breaking", model="User", field="email", from_="email"),
        row("unique_added", "risky", model="Post", to="authorId, title"),
        row("relation_action_changed", "risky", model="Post", field="author", value="onDelete",
            from_="Restrict", to="Cascade"),
    ]


def test_enums() -> None:
    old = "enum Role {\n  USER\n  ADMIN\n  GUEST\n}\nenum Old {\n  A\n}\n"
    new = ("enum Role {\n  USER\n  ADMIN\n  OWNER\n}\nenum Fresh {\n  B\n}\n"
           'enum Level {\n  LOW\n  HIGH\n  @@map("Tier")\n}\n')
    assert changes(old + 'enum Tier {\n  LOW\n  HIGH\n}\n', new) == [
        row("enum_renamed", "breaking", enum="Level", from_="Tier", to="Level"),
        row("enum_removed", "breaking", enum="Old"),
        row("enum_value_removed", "breaking", enum="Role", value="GUEST"),
        row("enum_value_added", "risky", enum="Role", value="OWNER"),
        row("enum_added", "safe", enum="Fresh"),
    ]


def test_ignored_and_unsupported_are_not_in_the_client() -> None:
    new = USER.replace("  name  String?\n", "  name  String? @ignore\n  geo Unsupported(\"x\")?\n")
    new += "model Hidden {\n  id String @id\n  @@ignore\n}\n"
    assert changes(USER, new) == [
        row("field_removed", "breaking", model="User", field="name", from_="String?")]


def test_every_change_has_a_message() -> None:
    new = USER.replace("model Post {", "model Entry {").replace("posts Post[]", "posts Entry[]")
    document = guide_to_dict(schema_changes(parse_schema(HEAD + USER),
                                            parse_schema(HEAD + new)))
    assert [c["message"] for c in document["changes"]] == [
        "Model Post was renamed Entry (probably: it was removed while a near-identical model "
        "appeared): prisma.post is now prisma.entry.",
        "User.posts changed type from Post[] to Entry[].",
    ]
