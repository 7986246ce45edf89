"""Canonical spellings of column types and default expressions, so comparison can be exact.

The expected schema spells things as Prisma would create them (``SERIAL``, ``TIMESTAMP(3)``,
``DEFAULT ARRAY[]::TEXT[]``); the live database spells them as PostgreSQL reports them
(``integer``, ``timestamp(3) without time zone``, ``nextval('"User_id_seq"'::regclass)``,
``ARRAY[]::text[]``). Both sides go through the same functions here and are then compared as
plain strings: equal canonical text means the database behaves the same for the code.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

AUTOINCREMENT = "autoincrement()"
CURRENT_TIMESTAMP = "CURRENT_TIMESTAMP"

# PostgreSQL's aliases, keyed by the lower-case base name without parameters.
_PG_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "serial": "integer",
    "serial4": "integer",
    "int8": "bigint",
    "bigint": "bigint",
    "bigserial": "bigint",
    "serial8": "bigint",
    "int2": "smallint",
    "smallint": "smallint",
    "smallserial": "smallint",
    "serial2": "smallint",
    "bool": "boolean",
    "boolean": "boolean",
    "float8": "double precision",
    "double precision": "double precision",
    "double": "double precision",
    "float4": "real",
    "real": "real",
    "varchar": "character varying",
    "character varying": "character varying",
    "char varying": "character varying",
    "char": "character",
    "character": "character",
    "bpchar": "character",
    "decimal": "numeric",
    "numeric": "numeric",
    "varbit": "bit varying",
    "bit varying": "bit varying",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "time": "time",
    "timetz": "timetz",
}

# Built-in names that only need lower-casing (a name not listed here and not an alias keeps its
# case, because it is an enum or another user-defined type, and those are case-sensitive).
_PG_PLAIN = frozenset(
    {
        "text", "json", "jsonb", "uuid", "bytea", "xml", "inet", "cidr", "macaddr", "macaddr8",
        "citext", "date", "money", "oid", "interval", "tsvector", "tsquery", "point", "line",
        "lseg", "box", "path", "polygon", "circle", "bit", "int4range", "int8range", "numrange",
        "tsrange", "tstzrange", "daterange", "regclass", "name", "hstore", "ltree", "geometry",
        "geography", "vector",
    }
)

_WS = re.compile(r"\s+")
_ARRAY_SUFFIX = re.compile(r"(\s*\[\s*\d*\s*\])+$")
_TYPE_WITH_PARAMS = re.compile(
    r"^(?P<base>[a-z][a-z0-9_ ]*?)\s*(?:\(\s*(?P<params>[0-9 ,]*)\s*\))?"
    r"\s*(?P<tz>with time zone|without time zone)?$"
)


@lru_cache(maxsize=4096)  # a schema repeats a few dozen spellings thousands of times
def canonical_type(type_name: str, dialect: str = "postgresql") -> str:
    """The one spelling of a column type that both sides agree on."""
    if dialect == "sqlite":
        return canonical_sqlite_type(type_name)
    return canonical_pg_type(type_name)


def canonical_pg_type(type_name: str) -> str:
    text = _WS.sub(" ", type_name.strip())
    dims = 0
    suffix = _ARRAY_SUFFIX.search(text)
    if suffix:
        dims = suffix.group(0).count("[")
        text = text[: suffix.start()].strip()
    if text.startswith("_") and text[1:].lower() in _PG_ALIASES | dict.fromkeys(_PG_PLAIN):
        dims, text = dims + 1, text[1:]  # pg_type's internal array name: _text, _int4
    return _pg_base_type(text) + "[]" * dims


def _pg_base_type(text: str) -> str:
    if text.lower().startswith("public."):
        text = text[len("public.") :]
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1].replace('""', '"')
    match = _TYPE_WITH_PARAMS.match(text.lower())
    if not match:
        return text
    base = match.group("base").strip()
    params = (match.group("params") or "").replace(" ", "")
    zone = match.group("tz")
    if base in {"timestamp", "time", "timestamptz", "timetz"}:
        return _pg_time_type(base, params, zone)
    if base in {"float"}:
        return "real" if params and int(params) <= 24 else "double precision"
    if base in _PG_ALIASES:
        return _with_params(_PG_ALIASES[base], params)
    if base in _PG_PLAIN:
        return _with_params(base, params)
    return text  # an enum or other user-defined type: case matters


def _with_params(base: str, params: str) -> str:
    if base == "numeric" and params and "," not in params:
        params += ",0"  # numeric(10) is numeric(10,0)
    if base == "character" and not params:
        params = "1"  # char without a length is char(1)
    return f"{base}({params})" if params else base


def _pg_time_type(base: str, params: str, zone: str | None) -> str:
    with_zone = base.endswith("tz") or zone == "with time zone"
    word = "timestamp" if base.startswith("timestamp") else "time"
    # No precision behaves as precision 6, the maximum, so both spell the same.
    precision = params or "6"
    return f"{word}({precision}) {'with' if with_zone else 'without'} time zone"


# SQLite keeps the declared type text; Prisma's own diff maps it to a type family, so do we.
_SQLITE_FAMILIES = (
    ("INTEGER", ("INTEGER", "INT", "MEDIUMINT", "INT4", "TINYINT")),
    ("BIGINT", ("BIGINT", "INT8", "UNSIGNED BIG INT")),
    ("SMALLINT", ("SMALLINT", "INT2")),
    ("REAL", ("REAL", "FLOAT", "DOUBLE", "DOUBLE PRECISION", "FLOAT8")),
    ("DECIMAL", ("DECIMAL", "NUMERIC")),
    ("BOOLEAN", ("BOOLEAN", "BOOL")),
    ("TEXT", ("TEXT", "VARCHAR", "CHARACTER VARYING", "CHAR", "CHARACTER", "NCHAR",
              "NVARCHAR", "VARYING CHARACTER", "NATIVE CHARACTER", "CLOB", "STRING")),
    ("DATETIME", ("DATETIME", "TIMESTAMP", "DATE")),
    ("BLOB", ("BLOB", "BYTES")),
    ("JSONB", ("JSONB", "JSON")),
)
_SQLITE_BASE = re.compile(r"^(?P<base>[A-Z][A-Z0-9_ ]*?)\s*(\(.*\))?$")


def canonical_sqlite_type(type_name: str) -> str:
    text = _WS.sub(" ", type_name.strip()).upper()
    match = _SQLITE_BASE.match(text)
    if not match:
        return text
    base = match.group("base").strip()
    for family, members in _SQLITE_FAMILIES:
        if base in members:
            return family
    return text


# --- defaults -----------------------------------------------------------------------------

_CAST_TYPE = re.compile(
    r'^(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_ ]*?(?:\(\s*[0-9 ,]*\))?'
    r"(?:\s+with(?:out)?\s+time\s+zone)?)(?:\s*\[\s*\d*\s*\])*$"
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NEXTVAL = re.compile(r"^nextval\(.*\)$", re.IGNORECASE)
_TIMESTAMP_WORDS = re.compile(
    r"^(now\(\)|current_timestamp(\(\d+\))?|transaction_timestamp\(\)|localtimestamp(\(\d+\))?)$",
    re.IGNORECASE,
)
# Prisma fills these in its client: the database has no default for them.
_CLIENT_SIDE = re.compile(r"^(uuid|cuid|nanoid|ulid)\(.*\)$", re.IGNORECASE)
_DBGENERATED = re.compile(r"^dbgenerated\(\s*(['\"])(?P<body>.*)\1\s*\)$", re.DOTALL)


@lru_cache(maxsize=8192)
def canonical_default(
    default: str | None, dialect: str = "postgresql", column_type: str | None = None
) -> str | None:
    """The one spelling of a default expression; None stays None (no default).

    ``column_type`` settles what ``'{}'`` is: an empty array on an array column, else JSON.
    """
    if default is None:
        return None
    text = default.strip()
    generated = _DBGENERATED.match(text)
    if generated:
        text = generated.group("body").strip()
    if not text or text.upper() == "NULL" or _CLIENT_SIDE.match(text):
        return None
    is_array = bool(column_type and column_type.rstrip().endswith("]"))
    canonical = _canonical_expression(text, is_array)
    if dialect == "sqlite" and column_type and canonical_sqlite_type(column_type) == "BOOLEAN":
        # SQLite stores booleans as integers: DEFAULT 1 and DEFAULT true are the same value
        canonical = {"1": "true", "0": "false"}.get(canonical, canonical)
    return canonical


def _canonical_expression(text: str, is_array: bool = False) -> str:
    text = _strip_outer_parens(text.strip())
    while True:
        stripped = _strip_trailing_cast(text)
        if stripped == text:
            break
        is_array = is_array or text.rstrip().endswith("]")
        text = _strip_outer_parens(stripped)
    if _NEXTVAL.match(text) or text.lower() == AUTOINCREMENT:
        return AUTOINCREMENT
    if _TIMESTAMP_WORDS.match(text):
        return CURRENT_TIMESTAMP
    if text.upper().startswith("ARRAY[") and text.endswith("]"):
        return _canonical_array(split_top_level(text[6:-1]))
    if text.startswith("'") and _literal_end(text, 0) == len(text):
        return _canonical_literal(text[1:-1].replace("''", "'"), is_array)
    if _NUMBER.match(text):
        return _canonical_number(text)
    if text.lower() in {"true", "false"}:
        return text.lower()
    if text.startswith(("[", "{")):  # SQLite keeps a JSON default unquoted as Prisma wrote it
        return _canonical_literal(text)
    return _squeeze(text)


def bare_literal(default: str) -> str:
    """``'x'::text`` -> ``'x'``: a quoted literal without the casts the catalog adds (the
    column's type casts it anyway). Anything else is returned unchanged."""
    text = default.strip()
    if not text.startswith("'"):
        return text
    end = _literal_end(text, 0)
    rest = text[end:].strip()
    if rest.startswith("::") and _CAST_TYPE.match(rest[2:].strip()):
        return text[:end]
    return text


def _canonical_literal(value: str, is_array: bool = False) -> str:
    """A string literal's content: numbers, booleans, arrays and JSON lose their quotes' noise."""
    if _NUMBER.match(value.strip()):
        return _canonical_number(value.strip())
    if value.lower() in {"true", "false"}:
        return value.lower()
    if value.startswith("{") and value.endswith("}") and (is_array or not _is_json(value)):
        return _canonical_array(_split_pg_array_literal(value[1:-1]))
    if value.startswith(("[", "{")) and _is_json(value):
        value = json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))
    return "'" + value.replace("'", "''") + "'"


