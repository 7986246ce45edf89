"""The Prisma schema parser: exact syntax trees for each construct, exact error positions."""

from __future__ import annotations

from audits.engine.prisma import parse_schema
from audits.engine.prisma.ast import (
    Argument,
    Attribute,
    ConstantValue,
    Field,
    FieldType,
    FunctionValue,
    Position,
)


def P(line: int, column: int, file: str = "schema.prisma") -> Position:
    return Position(file, line, column)


def test_a_model_with_an_id_field() -> None:
    schema = parse_schema("model User {\n  id Int @id @default(autoincrement())\n}\n")
    (model,) = schema.models
    assert model.name == "User"
    assert model.position == P(1, 1)
    assert model.fields == (
        Field(
            name="id",
            type=FieldType("Int"),
            attributes=(
                Attribute("id", (), P(2, 10)),
                Attribute(
                    "default",
                    (Argument(None, FunctionValue("autoincrement", (), P(2, 23)), P(2, 23)),),
                    P(2, 14),
                ),
            ),
            position=P(2, 3),
        ),
    )
    assert model.fields[0].attribute("default") is not None
    assert ConstantValue("x") == ConstantValue("x")
