"""Attributes one at a time: is it known, is it there once, are its arguments the ones it takes
and of the right kinds; ``@default`` values against the field's type; ``@updatedAt``; ``@map``
on relation fields; ``@db.*`` through ``types``."""

from __future__ import annotations

from audits.engine.prisma import ast
from audits.engine.prisma.validate.context import (
    SCALAR_TYPES,
    Ctx,
    describe_value,
    expect_string,
    value_text,
)
from audits.engine.prisma.validate.types import check_native_type

# attribute -> (the name of its positional argument, or None; every argument it takes)
FIELD_ATTRIBUTES: dict[str, tuple[str | None, frozenset[str]]] = {
    "id": (None, frozenset(("map", "length", "sort", "clustered"))),
    "unique": (None, frozenset(("map", "length", "sort", "clustered"))),
    "default": ("value", frozenset(("value", "map"))),
    "map": ("name", frozenset(("name",))),
    "relation": ("name", frozenset(("name", "fields", "references", "onDelete", "onUpdate",
                                    "map"))),
    "updatedAt": (None, frozenset()),
    "ignore": (None, frozenset()),
    "shardKey": (None, frozenset()),
}
BLOCK_ATTRIBUTES: dict[str, tuple[str | None, frozenset[str]]] = {
    "id": ("fields", frozenset(("fields", "name", "map", "clustered"))),
    "unique": ("fields", frozenset(("fields", "name", "map", "clustered"))),
    "index": ("fields", frozenset(("fields", "name", "map", "type", "clustered"))),
    "fulltext": ("fields", frozenset(("fields", "map"))),
    "map": ("name", frozenset(("name",))),
    "ignore": (None, frozenset()),
    "schema": ("name", frozenset(("name",))),
    "shardKey": ("fields", frozenset(("fields",))),
}
REPEATABLE_BLOCK_ATTRIBUTES = frozenset(("unique", "index", "fulltext"))
REFERENTIAL_ACTIONS = frozenset(("Cascade", "Restrict", "NoAction", "SetNull", "SetDefault"))
INDEX_TYPES = {"postgresql": frozenset(("BTree", "Hash", "Gist", "Gin", "SpGist", "Brin"))}


def attribute_label(attribute: ast.Attribute) -> str:
    return ("@@" if attribute.block else "@") + attribute.name


def parsing_error(ctx: Ctx, attribute: ast.Attribute, message: str,
                  position: ast.Position | None = None) -> None:
    ctx.error(f'Error parsing attribute "{attribute_label(attribute)}": {message}',
              position or attribute.position)


def check_attribute_set(ctx: Ctx, attributes: tuple[ast.Attribute, ...], block: bool,
                        model: ast.Model | None = None) -> list[ast.Attribute]:
    """Known, once each, arguments of the right names; the ones worth checking further.

    Runs for every field of the schema, so the common case (known attributes, each once) is
    one pass with no duplicate bookkeeping beyond a small set."""
    table = BLOCK_ATTRIBUTES if block else FIELD_ATTRIBUTES
    prefix = None if block else ctx.prefix
    known: list[ast.Attribute] = []
    seen: set[str] = set()
    repeated: set[str] = set()
    for attribute in attributes:
        name = attribute.name
        if prefix is not None and name.startswith(prefix):
            name = prefix
        elif name not in table:
            ctx.error(f'Attribute not known: "{attribute_label(attribute)}".', attribute.position)
            continue
        if name in seen:
            repeated.add(name)
        seen.add(name)
        if name == prefix or not attribute.arguments or \
                _arguments_fit(ctx, attribute, table[name]):
            known.append(attribute)
    if repeated:
        _report_repeated(ctx, attributes, repeated, block, prefix)
    return known


def _report_repeated(ctx: Ctx, attributes: tuple[ast.Attribute, ...], repeated: set[str],
                     block: bool, prefix: str | None) -> None:
    for attribute in attributes:
        name = attribute.name
        if prefix is not None and name.startswith(prefix):
            name = prefix
        if name not in repeated or block and name in REPEATABLE_BLOCK_ATTRIBUTES:
            continue
        label = "@" + prefix.rstrip(".") if name == prefix and prefix else \
            attribute_label(attribute)
        ctx.error(f'Attribute "{label}" can only be defined once.', attribute.position)


def _arguments_fit(ctx: Ctx, attribute: ast.Attribute,
                   spec: tuple[str | None, frozenset[str]]) -> bool:
    positional_name, names = spec
    ok = True
    seen: set[str] = set()
    positional_seen = False
    for argument in attribute.arguments:
        name = argument.name
        if name is None:
            if positional_name is None or positional_seen:
                ctx.error("No such argument.", argument.position)
                ok = False
                continue
            positional_seen = True
            name = positional_name
        elif name not in names:
            ctx.error("No such argument.", argument.position)
            ok = False
            continue
        if name in seen:
            parsing_error(ctx, attribute, f'The argument "{name}" is given twice.',
                          argument.position)
            ok = False
        seen.add(name)
    if ok:
        ok = _argument_kinds(ctx, attribute)
    return ok


