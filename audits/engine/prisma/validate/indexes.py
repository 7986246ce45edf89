"""PostgreSQL index methods and operator classes (``@@index([a(ops: X)], type: Brin)``): which
method takes which class, and the field type (and native type) each class works on."""

from __future__ import annotations

from audits.engine.prisma import ast
from audits.engine.prisma.validate.attributes import parsing_error
from audits.engine.prisma.validate.context import Ctx

# the native type a scalar type gets without @db.*
DEFAULT_NATIVE = {"Int": "Integer", "BigInt": "BigInt", "String": "Text",
                  "Float": "DoublePrecision", "Decimal": "Decimal", "DateTime": "Timestamp",
                  "Bytes": "ByteA", "Json": "JsonB", "Boolean": "Boolean"}


def _brin(native: str, scalar: str, *names: str) -> dict[str, tuple[str, str, frozenset[str]]]:
    return {name: ("Brin", scalar, frozenset((native,))) for name in names}


# operator class -> (index method, scalar type, native types it works on; empty = any)
OPERATOR_CLASSES: dict[str, tuple[str, str, frozenset[str]]] = {
    "InetOps": ("Gist|SpGist", "String", frozenset(("Inet",))),
    "JsonbOps": ("Gin", "Json", frozenset(("JsonB",))),
    "JsonbPathOps": ("Gin", "Json", frozenset(("JsonB",))),
    "ArrayOps": ("Gin", "", frozenset()),
    "TextOps": ("SpGist", "String", frozenset(("Text", "VarChar", "Char"))),
    **_brin("Bit", "String", "BitMinMaxOps"),
    **_brin("VarBit", "String", "VarBitMinMaxOps"),
    **_brin("Char", "String", "BpcharBloomOps", "BpcharMinMaxOps"),
    **_brin("ByteA", "Bytes", "ByteaBloomOps", "ByteaMinMaxOps"),
    **_brin("Date", "DateTime", "DateBloomOps", "DateMinMaxOps", "DateMinMaxMultiOps"),
    **_brin("Real", "Float", "Float4BloomOps", "Float4MinMaxOps", "Float4MinMaxMultiOps"),
    **_brin("DoublePrecision", "Float", "Float8BloomOps", "Float8MinMaxOps",
            "Float8MinMaxMultiOps"),
    **_brin("Inet", "String", "InetInclusionOps", "InetBloomOps", "InetMinMaxOps",
            "InetMinMaxMultiOps"),
    **_brin("SmallInt", "Int", "Int2BloomOps", "Int2MinMaxOps", "Int2MinMaxMultiOps"),
    **_brin("Integer", "Int", "Int4BloomOps", "Int4MinMaxOps", "Int4MinMaxMultiOps"),
    **_brin("BigInt", "BigInt", "Int8BloomOps", "Int8MinMaxOps", "Int8MinMaxMultiOps"),
    **_brin("Decimal", "Decimal", "NumericBloomOps", "NumericMinMaxOps",
            "NumericMinMaxMultiOps"),
    **_brin("Oid", "Int", "OidBloomOps", "OidMinMaxOps", "OidMinMaxMultiOps"),
    **_brin("Timestamp", "DateTime", "TimestampBloomOps", "TimestampMinMaxOps",
            "TimestampMinMaxMultiOps"),
    **_brin("Timestamptz", "DateTime", "TimestampTzBloomOps", "TimestampTzMinMaxOps",
            "TimestampTzMinMaxMultiOps"),
    **_brin("Time", "DateTime", "TimeBloomOps", "TimeMinMaxOps", "TimeMinMaxMultiOps"),
    **_brin("Timetz", "DateTime", "TimeTzBloomOps", "TimeTzMinMaxOps", "TimeTzMinMaxMultiOps"),
    **_brin("Uuid", "String", "UuidBloomOps", "UuidMinMaxOps", "UuidMinMaxMultiOps"),
}
OPERATOR_CLASSES["TextBloomOps"] = ("Brin", "String", frozenset(("Text", "VarChar")))
OPERATOR_CLASSES["TextMinMaxOps"] = ("Brin", "String", frozenset(("Text", "VarChar")))


def _native(ctx: Ctx, field: ast.Field) -> str | None:
    prefix = ctx.native_prefix
    if prefix:
        for attribute in field.attributes:
            if attribute.name.startswith(prefix):
                return attribute.name[len(prefix):]
    return None


def check_index_methods(ctx: Ctx, model: ast.Model, attribute: ast.Attribute) -> None:
    """One ``@@index`` of a PostgreSQL model."""
    method_value = attribute.argument("type", None)
    method = method_value.name if isinstance(method_value, ast.ConstantValue) else "BTree"
    fields = attribute.argument("fields")
    items = fields.items if isinstance(fields, ast.ArrayValue) else (() if fields is None
                                                                     else (fields,))
    if method == "SpGist" and len(items) > 1:
        parsing_error(ctx, attribute, "SpGist does not support multi-column indices.")
        return
    for item in items:
        if not isinstance(item, ast.ConstantValue | ast.FunctionValue):
            continue
        field = model.field(item.name)
        if field is None:
            continue
        ops = None
        if isinstance(item, ast.FunctionValue):
            for argument in item.arguments:
                if argument.name == "ops":
                    ops = argument.value
        if ops is None:
            _default_class(ctx, attribute, method, field)
        elif isinstance(ops, ast.ConstantValue):
            _operator_class(ctx, attribute, method, field, ops.name)


def _default_class(ctx: Ctx, attribute: ast.Attribute, method: str, field: ast.Field) -> None:
    kind = field.type.name
    if method == "SpGist":
        native = _native(ctx, field) or DEFAULT_NATIVE.get(kind)
        if kind != "Unsupported" and native not in ("Text", "VarChar", "Char", "Inet"):
            parsing_error(ctx, attribute, "The SpGist index type does not support the type of "
                          f"the field `{field.name}`.")
    elif method == "Gin" and not field.type.list and kind not in ("Json", "Unsupported"):
        parsing_error(ctx, attribute, "The Gin index type does not support the type of the "
                      f"field `{field.name}`.")


def _operator_class(ctx: Ctx, attribute: ast.Attribute, method: str, field: ast.Field,
                    name: str) -> None:
    known = OPERATOR_CLASSES.get(name)
    if known is None:
        return
    methods, scalar, natives = known
    if method not in methods.split("|"):
        parsing_error(ctx, attribute, f"The given operator class `{name}` is not supported "
                      f"with the `{method}` index type.")
        return
    if name == "ArrayOps":
        if not field.type.list:
            parsing_error(ctx, attribute, f"The given operator class `{name}` expects the type "
                          f"of field `{field.name}` to be an array.")
        return
    if field.type.name != scalar:
        if scalar == "String":
            parsing_error(ctx, attribute, f"The given operator class `{name}` points to the "
                          f"field `{field.name}` that is not of String type.")
        else:
            parsing_error(ctx, attribute, f"The given operator class `{name}` expects the field "
                          f"`{field.name}` to define a valid native type.")
        return
    native = _native(ctx, field)
    if native is None:
        if DEFAULT_NATIVE.get(scalar) not in natives:
            parsing_error(ctx, attribute, f"The given operator class `{name}` expects the field "
                          f"`{field.name}` to define a valid native type.")
    elif native not in natives:
        parsing_error(ctx, attribute, f"The given operator class `{name}` does not support "
                      f"native type `{native}` of field `{field.name}`.")
