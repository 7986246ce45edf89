"""``@default(...)`` as the database reports it.

PostgreSQL: the text of ``pg_get_expr(adbin, adrelid)`` for the DDL Prisma runs, so that the
normalizer in ``compare`` has little to do. What PostgreSQL does to a constant on the way in is
reproduced here: a string is labelled with its type (``'x'::text``, ``'x'::bpchar``), a negative
number is quoted (``'-5'::integer``), jsonb is re-printed in its canonical form, a timestamp
literal loses its offset (``timestamp``) or is shifted to UTC (``timestamptz``, assuming the
reading session's TimeZone is UTC), list elements carry the explicit array cast.
``dbgenerated("...")`` is kept verbatim (PostgreSQL may re-print it). Defaults the client
computes (``uuid()``, ``cuid()``, ``nanoid()``, ``ulid()``) and ``@updatedAt`` have no database
default. ``autoincrement()`` stands for a sequence (``nextval(...)`` on the live side).

SQLite: the default text exactly as Prisma's DDL writes it, which SQLite keeps verbatim.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from audits.engine.prisma import ast
from audits.engine.prisma.lowering.context import POSTGRESQL, Context, schema_error
from audits.engine.prisma.lowering.names import pg_quote_literal
from audits.engine.prisma.lowering.resolved import ResolvedType

AUTOINCREMENT = "autoincrement()"
CURRENT_TIMESTAMP = "CURRENT_TIMESTAMP"
CLIENT_SIDE_FUNCTIONS = frozenset({"uuid", "cuid", "nanoid", "ulid", "auto"})
_INT4 = range(-(2**31), 2**31)
_INT8 = range(-(2**63), 2**63)


def column_default(ctx: Context, field: ast.Field, rtype: ResolvedType) -> str | None:
    return default_of(ctx, field, field.attribute("default"), rtype)


def default_of(
    ctx: Context, field: ast.Field, attribute: ast.Attribute | None, rtype: ResolvedType
) -> str | None:
    """``column_default`` for a caller that has already found the field's ``@default``."""
    if attribute is None:
        return None
    arguments = attribute.arguments
    if len(arguments) == 1 and arguments[0].name is None:
        value: ast.Value | None = arguments[0].value  # @default(x): what argument() finds
    else:
        value = attribute.argument("value", 0)
    if value is None:
        raise schema_error("@default needs a value", attribute.position)
    if isinstance(value, ast.FunctionValue):  # now(), uuid()...: cheap, nothing to store
        return _function_default(ctx, value, rtype)
    # A schema repeats the same few literal defaults on columns of the same type: each is
    # rendered once per lower() call, keyed by the type and what the literal says. The entry
    # holds the type itself, so that a reused id() can never match; errors are never stored,
    # so each field still raises at its own position.
    kind = type(value)
    text = _LITERAL_TEXT.get(kind)  # one dict lookup instead of a chain of isinstance()
    if text is not None:
        key: tuple[object, ...] = (id(rtype), kind, getattr(value, text))
    elif isinstance(value, ast.ArrayValue) and not value.items:
        key = (id(rtype), kind)
    else:
        return _default(ctx, field, attribute, value, rtype)  # a list with items: rare
    entry = ctx.literal_defaults.get(key)
    if entry is None or entry[0] is not rtype:
        entry = ctx.literal_defaults[key] = (rtype, _default(ctx, field, attribute, value, rtype))
    return entry[1]


# The attribute that holds what a literal says, by the literal's class.
_LITERAL_TEXT = {
    ast.StringValue: "value",
    ast.BooleanValue: "value",
    ast.NumberValue: "text",
    ast.ConstantValue: "name",
}


def _default(
    ctx: Context, field: ast.Field, attribute: ast.Attribute, value: ast.Value, rtype: ResolvedType
) -> str | None:
    """A literal (not a function) default."""
    if rtype.is_list:
        if not isinstance(value, ast.ArrayValue):
            raise schema_error(
                f"the default of list field {field.name!r} must be a list", _where(value, attribute)
            )
        return _pg_array(ctx, value, rtype)
    if isinstance(value, ast.ArrayValue):
        raise schema_error(f"field {field.name!r} is not a list", _where(value, attribute))
    if ctx.dialect == POSTGRESQL:
        return _pg_scalar(ctx, value, rtype, in_array=False)
    return _sqlite_scalar(ctx, value, rtype)


def _where(value: ast.Value, attribute: ast.Attribute) -> ast.Position | None:
    return value.position or attribute.position


