"""What one span of code does directly: the Prisma calls it makes (with the relations their
arguments reach), its raw SQL, what it cannot follow, and the names it refers to.

Following those names to other declarations and modules is ``usage.Project``'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from audits.engine.endpoints.lexer import PLACEHOLDER, Kind, Token, matching_close
from audits.engine.endpoints.modules import Module, Span, computed_imports, dynamic_specifiers
from audits.engine.endpoints.sql import sql_tables

if TYPE_CHECKING:  # the scanner needs no parser at run time, only the AST's shape
    from audits.engine.prisma.ast import PrismaSchema

OPERATIONS = frozenset({
    "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "create",
    "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert",
    "delete", "deleteMany", "count", "aggregate", "groupBy",
})
RAW_CALLS = frozenset({"$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"})
# Names taken for a Prisma client when a call names no known model (to report it as unknown).
# Not "client": `client.messages.create()` is an AI SDK far more often than Prisma.
CLIENT_NAMES = frozenset({"prisma", "db", "tx", "prismaClient"})


def accessor_of(model: str) -> str:
    """Prisma Client's property for a model: the name with its first character lowered."""
    return model[:1].lower() + model[1:]


def relations_from_prisma(schema: PrismaSchema) -> dict[str, dict[str, str]]:
    """model -> {relation field -> target model}: a field whose type is a model is a relation."""
    targets = {model.name for model in schema.models if model.kind in ("model", "view")}
    relations: dict[str, dict[str, str]] = {}
    for model in schema.models:
        if model.kind not in ("model", "view"):
            continue
        relations[model.name] = {f.name: f.type.name for f in model.fields
                                 if f.type.name in targets}
    return relations


@dataclass(frozen=True)
class ModelUse:
    model: str
    operation: str
    file: Path
    line: int
    via: str = ""  # "Order.items" when reached through a relation of another call


@dataclass(frozen=True)
class RawSql:
    call: str  # "$queryRaw", "Prisma.sql", ...
    file: Path
    line: int
    sql: str | None  # the literal text, ${...} shown as "?"; None when not a literal
    tables: tuple[str, ...] = ()
    readable: bool = True


@dataclass(frozen=True)
class UnknownUse:
    reason: str
    file: Path
    line: int


@dataclass
class SpanFacts:
    uses: list[ModelUse] = field(default_factory=list)
    raw: list[RawSql] = field(default_factory=list)
    unknown: list[UnknownUse] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)  # names used on their own
    members: set[tuple[str, str]] = field(default_factory=set)  # name.member uses
    # this.member.method uses as (member, method, line); method None: this.member used otherwise
    this_uses: set[tuple[str, str | None, int]] = field(default_factory=set)
    dynamic: list[tuple[str, int]] = field(default_factory=list)


