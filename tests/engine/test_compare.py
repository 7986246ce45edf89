"""compare(): one test per finding kind and severity rule, on hand-built schemas."""

from __future__ import annotations

from dataclasses import replace

from audits.engine.compare import compare
from audits.engine.model import (
    Column,
    Enum,
    Finding,
    ForeignKey,
    Index,
    ObjectStatus,
    PrimaryKey,
    Report,
    Schema,
    Severity,
    Status,
    Table,
)

ID = Column("id", "integer", False, "autoincrement()", "id")
LIVE_ID = Column("id", "int4", False, "nextval('\"User_id_seq\"'::regclass)")


def user(*extra: Column, indexes: tuple[Index, ...] = (), model: str | None = "User") -> Table:
    return Table("User", columns=(ID, Column("email", "text", False, None, "email"), *extra),
                 primary_key=PrimaryKey(("id",), "User_pkey"), indexes=indexes, model=model)


def post(foreign_keys: tuple[ForeignKey, ...] = (), model: str | None = "Post",
         indexes: tuple[Index, ...] = ()) -> Table:
    return Table("Post", columns=(Column("id", "text", False, None, "id"),
                                  Column("authorId", "integer", False, None, "authorId")),
                 primary_key=PrimaryKey(("id",), "Post_pkey"), foreign_keys=foreign_keys,
                 indexes=indexes, model=model)


AUTHOR_FK = ForeignKey("Post_authorId_fkey", ("authorId",), "User", ("id",),
                       on_delete="CASCADE", on_update="CASCADE")


def pg(*tables: Table, enums: tuple[Enum, ...] = ()) -> Schema:
    return Schema("postgresql", tables=tables, enums=enums)


def live(table: Table) -> Table:
    """The live side never knows models or fields."""
    return replace(table, model=None, columns=tuple(replace(c, field=None) for c in table.columns))


def kinds(report: Report) -> list[tuple[str, str]]:
    return [(f.kind, f.severity.value) for f in report.findings]


def only(report: Report) -> Finding:
    assert len(report.findings) == 1, kinds(report)
    return report.findings[0]


def test_identical_schemas_have_no_findings_and_ok_status() -> None:
    schema = pg(user(), post((AUTHOR_FK,)))
    report = compare(schema, pg(live(user()), live(post((AUTHOR_FK,)))))
    assert report.findings == ()
    assert report.objects == (ObjectStatus("Post", Status.OK, "public", "Post"),
                              ObjectStatus("User", Status.OK, "public", "User"))


def test_postgres_spellings_are_not_drift() -> None:
    expected = pg(user(Column("createdAt", "timestamp(3) without time zone", False,
                              "CURRENT_TIMESTAMP", "createdAt"),
                       Column("name", "character varying(255)", True, "'x'", "name")))
    actual = pg(Table("User", columns=(
        LIVE_ID, Column("email", "TEXT", False),
        Column("createdAt", "TIMESTAMP(3)", False, "now()"),
        Column("name", "varchar(255)", True, "'x'::character varying")),
        primary_key=PrimaryKey(("id",), "User_pkey")))
    assert compare(expected, actual).findings == ()


def test_missing_table_is_one_critical_finding_and_status_missing() -> None:
    users = user(indexes=(Index("User_email_key", ("email",), True),))
    report = compare(pg(users, post((AUTHOR_FK,))), pg(live(users)))
    finding = only(report)
    assert (finding.kind, finding.severity, finding.table, finding.model) == (
        "missing_table", Severity.CRITICAL, "Post", "Post")
    assert finding.message == ('Model Post\'s table "Post" does not exist, so every query on '
                               "Post fails.")
    assert ObjectStatus("Post", Status.MISSING, "public", "Post") in report.objects


def test_missing_table_swallows_foreign_keys_that_point_at_it() -> None:
    comment = Table("Comment", columns=(Column("id", "integer", False), Column("postId", "text")),
                    primary_key=PrimaryKey(("id",)),
                    foreign_keys=(ForeignKey("Comment_postId_fkey", ("postId",), "Post", ("id",)),),
                    model="Comment")
    report = compare(pg(user(), post(), comment), pg(live(user()), live(comment)))
    assert kinds(report) == [("missing_table", "critical")]