def _function_default(ctx: Context, value: ast.FunctionValue, rtype: ResolvedType) -> str | None:
    name = value.name
    if name == "autoincrement" or name == "sequence":
        if rtype.scalar not in {"Int", "BigInt"}:
            raise schema_error("autoincrement() needs an Int or BigInt field", value.position)
        return AUTOINCREMENT
    if name == "now":
        if rtype.scalar != "DateTime":
            raise schema_error("now() needs a DateTime field", value.position)
        return CURRENT_TIMESTAMP
    if name == "dbgenerated":
        argument = value.arguments[0].value if value.arguments else None
        if argument is None:
            return None
        if not isinstance(argument, ast.StringValue):
            raise schema_error("dbgenerated() takes a string", value.position)
        if ctx.dialect != POSTGRESQL:
            return sqlite_expression(argument.value)
        return argument.value
    if name in CLIENT_SIDE_FUNCTIONS:
        return None
    raise schema_error(
        f"unknown default function {name}()",
        value.position,
        expected="autoincrement(), now(), dbgenerated(), uuid(), cuid(), nanoid(), ulid()",
    )


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_array(ctx: Context, value: ast.ArrayValue, rtype: ResolvedType) -> str:
    if ctx.dialect != POSTGRESQL:
        raise schema_error("SQLite has no scalar lists", value.position)
    if not value.items:
        empty = f"ARRAY[]::{rtype.label}[]"
        if rtype.full_label == rtype.label:
            return empty
        # the type modifier is applied by a length coercion over the whole (empty) array
        return f"({empty})::{rtype.full_label}[]"
    items = ", ".join(_pg_scalar(ctx, item, rtype, in_array=True) for item in value.items)
    return f"ARRAY[{items}]"


def _pg_scalar(ctx: Context, value: ast.Value, rtype: ResolvedType, in_array: bool) -> str:
    label = rtype.full_label if in_array else rtype.label
    if rtype.enum is not None:
        return pg_quote_literal(_enum_value(ctx, value, rtype.enum)) + f"::{label}"
    scalar = rtype.scalar
    if scalar == "Boolean":
        return "true" if _boolean(value) else "false"
    if scalar in {"Int", "BigInt", "Float", "Decimal"}:
        return _pg_number(_number(value), rtype, in_array)
    text = _string(value)
    if scalar == "DateTime":
        text = _pg_datetime(text, rtype.native, value)
    elif scalar == "Json" and rtype.sql == "jsonb":
        text = jsonb_text(text)
    elif scalar == "Bytes":
        text = "\\x" + _bytes(text, value).hex()
    return pg_quote_literal(text) + f"::{label}"


def _pg_number(text: str, rtype: ResolvedType, in_array: bool) -> str:
    """A numeric literal as PostgreSQL prints its constant after the column's coercion."""
    constant, constant_type = pg_numeric_constant(text)
    if not in_array or constant_type == rtype.sql:
        return constant
    if constant_type == "numeric" and rtype.sql.startswith("numeric"):
        # a numeric constant under a numeric(p,s) cast is printed without its own label
        return f"{constant.removesuffix('::numeric')}::{rtype.full_label}"
    return f"({constant})::{rtype.full_label}"


def pg_numeric_constant(text: str) -> tuple[str, str]:
    """(how pg_get_expr prints the literal ``text``, the constant's type).

    An integer that fits int4 is printed bare, a negative one quoted and labelled; wider
    integers become bigint or numeric constants; anything with a point or exponent is numeric,
    bare when not negative.
    """
    if _is_integer(text):
        number = int(text)
        if number in _INT4:
            return (text if number >= 0 else f"'{number}'::integer"), "integer"
        if number in _INT8:
            return f"'{number}'::bigint", "bigint"
        return f"'{number}'::numeric", "numeric"
    if text.startswith("-"):
        return f"'{text}'::numeric", "numeric"
    return text, "numeric"


def _is_integer(text: str) -> bool:
    digits = text[1:] if text[:1] in "+-" else text
    return digits.isdigit()


def _pg_datetime(text: str, native: str | None, value: ast.Value) -> str:
    moment = _parse_datetime(text, value)
    if native == "Date":
        return moment.strftime("%Y-%m-%d")
    if native == "Time":
        return _pg_clock(moment)
    if native == "Timetz":
        return _pg_clock(moment) + _pg_offset(moment.utcoffset() or timedelta(0))
    if native == "Timestamptz":
        utc = moment.astimezone(UTC)
        return f"{utc.strftime('%Y-%m-%d')} {_pg_clock(utc)}+00"
    return f"{moment.strftime('%Y-%m-%d')} {_pg_clock(moment)}"


def _pg_clock(moment: datetime) -> str:
    clock = moment.strftime("%H:%M:%S")
    if moment.microsecond:
        clock += f".{moment.microsecond:06d}".rstrip("0")
    return clock


def _pg_offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes = rest // 60
    return f"{sign}{hours:02d}" + (f":{minutes:02d}" if minutes else "")