def _canonical_array(items: list[str]) -> str:
    return "ARRAY[" + ",".join(_canonical_expression(item) for item in items) + "]"


def _canonical_number(text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _split_pg_array_literal(body: str) -> list[str]:
    """``{a,"b c",1}`` -> SQL literals ``'a'``, ``'b c'``, ``1``."""
    if not body.strip():
        return []
    items = []
    for raw in split_top_level(body, quote='"'):
        item = raw.strip()
        if item.startswith('"') and item.endswith('"'):
            item = item[1:-1].replace('\\"', '"')
        items.append(item if _NUMBER.match(item) else "'" + item.replace("'", "''") + "'")
    return items


def _literal_end(text: str, start: int, quote: str = "'") -> int:
    """Index just past the quoted literal opening at ``start`` (a doubled quote escapes)."""
    index = start + 1
    while index < len(text):
        if text[index] == quote:
            if index + 1 < len(text) and text[index + 1] == quote:
                index += 2
                continue
            return index + 1
        index += 1
    return len(text)


def split_top_level(body: str, quote: str = "'") -> list[str]:
    """Split on commas that are outside quotes, parentheses and brackets."""
    if not body.strip():
        return []
    items, depth, start, index = [], 0, 0, 0
    while index < len(body):
        char = body[index]
        if char in (quote, '"'):
            index = _literal_end(body, index, char)
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:index].strip())
            start = index + 1
        index += 1
    items.append(body[start:].strip())
    return items


