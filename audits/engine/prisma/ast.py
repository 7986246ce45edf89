"""The syntax tree of a Prisma schema, as the parser produces it and lowering consumes it.

It keeps the source's shape (attributes with their raw arguments) and positions, and resolves
nothing: which field is a relation, what a default means for a dialect, and what a name maps to
are lowering's business. Attribute names are stored without their ``@``/``@@`` prefix but with
their namespace: ``id``, ``default``, ``db.VarChar``, ``index``, ``map``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from dataclasses import field as dataclass_field
from functools import cached_property, partial
from typing import Any, Protocol, cast


class TokenSource(Protocol):
    """What a position made by the parser refers to: one file's tokens (``lexer.Tokens``)."""

    file: str

    def line_column(self, index: int) -> tuple[int, int]: ...


class Position(tuple[Any, ...]):
    """Where a node starts: ``file``, 1-based ``line`` and ``column``.

    A big schema has over a hundred thousand of them and nearly all go unread (errors and tests
    ask), so the parser makes each as the tuple (its file's tokens, the token's index), built in
    C, and the line and column are found when first asked. ``Position(file, line, column)`` is
    the resolved form. Either way it equals, hashes and pickles as its (file, line, column).
    """

    __slots__ = ()

    def __new__(cls, file: str, line: int, column: int) -> Position:
        return tuple.__new__(cls, (file, line, column))

    @property
    def file(self) -> str:
        return self.resolved()[0]

    @property
    def line(self) -> int:
        return self.resolved()[1]

    @property
    def column(self) -> int:
        return self.resolved()[2]

    def resolved(self) -> tuple[str, int, int]:
        if len(self) == 3:
            return (self[0], self[1], self[2])
        source, index = self
        line, column = source.line_column(index)
        return (source.file, line, column)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Position):
            return NotImplemented
        return self.resolved() == other.resolved()

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Position):
            return NotImplemented
        return self.resolved() != other.resolved()

    def __hash__(self) -> int:
        return hash(self.resolved())

    def __repr__(self) -> str:
        file, line, column = self.resolved()
        return f"Position(file={file!r}, line={line}, column={column})"

    def __reduce__(self) -> tuple[type[Position], tuple[str, int, int]]:
        return (Position, self.resolved())


# The parser's positions: ``token_position((tokens, index))``. A partial of ``tuple.__new__``
# rather than a function, so that making one runs no Python code at all.
token_position = cast(Callable[[tuple[TokenSource, int]], Position],
                      partial(tuple.__new__, Position))


# --- values -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StringValue:
    value: str  # unescaped
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class NumberValue:
    text: str  # as written: "10", "-1", "1.5"
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class BooleanValue:
    value: bool
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class ConstantValue:
    """A bare identifier: an enum value (``USER``), a referential action (``Cascade``),
    a sort order (``Desc``), an index type (``Hash``), or a field name in ``fields: [a, b]``."""

    name: str
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class FunctionValue:
    """``now()``, ``uuid(7)``, ``dbgenerated("gen_random_uuid()")``, ``env("DATABASE_URL")``,
    or a field with arguments inside an index list: ``title(sort: Desc, length: 10)``."""

    name: str
    arguments: tuple[Argument, ...] = ()
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class ArrayValue:
    items: tuple[Value, ...] = ()
    position: Position | None = None


Value = StringValue | NumberValue | BooleanValue | ConstantValue | FunctionValue | ArrayValue


@dataclass(frozen=True, slots=True)
class Argument:
    name: str | None  # None for a positional argument
    value: Value
    position: Position | None = None


# --- declarations -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str  # "id", "default", "db.VarChar", "index", "unique", "map", ...
    arguments: tuple[Argument, ...] = ()
    position: Position | None = None
    block: bool = False  # True for @@attributes

    def argument(self, name: str, positional_index: int | None = 0) -> Value | None:
        """The named argument, or else the positional one at ``positional_index``."""
        for argument in self.arguments:
            if argument.name == name:
                return argument.value
        if positional_index is None:
            return None
        positional = [argument.value for argument in self.arguments if argument.name is None]
        if positional_index < len(positional):
            return positional[positional_index]
        return None