class FactReader:
    """Reads spans for the calls on one schema's models; remembers each file's client names."""

    def __init__(self, accessors: Mapping[str, str], relations: Mapping[str, Mapping[str, str]],
                 rel: Callable[[Path], str]) -> None:
        self.accessors = accessors  # Prisma Client property -> model name
        self.relations = relations
        self.rel = rel  # a file's path as reasons show it
        self._clients: dict[Path, frozenset[str]] = {}

    def read(self, module: Module, span: Span) -> SpanFacts:
        """The direct facts of one token span of ``module``."""
        tokens = module.tokens
        start, end = span
        facts = SpanFacts(dynamic=dynamic_specifiers(tokens, start, end))
        clients = self._client_names(module)
        for index in range(start, min(end, len(tokens))):
            token = tokens[index]
            if token.kind is not Kind.IDENT:
                continue
            after_dot = index > 0 and tokens[index - 1].value in (".", "?.")
            if not after_dot:
                if index + 2 < end and tokens[index + 1].value in (".", "?.") and \
                        tokens[index + 2].kind is Kind.IDENT:
                    facts.members.add((token.value, tokens[index + 2].value))
                    if token.value == "this":
                        self._this_chain(tokens, index, end, facts)
                else:
                    facts.refs.add(token.value)
                if token.value == "Prisma" and index + 2 < end and \
                        tokens[index + 2].is_ident("sql"):
                    self._raw_call(module, index + 2, "Prisma.sql", facts)
                continue
            if token.value in RAW_CALLS:
                self._raw_call(module, index, token.value, facts)
            elif index + 2 < len(tokens) and tokens[index + 1].is_punct(".") and \
                    tokens[index + 2].kind is Kind.IDENT and tokens[index + 2].value in OPERATIONS:
                self._model_call(module, index, clients, facts)
        self._dynamic_delegates(module, span, clients, facts)
        for line in computed_imports(tokens, start, end):
            facts.unknown.append(UnknownUse(
                f"import() in {self.rel(module.path)}:{line} loads a module chosen at run time",
                module.path, line))
        return facts

    def _dynamic_delegates(self, module: Module, span: Span, clients: frozenset[str],
                           facts: SpanFacts) -> None:
        """``prisma[model].findMany()``: which model is decided at run time, so: unknown."""
        tokens = module.tokens
        start, end = span
        for index in range(start, min(end, len(tokens)) - 1):
            token = tokens[index]
            if not (token.kind is Kind.IDENT and token.value in clients and
                    tokens[index + 1].is_punct("[")):
                continue
            close = matching_close(tokens, index + 1)
            if close + 2 >= len(tokens) or tokens[close + 2].value not in OPERATIONS:
                continue
            inside = tokens[index + 2:close]
            if len(inside) == 1 and inside[0].kind is Kind.STRING and \
                    inside[0].value in self.accessors:
                model = self.accessors[inside[0].value]  # prisma["user"] is prisma.user
                facts.uses.append(ModelUse(model, tokens[close + 2].value, module.path,
                                           token.line))
                continue
            facts.unknown.append(UnknownUse(
                f"{token.value}[...].{tokens[close + 2].value}() in {self.rel(module.path)}:"
                f"{token.line}: the model is chosen at run time", module.path, token.line))

    @staticmethod
    def _this_chain(tokens: list[Token], index: int, end: int, facts: SpanFacts) -> None:
        member = tokens[index + 2].value
        if index + 4 < end and tokens[index + 3].value in (".", "?.") and \
                tokens[index + 4].kind is Kind.IDENT:
            facts.this_uses.add((member, tokens[index + 4].value, tokens[index].line))
        elif not (index + 3 < end and tokens[index + 3].is_punct("(")):
            facts.this_uses.add((member, None, tokens[index].line))

    def _model_call(self, module: Module, index: int, clients: frozenset[str],
                    facts: SpanFacts) -> None:
        tokens = module.tokens
        accessor = tokens[index].value
        operation = tokens[index + 2].value
        model = self.accessors.get(accessor)
        client = tokens[index - 2].value if index >= 2 else ""
        line = tokens[index].line
        if model is None:
            if client in clients and not accessor.startswith("$"):
                facts.unknown.append(UnknownUse(
                    f"{client}.{accessor}.{operation}() in {self.rel(module.path)}:{line}: "
                    f"the schema has no model {accessor[:1].upper() + accessor[1:]}",
                    module.path, line))
            return
        facts.uses.append(ModelUse(model, operation, module.path, line))
        call = index + 3
        if call < len(tokens) and tokens[call].is_punct("("):
            close = matching_close(tokens, call)
            self._walk_arguments(tokens, call, close, model, module.path, facts, 0)

    def _walk_arguments(self, tokens: list[Token], open_index: int, close: int, model: str,
                        path: Path, facts: SpanFacts, depth: int) -> None:
        """Relations named as keys anywhere in the arguments (include, select, where, data...)."""
        if depth > 20:
            return
        relations = self.relations.get(model, {})
        index = open_index + 1
        while index < close:
            token = tokens[index]
            if token.kind in (Kind.IDENT, Kind.STRING) and index + 1 < close and \
                    tokens[index + 1].is_punct(":"):
                context = model
                target = relations.get(token.value)
                if target is not None:
                    facts.uses.append(ModelUse(target, "relation", path, token.line,
                                               via=f"{model}.{token.value}"))
                    context = target
                value = index + 2
                if value < close and tokens[value].value in ("{", "["):
                    value_close = matching_close(tokens, value)
                    self._walk_arguments(tokens, value, value_close, context, path, facts,
                                         depth + 1)
                    index = value_close + 1
                    continue
                index = value
                continue
            if token.kind is Kind.PUNCT and token.value in ("{", "[", "(", "${"):
                inner_close = matching_close(tokens, index)
                if token.value in ("{", "["):
                    self._walk_arguments(tokens, index, inner_close, model, path, facts,
                                         depth + 1)
                index = inner_close + 1
                continue
            index += 1

    def _raw_call(self, module: Module, index: int, call: str, facts: SpanFacts) -> None:
        tokens = module.tokens
        line = tokens[index].line
        index = _skip_type_arguments(tokens, index + 1) - 1
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        text: str | None = None
        if following is not None and following.kind is Kind.TEMPLATE:
            text = following.value
        elif following is not None and following.is_punct("("):
            argument = index + 2
            if argument < len(tokens) and tokens[argument].kind in (Kind.STRING, Kind.TEMPLATE):
                text = tokens[argument].value
            elif argument + 2 < len(tokens) and tokens[argument].is_ident("Prisma") and \
                    tokens[argument + 2].is_ident("sql"):
                return  # the inner Prisma.sql`...` is read on its own
            elif argument < len(tokens) and tokens[argument].kind is Kind.IDENT:
                text = _constant_text(tokens, tokens[argument].value)
        elif call == "Prisma.sql":
            return
        if text is None:
            facts.raw.append(RawSql(call, module.path, line, None, (), False))
            return
        tables, readable = sql_tables(text)
        shown = text.replace(PLACEHOLDER, "?")
        facts.raw.append(RawSql(call, module.path, line, shown, tables, readable))

    def _client_names(self, module: Module) -> frozenset[str]:
        """Names that hold a Prisma client in this file: the usual ones, transaction callback
        parameters, and variables assigned ``new PrismaClient(...)``."""
        names = self._clients.get(module.path)
        if names is not None:
            return names
        found = set(CLIENT_NAMES)
        tokens = module.tokens
        for index, token in enumerate(tokens):
            if token.is_ident("$transaction") and index + 1 < len(tokens) and \
                    tokens[index + 1].is_punct("("):
                found.update(_callback_parameters(tokens, index + 2))
            elif token.is_ident("PrismaClient") and index >= 3 and \
                    tokens[index - 1].is_ident("new") and tokens[index - 2].is_punct("=") and \
                    tokens[index - 3].kind is Kind.IDENT:
                found.add(tokens[index - 3].value)
        names = frozenset(found)
        self._clients[module.path] = names
        return names