def _top_level_positions(text: str) -> list[tuple[int, int]]:
    """(index, depth) of every character outside quoted literals and identifiers."""
    positions, depth, index = [], 0, 0
    while index < len(text):
        char = text[index]
        if char in ("'", '"'):
            index = _literal_end(text, index, char)
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        positions.append((index, depth))
        index += 1
    return positions


def _strip_trailing_cast(text: str) -> str:
    """``'x'::character varying`` -> ``'x'``: the last top-level ``::type`` goes."""
    cut = None
    for index, depth in _top_level_positions(text):
        if depth == 0 and text.startswith("::", index):
            cut = index
    if cut is None or not _CAST_TYPE.match(text[cut + 2 :].strip()):
        return text
    return text[:cut].strip()


def _strip_outer_parens(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        text = text[1:-1].strip()
    return text


def _closes_at_end(text: str) -> bool:
    for index, depth in _top_level_positions(text):
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _squeeze(text: str) -> str:
    """Whitespace collapsed and keywords lower-cased, outside quoted text."""
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char in ("'", '"'):
            end = _literal_end(text, index, char)
            out.append(text[index:end])
            index = end
            continue
        out.append(" " if char.isspace() else char.lower())
        index += 1
    squeezed = _WS.sub(" ", "".join(out)).strip()
    squeezed = re.sub(r"\s*([(),]|::)\s*", r"\1", squeezed)
    # Inner casts (``'a'::text`` inside a function call) are noise too.
    return re.sub(r"::[a-z_][a-z0-9_ ]*(\[\])*(?=[,)\]]|$)", "", squeezed)


def canonical_predicate(predicate: str | None) -> str | None:
    """A partial index's WHERE clause, without the casts and parentheses PostgreSQL adds."""
    if predicate is None or not predicate.strip():
        return None
    text = _strip_outer_parens(predicate.strip())
    text = _squeeze(text)
    text = _PREDICATE_CAST.sub("", text)
    # PostgreSQL quotes only the identifiers that need it: "email" and email are one column.
    text = re.sub(r'"([a-z_][a-z0-9_]*)"', r"\1", text)
    return text.replace("(", "").replace(")", "")


_PREDICATE_CAST = re.compile(
    r'::(?:character varying|double precision|timestamp(?:\(\d+\))? with(?:out)? time zone'
    r'|"[^"]+"|[a-z_][a-z0-9_]*)(?:\[\])*'
)


__all__ = [
    "AUTOINCREMENT",
    "bare_literal",
    "CURRENT_TIMESTAMP",
    "canonical_default",
    "canonical_pg_type",
    "canonical_predicate",
    "canonical_sqlite_type",
    "canonical_type",
    "split_top_level",
]