def _argument_kinds(ctx: Ctx, attribute: ast.Attribute) -> bool:
    ok = True
    for argument in attribute.arguments:
        name = argument.name
        value = argument.value
        if name is None:
            name = (BLOCK_ATTRIBUTES if attribute.block else FIELD_ATTRIBUTES)[attribute.name][0]
        if name in ("map", "name"):
            ok = expect_string(ctx, value) is not None and ok
        elif name == "clustered":
            if not isinstance(value, ast.BooleanValue):
                ctx.error(f"Expected a boolean value, but received {describe_value(value)} "
                          f"value `{value_text(value)}`.", value.position)
                ok = False
            elif ctx.connector != "sqlserver":
                parsing_error(ctx, attribute,
                              "Defining clustering is not supported in the current connector.")
                ok = False
        elif name == "sort":
            if not (isinstance(value, ast.ConstantValue) and value.name in ("Asc", "Desc")):
                parsing_error(ctx, attribute, "The `sort` argument can only be `Asc` or `Desc` "
                              f"you provided: {value_text(value)}.")
                ok = False
        elif name == "length":
            if not (isinstance(value, ast.NumberValue) and value.text.isdigit()):
                ctx.error(f"Expected a numeric value, but received {describe_value(value)} "
                          f"value `{value_text(value)}`.", value.position)
                ok = False
            elif ctx.connector != "mysql":
                parsing_error(ctx, attribute, "The length argument is not supported in an index "
                              "definition with the current connector")
                ok = False
        elif name in ("onDelete", "onUpdate"):
            if not (isinstance(value, ast.ConstantValue) and value.name in REFERENTIAL_ACTIONS):
                parsing_error(ctx, attribute,
                              f"Invalid referential action: `{value_text(value)}`")
                ok = False
        elif name == "type":
            allowed = INDEX_TYPES.get(ctx.connector or "", frozenset(("BTree",)))
            if not isinstance(value, ast.ConstantValue):
                ctx.error(f"Expected a constant value, but received {describe_value(value)} "
                          f"value `{value_text(value)}`.", value.position)
                ok = False
            elif value.name not in allowed:
                parsing_error(ctx, attribute,
                              "The given index type is not supported with the current connector")
                ok = False
        elif name in ("fields", "references"):
            items = value.items if isinstance(value, ast.ArrayValue) else (value,)
            for item in items:
                if not isinstance(item, ast.ConstantValue | ast.FunctionValue):
                    ctx.error(f"Expected a constant literal value, but received "
                              f"{describe_value(item)} value `{value_text(item)}`.",
                              item.position)
                    ok = False
    return ok


def check_field_attributes(ctx: Ctx, model: ast.Model, field: ast.Field) -> None:
    attributes = check_attribute_set(ctx, field.attributes, block=False)
    prefix = ctx.prefix
    relation = field.type.name in ctx.models
    for attribute in attributes:
        name = attribute.name
        if name in _PLAIN:
            if relation:
                parsing_error(ctx, attribute, f"The field `{field.name}` is a relation field and "
                              f"cannot be marked with `@{name}`. Only scalar fields can be made "
                              "unique.")
        elif prefix is not None and name.startswith(prefix):
            check_native_type(ctx, field, attribute)
        elif name == "default":
            check_default(ctx, model, field, attribute)
        elif name == "updatedAt" and field.type.name != "DateTime":
            parsing_error(ctx, attribute,
                          "Fields that are marked with @updatedAt must be of type DateTime.")
        elif name == "updatedAt" and field.type.list:
            parsing_error(ctx, attribute,
                          "Fields that are marked with @updatedAt cannot be lists.")
        elif name == "map" and relation:
            parsing_error(ctx, attribute,
                          "The attribute `@map` cannot be used on relation fields.")
        elif name == "relation" and not relation:
            parsing_error(ctx, attribute, "Invalid field type, not a relation.")
        elif name == "shardKey":
            check_shard_key(ctx, attribute)


_PLAIN = frozenset(("id", "unique"))


def check_shard_key(ctx: Ctx, attribute: ast.Attribute) -> None:
    if "shardKeys" not in ctx.preview_features:
        parsing_error(ctx, attribute,
                      "Defining shard keys requires enabling the `shardKeys` preview feature")
    if ctx.connector != "mysql":
        parsing_error(ctx, attribute, "Shard keys are not currently supported for provider "
                      f"{ctx.connector or 'empty'}")