def test_missing_column_is_critical_and_carries_what_needs_it() -> None:
    expected = pg(user(Column("username", "text", True, None, "username"),
                       indexes=(Index("User_username_key", ("username",), True),)))
    report = compare(expected, pg(live(user())))
    finding = only(report)
    assert (finding.kind, finding.severity, finding.model, finding.field, finding.column) == (
        "missing_column", Severity.CRITICAL, "User", "username", "username")
    assert finding.message.startswith(
        'User.username is missing: column "username" of table "User" does not exist, so every '
        "query on User fails")
    assert '"User_username_key"' in finding.message
    assert report.objects == (ObjectStatus("User", Status.BROKEN, "public", "User"),)


def test_missing_column_carries_its_foreign_key() -> None:
    report = compare(pg(user(), post((AUTHOR_FK,))),
                     pg(live(user()), Table("Post", columns=(Column("id", "text", False),),
                                            primary_key=PrimaryKey(("id",), "Post_pkey"))))
    assert kinds(report) == [("missing_column", "critical")]
    assert "Post_authorId_fkey" in report.findings[0].message


def test_extra_column_not_null_without_default_is_critical() -> None:
    finding = only(compare(pg(user()), pg(live(user(Column("legacy", "text", False))))))
    assert (finding.kind, finding.severity, finding.column) == (
        "extra_column", Severity.CRITICAL, "legacy")
    assert "every create of User fails" in finding.message


def test_extra_column_nullable_or_with_default_is_info() -> None:
    for column in (Column("legacy", "text", True), Column("flag", "boolean", False, "false")):
        finding = only(compare(pg(user()), pg(live(user(column)))))
        assert (finding.kind, finding.severity) == ("extra_column", Severity.INFO)


def test_type_mismatch_is_error() -> None:
    finding = only(compare(pg(user(Column("age", "integer", True, None, "age"))),
                           pg(live(user(Column("age", "text", True))))))
    assert (finding.kind, finding.severity, finding.expected, finding.actual) == (
        "type_mismatch", Severity.ERROR, "integer", "text")


def test_nullability_expected_null_live_not_null_is_error() -> None:
    finding = only(compare(pg(user(Column("bio", "text", True, None, "bio"))),
                           pg(live(user(Column("bio", "text", False))))))
    assert (finding.kind, finding.severity, finding.expected, finding.actual) == (
        "nullability_mismatch", Severity.ERROR, "NULL", "NOT NULL")


def test_nullability_expected_not_null_live_null_is_warning() -> None:
    report = compare(pg(user(Column("bio", "text", False, None, "bio"))),
                     pg(live(user(Column("bio", "text", True)))))
    finding = only(report)
    assert (finding.kind, finding.severity, finding.expected, finding.actual) == (
        "nullability_mismatch", Severity.WARNING, "NOT NULL", "NULL")
    assert report.objects[0].status == Status.DEGRADED


def test_default_mismatch_is_warning() -> None:
    finding = only(compare(pg(user(Column("n", "integer", False, "0", "n"))),
                           pg(live(user(Column("n", "integer", False, "1"))))))
    assert (finding.kind, finding.severity, finding.expected, finding.actual) == (
        "default_mismatch", Severity.WARNING, "0", "1")


def test_default_missing_on_not_null_column_is_error() -> None:
    finding = only(compare(pg(user(Column("ok", "boolean", False, "true", "ok"))),
                           pg(live(user(Column("ok", "boolean", False))))))
    assert (finding.kind, finding.severity) == ("default_mismatch", Severity.ERROR)


def test_default_missing_on_nullable_column_is_warning() -> None:
    finding = only(compare(pg(user(Column("ok", "boolean", True, "true", "ok"))),
                           pg(live(user(Column("ok", "boolean", True))))))
    assert (finding.kind, finding.severity) == ("default_mismatch", Severity.WARNING)


