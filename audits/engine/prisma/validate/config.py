"""The ``datasource`` and ``generator`` blocks: the provider, the known properties and their
kinds, and what the provider reads from them (``relationMode``, ``schemas``, ``extensions``).

Preview features are not checked against a list: a project on a newer Prisma than ours may name
one we have never heard of, and refusing its schema for that would be wrong (Prisma's own
validator of our version refuses them; the README lists this difference)."""

from __future__ import annotations

from audits.engine.prisma import ast
from audits.engine.prisma.validate.context import PROVIDERS, Ctx, describe_value, expect_string

DATASOURCE_PROPERTIES = frozenset((
    "provider", "url", "directUrl", "shadowDatabaseUrl", "relationMode", "referentialIntegrity",
    "extensions", "schemas",
))
RELATION_MODES = ("prisma", "foreignKeys")
SCHEMAS_CONNECTORS = frozenset(("postgresql", "cockroachdb", "sqlserver"))


def _duplicate_keys(ctx: Ctx, block: ast.ConfigBlock, where: str) -> None:
    seen: set[str] = set()
    for name, value in block.properties:
        if name in seen:
            ctx.error(f'Key "{name}" is already defined in {where} "{block.name}".',
                      value.position)
        seen.add(name)


def check_generators(ctx: Ctx) -> None:
    for block in ctx.schema.generators:
        _duplicate_keys(ctx, block, "generator")
        provider = block.get("provider")
        if provider is None:
            ctx.error(f'Argument "provider" is missing in generator block "{block.name}".',
                      block.position)
        elif not isinstance(provider, ast.FunctionValue):  # env("...") is fine
            expect_string(ctx, provider)
        features = block.get("previewFeatures")
        if features is None:
            continue
        if not isinstance(features, ast.ArrayValue):
            if expect_string(ctx, features) is None:
                continue
            items: tuple[ast.Value, ...] = (features,)
        else:
            items = features.items
        names = set()
        for item in items:
            name = expect_string(ctx, item)
            if name is not None:
                names.add(name)
        ctx.preview_features = ctx.preview_features | frozenset(names)


def check_datasource(ctx: Ctx) -> None:
    """Also fills in ``ctx.connector``, ``relation_mode`` and ``schemas``."""
    if not ctx.schema.datasources:
        return
    block = ctx.schema.datasources[0]
    ctx.datasource_name = block.name
    _duplicate_keys(ctx, block, "source")
    for name, value in block.properties:
        if name not in DATASOURCE_PROPERTIES:
            ctx.error(f'Property not known: "{name}".', value.position)
    provider_value = block.get("provider")
    if provider_value is None:
        ctx.error(f'Argument "provider" is missing in data source block "{block.name}".',
                  block.position)
        return
    provider = expect_string(ctx, provider_value)
    if provider is None:
        return
    if provider not in PROVIDERS:
        ctx.error(f'Datasource provider not known: "{provider}".', provider_value.position)
        return
    ctx.connector = PROVIDERS[provider]
    _relation_mode(ctx, block)
    _schemas(ctx, block)
    _extensions(ctx, block)
    _urls(ctx, block)


def _relation_mode(ctx: Ctx, block: ast.ConfigBlock) -> None:
    mode_value = block.get("relationMode")
    legacy = block.get("referentialIntegrity")
    if legacy is not None:
        ctx.warning("The `referentialIntegrity` attribute is deprecated. Please use "
                    "`relationMode` instead. Learn more at https://pris.ly/d/relation-mode",
                    legacy.position)
    if mode_value is not None and legacy is not None:
        later = max((mode_value, legacy), key=lambda v: v.position.resolved()
                    if v.position else ("", 0, 0))
        ctx.error("The `referentialIntegrity` and `relationMode` attributes cannot be used "
                  "together. Please use only `relationMode` instead.", later.position)
        return
    value = mode_value or legacy
    if value is None:
        ctx.relation_mode = "prisma" if ctx.connector == "mongodb" else "foreignKeys"
        return
    mode = expect_string(ctx, value)
    if mode is None:
        return
    if mode not in RELATION_MODES:
        ctx.error(f'Invalid relation mode setting: "{mode}". Supported values: "prisma", '
                  '"foreignKeys"', value.position)
        return
    ctx.relation_mode = mode


def _schemas(ctx: Ctx, block: ast.ConfigBlock) -> None:
    value = block.get("schemas")
    if value is None:
        return
    if ctx.connector not in SCHEMAS_CONNECTORS:
        ctx.error("The `schemas` property is not supported on the current connector.",
                  value.position)
        return
    if not isinstance(value, ast.ArrayValue):
        ctx.error(f"Expected an array value, but received {describe_value(value)} value.",
                  value.position)
        return
    names: list[str] = []
    seen: set[str] = set()
    for item in value.items:
        name = expect_string(ctx, item)
        if name is None:
            continue
        if name in seen:
            ctx.error("Duplicated schema names are not allowed", item.position)
        seen.add(name)
        names.append(name)
    ctx.schemas = tuple(names)


def _extensions(ctx: Ctx, block: ast.ConfigBlock) -> None:
    value = block.get("extensions")
    if value is None:
        return
    if ctx.connector != "postgresql" or "postgresqlExtensions" not in ctx.preview_features:
        ctx.error("The `extensions` property is only available with the `postgresqlExtensions` "
                  "preview feature.", value.position)
        return
    items = value.items if isinstance(value, ast.ArrayValue) else (value,)
    for item in items:
        if isinstance(item, ast.ConstantValue):
            if "-" in item.name:
                ctx.error("The character `-` is not allowed in extension names.",
                          item.position)
        elif isinstance(item, ast.FunctionValue):
            _extension_arguments(ctx, item)
        else:
            ctx.error(f"Expected a constant or function value, but received "
                      f"{describe_value(item)} value `{_plain(item)}`.", item.position)


def _extension_arguments(ctx: Ctx, extension: ast.FunctionValue) -> None:
    seen: set[str] = set()
    for argument in extension.arguments:
        if argument.name is None:
            ctx.error("The argument must have a name", argument.position)
            continue
        if argument.name in seen:
            ctx.error(f"The argument `{argument.name}` can only be defined once",
                      argument.position)
        seen.add(argument.name)
        if argument.name not in ("schema", "version", "map"):
            ctx.error(f"The argument `{argument.name}` is not known", argument.position)
        elif not isinstance(argument.value, ast.StringValue):
            ctx.error(f"The `{argument.name}` argument must be a string literal",
                      argument.value.position)


def _plain(value: ast.Value) -> str:
    from audits.engine.prisma.validate.context import value_text

    return value_text(value)


def _urls(ctx: Ctx, block: ast.ConfigBlock) -> None:
    """The same literal URL as the shadow database would have Prisma wipe the real one."""
    shadow = block.get("shadowDatabaseUrl")
    if not isinstance(shadow, ast.StringValue) or not shadow.value:
        return
    for name in ("directUrl", "url"):
        other = block.get(name)
        if isinstance(other, ast.StringValue) and other.value == shadow.value:
            ctx.error(f"shadowDatabaseUrl is the same as {name} for datasource "
                      f'"{block.name}". Please specify a different database as shadow database '
                      "to avoid data loss.", other.position)