# --- @default -----------------------------------------------------------------------------------

_STRING_FUNCTIONS = frozenset(("uuid", "cuid", "nanoid", "ulid"))


def check_default(ctx: Ctx, model: ast.Model, field: ast.Field,
                  attribute: ast.Attribute) -> None:
    value = attribute.argument("value")
    if value is None:
        parsing_error(ctx, attribute, 'Argument "value" is missing.')
        return
    kind = field.type.name
    if kind in ctx.models:
        parsing_error(ctx, attribute, "Cannot set a default value on a relation field.")
        return
    if kind in ctx.composites:
        return
    if kind == "Unsupported":
        if not _is_dbgenerated(value):
            parsing_error(ctx, attribute,
                          'Only @default(dbgenerated("...")) can be used for Unsupported types.')
        return
    if isinstance(value, ast.FunctionValue):
        _default_function(ctx, model, field, attribute, value)
        return
    if field.type.list:
        if not isinstance(value, ast.ArrayValue):
            parsing_error(ctx, attribute, f"Expected a list of {kind} values, but found "
                          f"`{value_text(value)}`.")
            return
        for item in value.items:
            if not _literal_fits(ctx, kind, item):
                parsing_error(ctx, attribute,
                              f"Expected a {kind} value, but found `{value_text(item)}`.")
                return
        return
    if kind == "Json" and isinstance(value, ast.StringValue) and not _is_json(value.value):
        parsing_error(ctx, attribute, f'Parse error: "{value.value}" is not a valid JSON string.')
        return
    if kind == "Bytes" and isinstance(value, ast.StringValue) and not _is_base64(value.value):
        parsing_error(ctx, attribute, f'Parse error: "{value.value}" is not a valid base64 '
                      "string.")
        return
    if kind == "DateTime" and isinstance(value, ast.StringValue):
        problem = rfc3339_problem(value.value)
        if problem is not None:
            parsing_error(ctx, attribute, f'Parse error: "{value.value}" is not a valid rfc3339 '
                          f"datetime string. ({problem})")
            return
    if not _literal_fits(ctx, kind, value):
        if kind in ctx.enums and isinstance(value, ast.ConstantValue):
            parsing_error(ctx, attribute, f"The defined default value `{value.name}` is not a "
                          "valid value of the enum specified for the field.")
        else:
            expected = "enum" if kind in ctx.enums else kind
            parsing_error(ctx, attribute,
                          f"Expected a {expected} value, but found `{value_text(value)}`.")


def _literal_fits(ctx: Ctx, kind: str, value: ast.Value) -> bool:
    if kind in ("String", "Json", "Bytes"):
        return isinstance(value, ast.StringValue)
    if kind in ("Int", "BigInt"):
        return isinstance(value, ast.NumberValue) and "." not in value.text
    if kind in ("Float", "Decimal"):
        return isinstance(value, ast.NumberValue)
    if kind == "Boolean":
        return isinstance(value, ast.BooleanValue)
    if kind == "DateTime":
        return isinstance(value, ast.StringValue) and rfc3339_problem(value.value) is None
    enum = ctx.enums.get(kind)
    if enum is not None:
        return isinstance(value, ast.ConstantValue) and any(v.name == value.name
                                                            for v in enum.values)
    return True


# RFC 3339 as Prisma reads a DateTime default (chrono's parse_from_rfc3339): fixed-width fields
# in this order, "T", "t" or a space between date and time, a fraction of any length, "Z"/"z"
# or an offset with a colon. The width of a field is checked before its characters, as chrono
# does, which decides which of its words Prisma prints.
_RFC3339_FIELDS = ("9999", "-", "99", "-", "99", "T", "99", ":", "99", ":", "99")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def rfc3339_problem(text: str) -> str | None:
    """None when ``text`` is a date-time Prisma accepts as a default; else chrono's words."""
    at = 0
    numbers = []
    for shape in _RFC3339_FIELDS:
        piece = text[at:at + len(shape)]
        if len(piece) < len(shape):
            return "premature end of input"
        if shape == "T":
            ok = piece in "Tt "
        elif shape[0] == "9":
            ok = piece.isascii() and piece.isdigit()
            numbers.append(int(piece) if ok else 0)
        else:
            ok = piece == shape
        if not ok:
            return "input contains invalid characters"
        at += len(shape)
    if text[at:at + 1] == ".":
        digits = at + 1
        while text[digits:digits + 1].isascii() and text[digits:digits + 1].isdigit():
            digits += 1
        if digits == at + 1:
            return "input contains invalid characters"
        at = digits
    zone = text[at:at + 1]
    offset = (0, 0)
    if zone in ("Z", "z"):
        at += 1
    elif zone in ("+", "-"):
        hours, colon, minutes = text[at + 1:at + 3], text[at + 3:at + 4], text[at + 4:at + 6]
        for piece, width in ((hours, 2), (colon, 1), (minutes, 2)):
            if len(piece) < width:
                return "premature end of input"
            if not (piece == ":" if width == 1 else piece.isascii() and piece.isdigit()):
                return "input contains invalid characters"
        offset = (int(hours), int(minutes))
        at += 6
    elif not zone:
        return "premature end of input"
    else:
        return "input contains invalid characters"
    if at < len(text):
        return "trailing input"
    year, month, day, hour, minute, second = numbers
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1] \
            or (month == 2 and day == 29 and not leap) or hour > 23 or minute > 59 \
            or second > 60 or offset[0] > 23 or offset[1] > 59:
        return "input is out of range"
    return None