def test_missing_autoincrement_sequence_is_error() -> None:
    columns = (Column("id", "integer", False), Column("email", "text", False))
    actual = pg(Table("User", columns=columns,
                      primary_key=PrimaryKey(("id",), "User_pkey")))
    finding = only(compare(pg(user()), actual))
    assert (finding.kind, finding.severity, finding.column) == (
        "default_mismatch", Severity.ERROR, "id")


def test_extra_live_default_is_info() -> None:
    finding = only(compare(pg(user(Column("n", "integer", False, None, "n"))),
                           pg(live(user(Column("n", "integer", False, "0"))))))
    assert (finding.kind, finding.severity) == ("default_mismatch", Severity.INFO)


def test_primary_key_on_other_columns_is_error() -> None:
    actual = replace(live(user()), primary_key=PrimaryKey(("email",), "User_pkey"))
    finding = only(compare(pg(user()), pg(actual)))
    assert (finding.kind, finding.severity) == ("primary_key_mismatch", Severity.ERROR)


def test_missing_primary_key_is_error() -> None:
    finding = only(compare(pg(user()), pg(replace(live(user()), primary_key=None))))
    assert (finding.kind, finding.severity) == ("primary_key_mismatch", Severity.ERROR)


def test_primary_key_name_only_difference_is_info() -> None:
    actual = replace(live(user()), primary_key=PrimaryKey(("id",), "users_pk"))
    finding = only(compare(pg(user()), pg(actual)))
    assert (finding.kind, finding.severity, finding.expected, finding.actual) == (
        "primary_key_mismatch", Severity.INFO, "User_pkey", "users_pk")


def test_missing_unique_is_error_and_missing_index_is_warning() -> None:
    expected = pg(user(indexes=(Index("User_email_key", ("email",), True),
                                Index("User_email_idx", ("email",)))))
    report = compare(expected, pg(live(user())))
    assert kinds(report) == [("missing_unique", "error"), ("missing_index", "warning")]
    assert [f.object_name for f in report.findings] == ["User_email_key", "User_email_idx"]


def test_indexes_match_by_columns_not_names() -> None:
    expected = pg(user(indexes=(Index("User_email_key", ("email",), True),)))
    actual = pg(live(user(indexes=(Index("users_email_unique", ("email",), True),))))
    finding = only(compare(expected, actual))
    assert (finding.kind, finding.severity, finding.expected, finding.actual) == (
        "extra_unique", Severity.INFO, "User_email_key", "users_email_unique")


def test_same_name_on_other_columns_is_missing_plus_extra() -> None:
    expected = pg(user(Column("a", "text", True, None, "a"),
                       indexes=(Index("User_idx", ("email",)),)))
    actual = pg(live(user(Column("a", "text", True), indexes=(Index("User_idx", ("a",)),))))
    assert kinds(compare(expected, actual)) == [("missing_index", "warning"),
                                                ("extra_index", "info")]


def test_index_method_and_predicate_are_part_of_the_match() -> None:
    expected = pg(user(indexes=(Index("i", ("email",), method="gin"),
                                Index("p", ("email",), predicate='"email" IS NOT NULL'))))
    matching = pg(live(user(indexes=(Index("i", ("email",), method="GIN"),
                                     Index("p", ("email",),
                                           predicate='(email IS NOT NULL)')))))
    assert compare(expected, matching).findings == ()
    other = pg(live(user(indexes=(Index("i", ("email",)),
                                  Index("p", ("email",), predicate="email = 'a'")))))
    assert ("missing_index", "warning") in kinds(compare(expected, other))


def test_unique_constraint_and_unique_index_are_equivalent() -> None:
    expected = pg(user(indexes=(Index("User_email_key", ("email",), True),)))
    actual = pg(live(user(indexes=(Index("User_email_key", ("email",), True, constraint=True),))))
    assert compare(expected, actual).findings == ()


def test_unique_index_covering_the_primary_key_is_info() -> None:
    actual = pg(live(user(indexes=(Index("User_id_key", ("id",), True),))))
    finding = only(compare(pg(user()), actual))
    assert (finding.kind, finding.severity) == ("extra_unique", Severity.INFO)
    assert "primary key" in finding.message