def _skip_type_arguments(tokens: list[Token], index: int) -> int:
    """The index after ``<...>`` type arguments starting at ``index`` (``index`` if none)."""
    if index >= len(tokens) or not tokens[index].is_punct("<"):
        return index
    depth = 0
    for position in range(index, min(len(tokens), index + 200)):
        token = tokens[position]
        if token.kind is not Kind.PUNCT:
            continue
        if token.value in (";", ")"):
            return index  # a comparison, not type arguments
        if set(token.value) == {"<"}:
            depth += len(token.value)
        elif set(token.value) == {">"}:
            depth -= len(token.value)
            if depth <= 0:
                return position + 1
    return index


def _callback_parameters(tokens: list[Token], index: int) -> list[str]:
    """``async (tx) =>``, ``tx =>``, ``async function (tx)`` starting at ``index``."""
    while index < len(tokens) and tokens[index].kind is Kind.IDENT and \
            tokens[index].value in ("async", "function"):
        index += 1
    if index < len(tokens) and tokens[index].kind is Kind.IDENT:
        return [tokens[index].value]
    if index + 1 < len(tokens) and tokens[index].is_punct("(") and \
            tokens[index + 1].kind is Kind.IDENT:
        return [tokens[index + 1].value]
    return []


def _constant_text(tokens: list[Token], name: str) -> str | None:
    """The literal a ``const name = "..."`` (or ``= Prisma.sql`...```) of the file holds."""
    for index in range(len(tokens) - 3):
        if tokens[index].is_ident("const") and tokens[index + 1].is_ident(name) and \
                tokens[index + 2].is_punct("="):
            value = tokens[index + 3]
            if value.kind in (Kind.STRING, Kind.TEMPLATE):
                return value.value
            if value.is_ident("Prisma") and index + 6 < len(tokens) and \
                    tokens[index + 5].is_ident("sql") and tokens[index + 6].kind is Kind.TEMPLATE:
                return tokens[index + 6].value
            return None
    return None