def _is_base64(text: str) -> bool:
    import base64
    import binascii

    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_json(text: str) -> bool:
    import json

    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _is_dbgenerated(value: ast.Value) -> bool:
    return isinstance(value, ast.FunctionValue) and value.name == "dbgenerated"


def _sqlite_autoincrement(ctx: Ctx, model: ast.Model, field: ast.Field,
                          attribute: ast.Attribute) -> None:
    """SQLite's (and no datasource's) autoincrement is the rowid: only on the lone ``@id``."""
    if field.attribute("id") is not None:
        return
    parsing_error(ctx, attribute, "The `autoincrement()` default value is used on a non-id "
                  "field even though the datasource does not support this.")
    indexed = field.attribute("unique") is not None or any(
        a.name in ("unique", "index", "id") and _first_field(a) == field.name
        for a in model.attributes)
    if not indexed:
        parsing_error(ctx, attribute, "The `autoincrement()` default value is used on a "
                      "non-indexed field even though the datasource does not support this.")


def _first_field(attribute: ast.Attribute) -> str | None:
    value = attribute.argument("fields")
    items = value.items if isinstance(value, ast.ArrayValue) else (value,)
    first = items[0] if items else None
    return first.name if isinstance(first, ast.ConstantValue | ast.FunctionValue) else None


def _default_function(ctx: Ctx, model: ast.Model, field: ast.Field, attribute: ast.Attribute,
                      value: ast.FunctionValue) -> None:
    kind = field.type.name
    name = value.name
    fits: bool
    if name == "dbgenerated":
        fits = True
        if value.arguments and not isinstance(value.arguments[0].value, ast.StringValue):
            parsing_error(ctx, attribute, "`dbgenerated()` takes either no argument, or a single "
                          "nonempty string argument.")
            return
    elif name == "autoincrement":
        fits = kind in ("Int", "BigInt")
        if fits and ctx.connector in (None, "sqlite"):
            _sqlite_autoincrement(ctx, model, field, attribute)
    elif name == "sequence" and ctx.connector == "cockroachdb":
        fits = kind in ("Int", "BigInt")
    elif name == "now":
        fits = kind == "DateTime"
    elif name in _STRING_FUNCTIONS:
        fits = kind == "String"
        if fits and not _string_function_arguments(ctx, attribute, value):
            return
    elif name == "auto":
        fits = True
    else:
        ctx.error(f"Unknown function in @default(): `{name}` is not known. You can read about "
                  "the available functions here: https://pris.ly/d/attribute-functions",
                  value.position)
        return
    if not fits:
        parsing_error(ctx, attribute,
                      f"The function `{name}()` cannot be used on fields of type `{kind}`.")


def _string_function_arguments(ctx: Ctx, attribute: ast.Attribute,
                               value: ast.FunctionValue) -> bool:
    arguments = value.arguments
    name = value.name
    if not arguments:
        return True
    number = arguments[0].value
    digits = number.text if isinstance(number, ast.NumberValue) else ""
    if name == "uuid" and (len(arguments) > 1 or digits not in ("4", "7")):
        parsing_error(ctx, attribute, "`uuid()` takes either no argument, or a single integer "
                      "argument which is either 4 or 7.")
        return False
    if name == "cuid" and (len(arguments) > 1 or digits not in ("1", "2")):
        parsing_error(ctx, attribute, "`cuid()` takes either no argument, or a single integer "
                      "argument which is either 1 or 2.")
        return False
    if name == "nanoid" and (len(arguments) > 1 or not digits.isdigit()
                             or not 2 <= int(digits) <= 255):
        parsing_error(ctx, attribute, "`nanoid()` takes either no argument, or a single integer "
                      "argument between 2 and 255.")
        return False
    if name == "ulid":
        parsing_error(ctx, attribute, "`ulid()` takes no arguments.")
        return False
    return True


def is_scalar(ctx: Ctx, field: ast.Field) -> bool:
    name = field.type.name
    return name in SCALAR_TYPES or name in ctx.enums or name == "Unsupported"
