"""Field lines seen before, rebuilt without parsing them again.

A big schema repeats the same field line after the name (``Int @id @default(autoincrement())``,
``String @db.VarChar(191)``) thousands of times. The same tokens always parse to the same nodes,
only at other places; so once a line after its name has parsed twice, the grammar compiles a
function that builds that field's nodes directly (the constructors, nothing else) with each
position moved to the new place, and calls it for the line's next occurrences.

Each builder is generated from the nodes the grammar itself produced for the line, so what it
builds is exactly what parsing would: the same values (strings already unescaped, as literals),
the same kinds of nodes, every position the same token of the new line. Only a field whose
declaration ends at the line's end (no trailing ``///`` comment, no argument list going on
below) gets a builder, so the line's tokens are all its declaration depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from audits.engine.prisma.ast import (
    Argument,
    ArrayValue,
    Attribute,
    BooleanValue,
    ConstantValue,
    Field,
    FunctionValue,
    NumberValue,
    Position,
    StringValue,
    TokenSource,
    Value,
    token_position,
)

# (tokens, index of the field's name, its name, its documentation, its spelling) -> the field
FieldBuilder = Callable[[TokenSource, int, str, "str | None", tuple[str, ...]], Field]

_NAMESPACE: dict[str, Any] = {
    "Argument": Argument,
    "ArrayValue": ArrayValue,
    "Attribute": Attribute,
    "BooleanValue": BooleanValue,
    "ConstantValue": ConstantValue,
    "Field": Field,
    "FunctionValue": FunctionValue,
    "NumberValue": NumberValue,
    "StringValue": StringValue,
    "P": token_position,
}


class _NotReplayable(Exception):
    """A node this module does not know how to rebuild (a position already resolved...)."""


def field_builder(field: Field, name_index: int) -> FieldBuilder | None:
    """A function that builds ``field`` again for the same line after another name, at another
    place; None when the field's nodes cannot be rebuilt that way."""
    try:
        attributes = _tuple([_attribute(a, name_index) for a in field.attributes])
    except _NotReplayable:
        return None
    source = (
        "def build(tokens, base, name, documentation, spelling):\n"
        f"    return Field(name, field_type, {attributes}, documentation, P((tokens, base)),"
        " spelling)\n"
    )
    namespace = {**_NAMESPACE, "field_type": field.type}
    # the source holds only node class names, numbers and repr() literals of the line's values
    exec(source, namespace)  # noqa: S102
    return cast(FieldBuilder, namespace["build"])


def _tuple(items: list[str]) -> str:
    return f"({', '.join(items)},)" if items else "()"


def _position(position: Position | None, base: int) -> str:
    if position is None or len(position) != 2 or not isinstance(position[1], int):
        raise _NotReplayable
    return f"P((tokens, base + {position[1] - base}))"


def _attribute(attribute: Attribute, base: int) -> str:
    arguments = _tuple([_argument(a, base) for a in attribute.arguments])
    return (f"Attribute({attribute.name!r}, {arguments}, {_position(attribute.position, base)}, "
            f"{attribute.block!r})")


def _argument(argument: Argument, base: int) -> str:
    return (f"Argument({argument.name!r}, {_value(argument.value, base)}, "
            f"{_position(argument.position, base)})")


def _value(value: Value, base: int) -> str:
    position = _position(value.position, base)
    kind = type(value)
    if kind is StringValue:
        return f"StringValue({cast(StringValue, value).value!r}, {position})"
    if kind is NumberValue:
        return f"NumberValue({cast(NumberValue, value).text!r}, {position})"
    if kind is BooleanValue:
        return f"BooleanValue({cast(BooleanValue, value).value!r}, {position})"
    if kind is ConstantValue:
        return f"ConstantValue({cast(ConstantValue, value).name!r}, {position})"
    if kind is FunctionValue:
        function = cast(FunctionValue, value)
        arguments = _tuple([_argument(a, base) for a in function.arguments])
        return f"FunctionValue({function.name!r}, {arguments}, {position})"
    if kind is ArrayValue:
        items = _tuple([_value(item, base) for item in cast(ArrayValue, value).items])
        return f"ArrayValue({items}, {position})"
    raise _NotReplayable


__all__ = ["FieldBuilder", "field_builder"]