@dataclass(frozen=True, slots=True)
class FieldType:
    name: str  # "String", "Int", a model, enum or composite type name; "Unsupported"
    optional: bool = False  # ?
    list: bool = False  # []
    unsupported: str | None = None  # the text inside Unsupported("...")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: FieldType
    attributes: tuple[Attribute, ...] = ()
    documentation: str | None = None  # /// lines joined with newlines
    position: Position | None = None
    # The texts of the field's tokens after its name, up to the end of its declaration, as the
    # parser read them (None for a field built otherwise). Everything a field's type,
    # attributes and their arguments say follows from it, so validation and lowering work
    # once per distinct spelling: a big schema repeats a few hundred over tens of thousands
    # of fields. Not part of the field's value: equality and hashing ignore it.
    spelling: tuple[str, ...] | None = dataclass_field(default=None, compare=False, repr=False)

    def attribute(self, name: str) -> Attribute | None:
        # a plain loop, not next() over a generator: lowering asks this of every field
        # several times, and the generator's setup cost more than the scan
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    fields: tuple[Field, ...] = ()
    attributes: tuple[Attribute, ...] = ()  # block attributes (@@...)
    documentation: str | None = None
    position: Position | None = None
    kind: str = "model"  # "model", "view" or "type" (a composite type)

    def attribute(self, name: str) -> Attribute | None:
        # a plain loop, not next() over a generator: lowering asks this of every field
        # several times, and the generator's setup cost more than the scan
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    def attributes_named(self, name: str) -> tuple[Attribute, ...]:
        return tuple(a for a in self.attributes if a.name == name)

    def field(self, name: str) -> Field | None:
        for field in self.fields:
            if field.name == name:
                return field
        return None


@dataclass(frozen=True, slots=True)
class EnumValue:
    name: str
    attributes: tuple[Attribute, ...] = ()  # @map("...")
    documentation: str | None = None
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class EnumDecl:
    name: str
    values: tuple[EnumValue, ...] = ()
    attributes: tuple[Attribute, ...] = ()  # @@map, @@schema
    documentation: str | None = None
    position: Position | None = None

    def attribute(self, name: str) -> Attribute | None:
        # a plain loop, not next() over a generator: lowering asks this of every field
        # several times, and the generator's setup cost more than the scan
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None


@dataclass(frozen=True, slots=True)
class ConfigBlock:
    """A ``datasource`` or ``generator`` block: ``key = value`` properties in source order."""

    kind: str  # "datasource" or "generator"
    name: str
    properties: tuple[tuple[str, Value], ...] = ()
    position: Position | None = None

    def get(self, key: str) -> Value | None:
        return next((value for name, value in self.properties if name == key), None)


@dataclass(frozen=True)
class PrismaSchema:
    """One schema, possibly assembled from several files of a folder."""

    models: tuple[Model, ...] = ()  # models, views and composite types, in source order
    enums: tuple[EnumDecl, ...] = ()
    datasources: tuple[ConfigBlock, ...] = ()
    generators: tuple[ConfigBlock, ...] = ()
    files: tuple[str, ...] = ()

    def model(self, name: str) -> Model | None:
        return self._models_by_name.get(name)

    def enum(self, name: str) -> EnumDecl | None:
        return self._enums_by_name.get(name)

    # Lowering looks a model up for every field (is it a relation?): a scan of ``models`` made
    # that quadratic, 24 s of a 2,000-model audit. The first declaration of a name wins, as
    # the scan did. cached_property writes the instance __dict__, so it works on a frozen class.
    @cached_property
    def _models_by_name(self) -> dict[str, Model]:
        found: dict[str, Model] = {}
        for model in self.models:
            found.setdefault(model.name, model)
        return found

    @cached_property
    def _enums_by_name(self) -> dict[str, EnumDecl]:
        found: dict[str, EnumDecl] = {}
        for enum in self.enums:
            found.setdefault(enum.name, enum)
        return found


# --- construction ----------------------------------------------------------------------------


def _fast_init(cls: type) -> None:
    """Give a frozen, slotted dataclass an ``__init__`` that sets each slot through its own
    descriptor.

    A frozen dataclass's own ``__init__`` goes through ``object.__setattr__`` once a field (its
    ``__setattr__`` refuses), which makes building a node about twice the work of a plain
    class, and the parser builds over a hundred thousand nodes for a big schema. The same
    signature and defaults, generated from ``fields(cls)`` as dataclasses generates its own, so
    the two cannot drift apart; the class stays frozen, equal, hashable and picklable as
    declared."""
    namespace: dict[str, Any] = {}
    parameters = []
    for f in fields(cls):
        if f.default_factory is not MISSING:  # pragma: no cover  (none in this module)
            raise TypeError(f"{cls.__name__}.{f.name}: a default_factory needs dataclass's init")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is MISSING:
            parameters.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"    _set_{f.name}(self, {f.name})\n" for f in fields(cls))
    exec(f"def __init__(self, {', '.join(parameters)}):\n{body}", namespace)  # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]


for _node in (StringValue, NumberValue, BooleanValue, ConstantValue, FunctionValue, ArrayValue,
              Argument, Attribute, FieldType, Field, Model, EnumValue, EnumDecl, ConfigBlock):
    _fast_init(_node)


def list_items(value: Value | None) -> tuple[Value, ...]:
    """The items of a list argument. Prisma accepts a single value where it expects a list
    (langfuse writes ``@@index(orgId)`` for ``@@index([orgId])``), so that is a list of one."""
    if value is None:
        return ()
    if isinstance(value, ArrayValue):
        return value.items
    return (value,)