def test_extra_index_is_info() -> None:
    finding = only(compare(pg(user()), pg(live(user(indexes=(Index("x", ("email",)),))))))
    assert (finding.kind, finding.severity) == ("extra_index", Severity.INFO)


def test_missing_foreign_key_is_warning() -> None:
    report = compare(pg(user(), post((AUTHOR_FK,))), pg(live(user()), live(post())))
    finding = only(report)
    assert (finding.kind, finding.severity, finding.object_name) == (
        "missing_foreign_key", Severity.WARNING, "Post_authorId_fkey")
    assert ObjectStatus("Post", Status.DEGRADED, "public", "Post") in report.objects


def test_foreign_key_with_other_actions_is_a_mismatch_warning() -> None:
    actual = pg(live(user()), live(post((replace(AUTHOR_FK, on_delete="RESTRICT"),))))
    finding = only(compare(pg(user(), post((AUTHOR_FK,))), actual))
    assert (finding.kind, finding.severity) == ("foreign_key_mismatch", Severity.WARNING)


def test_foreign_key_renamed_is_info_and_extra_is_info() -> None:
    renamed = pg(live(user()), live(post((replace(AUTHOR_FK, name="fk_author"),))))
    finding = only(compare(pg(user(), post((AUTHOR_FK,))), renamed))
    assert (finding.kind, finding.severity, finding.actual) == (
        "extra_foreign_key", Severity.INFO, "fk_author")
    extra = only(compare(pg(user(), post()), pg(live(user()), live(post((AUTHOR_FK,))))))
    assert (extra.kind, extra.severity) == ("extra_foreign_key", Severity.INFO)


ROLE = Enum("Role", ("USER", "ADMIN"))


def with_role() -> Table:
    return user(Column("role", '"Role"', False, "'USER'", "role"))


def live_role() -> Table:
    return live(user(Column("role", "Role", False, "'USER'::\"Role\"")))


def test_missing_enum_is_critical() -> None:
    report = compare(pg(user(), enums=(ROLE,)), pg(live(user())))
    finding = only(report)
    assert (finding.kind, finding.severity, finding.object_name) == (
        "missing_enum", Severity.CRITICAL, "Role")


def test_enum_value_order_is_not_drift() -> None:
    report = compare(pg(with_role(), enums=(ROLE,)),
                     pg(live_role(), enums=(Enum("Role", ("ADMIN", "USER")),)))
    assert report.findings == ()


def test_missing_enum_value_is_error_and_breaks_the_models_using_it() -> None:
    report = compare(pg(with_role(), enums=(ROLE,)),
                     pg(live_role(), enums=(Enum("Role", ("USER",)),)))
    finding = only(report)
    assert (finding.kind, finding.severity, finding.object_name) == (
        "missing_enum_value", Severity.ERROR, "ADMIN")
    assert report.objects[0].status == Status.BROKEN


def test_extra_enum_value_is_warning_and_extra_enum_is_info() -> None:
    report = compare(pg(with_role(), enums=(ROLE,)),
                     pg(live_role(), enums=(Enum("Role", ("USER", "ADMIN", "GUEST")),
                                            Enum("Old", ("A",)))))
    assert kinds(report) == [("extra_enum_value", "warning"), ("extra_enum", "info")]
    assert report.objects[0].status == Status.DEGRADED


def test_extra_table_is_info_with_a_modelless_status() -> None:
    report = compare(pg(user()), pg(live(user()), Table("Legacy", columns=(ID,))))
    finding = only(report)
    assert (finding.kind, finding.severity, finding.table, finding.model) == (
        "extra_table", Severity.INFO, "Legacy", None)
    assert ObjectStatus("Legacy", Status.OK, "public", None) in report.objects


def test_prisma_migrations_table_is_not_drift() -> None:
    bookkeeping = Table("_prisma_migrations", columns=(Column("id", "varchar(36)", False),))
    assert compare(pg(user()), pg(live(user()), bookkeeping)).findings == ()


def join_table(**layout: object) -> Table:
    return Table("_GroupToUser", columns=(Column("A", "integer", False),
                                           Column("B", "integer", False)),
                 indexes=(Index("_GroupToUser_B_index", ("B",)),
                          *layout.get("indexes", ())),  # type: ignore[misc]
                 primary_key=layout.get("primary_key"))  # type: ignore[arg-type]