def jsonb_text(text: str) -> str:
    """``text`` as PostgreSQL prints it back from jsonb; unchanged when it is not JSON."""
    try:
        document = json.loads(
            text, parse_float=Decimal, parse_int=Decimal, object_pairs_hook=_last_key_wins
        )
    except ValueError:
        return text
    return _jsonb_dump(document)


def _last_key_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)


def _jsonb_dump(document: Any) -> str:
    if isinstance(document, dict):
        # jsonb keeps keys shortest first, then by their bytes
        keys = sorted(document, key=lambda key: (len(key.encode()), key.encode()))
        return (
            "{"
            + ", ".join(f"{_jsonb_string(key)}: {_jsonb_dump(document[key])}" for key in keys)
            + "}"
        )
    if isinstance(document, list):
        return "[" + ", ".join(_jsonb_dump(item) for item in document) + "]"
    if isinstance(document, str):
        return _jsonb_string(document)
    if isinstance(document, bool):
        return "true" if document else "false"
    if document is None:
        return "null"
    number = format(document, "f")
    return number[1:] if number.startswith("-") and document == 0 else number


_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _jsonb_string(text: str) -> str:
    out = []
    for char in text:
        if char in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


# --- SQLite ---------------------------------------------------------------------------------


def strip_parentheses(text: str) -> str:
    """``text`` without one pair of parentheses around all of it, if it has them."""
    if text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        return text[1:-1]
    return text


def sqlite_expression(text: str) -> str:
    """An expression default as SQLite reports it: without the parentheses around it."""
    return strip_parentheses(text)


def _closes_at_end(text: str) -> bool:
    depth = 0
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and index < len(text) - 1:
                return False
    return True


def _sqlite_scalar(ctx: Context, value: ast.Value, rtype: ResolvedType) -> str:
    if rtype.enum is not None:
        return pg_quote_literal(_enum_value(ctx, value, rtype.enum))
    scalar = rtype.scalar
    if scalar == "Boolean":
        return "true" if _boolean(value) else "false"
    if scalar in {"Int", "BigInt", "Float", "Decimal"}:
        return _number(value)
    text = _string(value)
    if scalar == "DateTime":
        text = _prisma_datetime(text, value)
    elif scalar == "Bytes":
        text = _bytes(text, value).hex()
    # Prisma writes a Json default unquoted on SQLite, which SQLite rejects; the quoted literal
    # is what a working migration holds.
    return pg_quote_literal(text)


def _prisma_datetime(text: str, value: ast.Value) -> str:
    """Prisma's rendering of a DateTime literal: ``2020-01-01 10:00:00.100 +02:00``."""
    moment = _parse_datetime(text, value)
    fraction = ""
    if moment.microsecond:
        digits = 3 if moment.microsecond % 1000 == 0 else 6
        fraction = "." + f"{moment.microsecond:06d}"[:digits]
    offset = moment.utcoffset() or timedelta(0)
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{moment.strftime('%Y-%m-%d %H:%M:%S')}{fraction} {sign}{hours:02d}:{rest // 60:02d}"


# --- literal values -------------------------------------------------------------------------


def _enum_value(ctx: Context, value: ast.Value, enum: ast.EnumDecl) -> str:
    if not isinstance(value, ast.ConstantValue):
        raise schema_error(
            f"the default of an enum field is one of {enum.name}'s values", value.position
        )
    declared = next((item for item in enum.values if item.name == value.name), None)
    if declared is None:
        raise schema_error(
            f"{value.name!r} is not a value of enum {enum.name}",
            value.position,
            expected=", ".join(item.name for item in enum.values),
        )
    return ctx.enum_value_name(declared)


def _boolean(value: ast.Value) -> bool:
    if isinstance(value, ast.BooleanValue):
        return value.value
    if isinstance(value, ast.ConstantValue) and value.name in {"true", "false"}:
        return value.name == "true"
    raise schema_error("a Boolean default must be true or false", value.position)


def _number(value: ast.Value) -> str:
    if not isinstance(value, ast.NumberValue):
        raise schema_error("a numeric default must be a number", value.position)
    try:
        Decimal(value.text)
    except InvalidOperation:
        raise schema_error(f"{value.text!r} is not a number", value.position) from None
    return value.text


def _string(value: ast.Value) -> str:
    if not isinstance(value, ast.StringValue):
        raise schema_error("this default must be a string", value.position)
    return value.value


def _parse_datetime(text: str, value: ast.Value) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise schema_error(
            f"{text!r} is not an RFC 3339 date-time",
            value.position,
            expected="2020-01-01T00:00:00Z",
        ) from None
    if moment.tzinfo is None:
        raise schema_error(
            f"{text!r} has no time zone offset", value.position, expected="2020-01-01T00:00:00Z"
        )
    return moment


def _bytes(text: str, value: ast.Value) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise schema_error(f"{text!r} is not base64", value.position) from None