NEW_LAYOUT = join_table(primary_key=PrimaryKey(("A", "B"), "_GroupToUser_AB_pkey"))
OLD_LAYOUT = join_table(indexes=(Index("_GroupToUser_AB_unique", ("A", "B"), True),))


def test_many_to_many_old_live_layout_against_new_expected_is_info_only() -> None:
    report = compare(pg(NEW_LAYOUT), pg(OLD_LAYOUT))
    assert report.findings and all(f.severity == Severity.INFO for f in report.findings)
    assert report.objects == (ObjectStatus("_GroupToUser", Status.OK, "public", None),)


def test_many_to_many_new_live_layout_against_old_expected_is_info_only() -> None:
    report = compare(pg(OLD_LAYOUT), pg(NEW_LAYOUT))
    assert report.findings and all(f.severity == Severity.INFO for f in report.findings)


def test_sqlite_integer_primary_key_numbers_itself() -> None:
    expected = Schema("sqlite", (Table("T", columns=(Column("id", "INTEGER", False,
                                                            "autoincrement()", "id"),),
                                       primary_key=PrimaryKey(("id",)), model="T"),))
    actual = Schema("sqlite", (Table("T", columns=(Column("id", "integer", False),),
                                     primary_key=PrimaryKey(("id",))),))
    assert compare(expected, actual).findings == ()


def test_findings_are_sorted_by_severity_schema_table_kind_name() -> None:
    expected = pg(user(Column("b", "text", True, None, "b"), Column("a", "text", True, None, "a"),
                       Column("n", "integer", False, "0", "n")), post((AUTHOR_FK,)),
                  Table("Zed", columns=(ID,), primary_key=PrimaryKey(("id",)), model="Zed"),
                  enums=(ROLE,))
    actual = pg(live(user(Column("n", "integer", False, "1"))),
                live(post()), Table("Aaa", columns=(ID,)))
    report = compare(expected, actual)
    order = [(f.severity.value, f.table, f.kind, f.column or f.object_name)
             for f in report.findings]
    assert order == [
        ("critical", None, "missing_enum", "Role"),
        ("critical", "User", "missing_column", "a"),
        ("critical", "User", "missing_column", "b"),
        ("critical", "Zed", "missing_table", None),
        ("warning", "Post", "missing_foreign_key", "Post_authorId_fkey"),
        ("warning", "User", "default_mismatch", "n"),
        ("info", "Aaa", "extra_table", None),
    ]
    assert compare(expected, actual) == report
    assert [o.table for o in report.objects] == ["Aaa", "Post", "User", "Zed"]
    assert [o.status for o in report.objects] == [Status.OK, Status.DEGRADED, Status.BROKEN,
                                                  Status.MISSING]


def test_list_not_null_with_a_default_is_info_without_one_is_error() -> None:
    """Prisma creates lists nullable, never writes NULL into one (inbox-zero's sources)."""
    expected = pg(user(Column("tags", "text[]", True, "ARRAY[]::TEXT[]", "tags")))
    with_default = only(compare(expected, pg(live(user(
        Column("tags", "_text", False, "ARRAY[]::text[]"))))))
    assert (with_default.kind, with_default.severity) == ("nullability_mismatch", Severity.INFO)
    bare = pg(user(Column("tags", "text[]", True, None, "tags")))
    without = only(compare(bare, pg(live(user(Column("tags", "text[]", False))))))
    assert (without.kind, without.severity) == ("nullability_mismatch", Severity.ERROR)


def test_enum_findings_name_the_enum_in_expected_or_actual() -> None:
    missing = only(compare(pg(user(), enums=(ROLE,)), pg(live(user()))))
    assert (missing.expected, missing.actual) == ("Role", None)
    assert missing.message == ('The enum type "Role" (USER, ADMIN) does not exist, so the '
                               "columns that need it cannot be created or read.")
    extra = only(compare(pg(user()), pg(live(user()), enums=(ROLE,))))
    assert (extra.kind, extra.expected, extra.actual) == ("extra_enum", None, "Role")
