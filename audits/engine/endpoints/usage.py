"""Which Prisma models a piece of code touches, directly or through what it imports.

Direct facts come from the tokens of one span: ``<client>.<accessor>.<operation>(`` calls
(with the relations their ``include``/``select``/``where``/``data`` arguments reach), raw SQL
calls, and the identifiers the span refers to. ``Project.reach`` then follows those identifiers
to top-level declarations of the same file and, through imports, to the declarations other
modules export: per exported symbol, not per file. What it cannot pin to a symbol (a namespace
used bare, ``require``/``import()`` of a module, a CommonJS module, an export it cannot find)
it takes as the whole module, which over-approximates but never misses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from audits.engine.endpoints.lexer import PLACEHOLDER, Kind, Token, matching_close
from audits.engine.endpoints.modules import (
    CLASS_FIELDS,
    WHOLE_MODULE,
    ClassShape,
    ImportBinding,
    Module,
    Span,
    class_body,
    class_members,
    computed_imports,
    dynamic_specifiers,
    load_module,
)
from audits.engine.endpoints.resolve import Resolution, Resolver

if TYPE_CHECKING:  # the scanner needs no parser at run time, only the AST's shape
    from audits.engine.prisma.ast import PrismaSchema

OPERATIONS = frozenset({
    "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "create",
    "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert",
    "delete", "deleteMany", "count", "aggregate", "groupBy",
})
RAW_CALLS = frozenset({"$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"})
CLIENT_NAMES = frozenset({"prisma", "db", "tx", "client", "prismaClient", "database", "trx"})

# A module and one of its top-level names, WHOLE_MODULE, or "Class#member" for one member of
# a class (with the constructor and the field initializers, which run whenever one exists).
Symbol = tuple[Path, str]
ClassRef = tuple[Path, str]


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


@dataclass(frozen=True)
class Unresolved:
    file: Path
    specifier: str
    line: int


@dataclass
class SpanFacts:
    uses: list[ModelUse] = field(default_factory=list)
    raw: list[RawSql] = field(default_factory=list)
    unknown: list[UnknownUse] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)  # names used on their own
    members: set[tuple[str, str]] = field(default_factory=set)  # name.member uses
    chains: set[tuple[str, str]] = field(default_factory=set)  # this.member.method uses
    this_bare: set[str] = field(default_factory=set)  # this.member used other than .method
    dynamic: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Reach:
    uses: set[ModelUse] = field(default_factory=set)
    raw: set[RawSql] = field(default_factory=set)
    unknown: set[UnknownUse] = field(default_factory=set)
    unresolved: set[Unresolved] = field(default_factory=set)


class Project:
    """A scanned tree: loads modules on demand and follows references between them."""

    def __init__(self, root: Path, model_names: Iterable[str],
                 relations: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.root = root
        self.resolver = Resolver.for_tree(root)
        self.accessors = {accessor_of(name): name for name in model_names}
        self.relations = relations or {}
        self.modules: dict[Path, Module] = {}
        self._facts: dict[tuple[Path, Span], SpanFacts] = {}
        self._clients: dict[Path, frozenset[str]] = {}
        self.reached: set[Path] = set()  # files some endpoint's code runs in
        self._targets: dict[tuple[Path, str], list[Symbol]] = {}
        self._star_index: dict[Path, dict[str, Path]] = {}
        self._classes: dict[Symbol, ClassRef | None] = {}
        self._shapes: dict[ClassRef, ClassShape] = {}

    # --- modules ---------------------------------------------------------------------------

    def module(self, path: Path) -> Module:
        module = self.modules.get(path)
        if module is None:
            module = load_module(path)
            self.modules[path] = module
        return module

    def resolve(self, importer: Path, specifier: str) -> Resolution:
        return self.resolver.resolve(importer, specifier)

    def unresolved_imports(self) -> list[Unresolved]:
        """Every import of a reached module that should be a file of the tree but is not."""
        found = set()
        for path in self.reached:
            module = self.module(path)
            specifiers = list(module.specifiers)
            specifiers += dynamic_specifiers(module.tokens, 0, len(module.tokens))
            for specifier, line in specifiers:
                resolution = self.resolve(path, specifier)
                if resolution.path is None and not resolution.external:
                    found.add(Unresolved(path, specifier, line))
        return sorted(found, key=lambda u: (str(u.file), u.line, u.specifier))

    def export_targets(self, path: Path, name: str, depth: int = 0) -> list[Symbol]:
        """The declarations behind ``name`` exported by ``path``, through re-exports."""
        key = (path, name)
        cached = self._targets.get(key)
        if cached is None:
            cached = self._export_targets(path, name, depth)
            self._targets[key] = cached
        return cached

    def _export_targets(self, path: Path, name: str, depth: int) -> list[Symbol]:
        module = self.module(path)
        if name == WHOLE_MODULE or depth > 12:
            return [(path, WHOLE_MODULE)]
        local = module.exports.get(name)
        if local is not None:
            if local in module.decls:
                return [(path, local)]
            if local in module.imports:
                return self._binding_targets(path, module.imports[local], depth + 1)
        if name in module.reexports:
            specifier, imported = module.reexports[name]
            target = self.resolve(path, specifier).path
            return self.export_targets(target, imported, depth + 1) if target else []
        if name in module.decls and module.commonjs:
            return [(path, name)]
        target = self.star_exports(path, depth).get(name)
        if target is not None:
            return self.export_targets(target, name, depth + 1)
        return [(path, WHOLE_MODULE)]  # CommonJS or a shape we do not read: the whole module

    def star_exports(self, path: Path, depth: int = 0) -> dict[str, Path]:
        """Name -> the module an ``export * from`` of ``path`` takes it from (first wins)."""
        index = self._star_index.get(path)
        if index is not None:
            return index
        index = {}
        self._star_index[path] = index  # guards against export-star cycles
        if depth <= 12:
            for specifier in self.module(path).star_exports:
                target = self.resolve(path, specifier).path
                if target is None:
                    continue
                module = self.module(target)
                names = set(module.exports) | set(module.reexports)
                names |= set(self.star_exports(target, depth + 1))
                for name in names - {"default"}:
                    index.setdefault(name, target)
        return index

    def _binding_targets(self, importer: Path, binding: ImportBinding, depth: int) -> list[Symbol]:
        target = self.resolve(importer, binding.specifier).path
        if target is None:
            return []
        return self.export_targets(target, binding.imported, depth)

    # --- reach -----------------------------------------------------------------------------

    def reach(self, path: Path, spans: Iterable[Span] = (), symbols: Iterable[Symbol] = (),
              elsewhere: Iterable[tuple[Path, Span]] = ()) -> Reach:
        """Everything the given spans of ``path``, the given symbols and the spans of other
        files in ``elsewhere`` (middleware) touch, transitively."""
        reach = Reach()
        self.reached.add(path)
        seen: set[Symbol] = set()
        # (file, span, the class whose member the span is, for "this.x")
        pending: list[tuple[Path, Span, ClassRef | None]] = [(path, span, None) for span in spans]
        pending += [(file, span, None) for file, span in elsewhere]
        todo: list[Symbol] = list(symbols)
        while pending or todo:
            while todo:
                symbol = todo.pop()
                if symbol in seen:
                    continue
                seen.add(symbol)
                pending.extend(self._symbol_spans(symbol))
            if not pending:
                break
            file, span, owner = pending.pop()
            self.reached.add(file)
            facts = self.facts(file, span)
            reach.uses.update(facts.uses)
            reach.raw.update(facts.raw)
            reach.unknown.update(facts.unknown)
            todo.extend(self._referenced(file, facts, owner, reach))
        return reach

    def _symbol_spans(self, symbol: Symbol) -> list[tuple[Path, Span, ClassRef | None]]:
        path, name = symbol
        module = self.module(path)
        if name == WHOLE_MODULE:
            spans = [span for spans in module.decls.values() for span in spans]
            return [(path, span, None) for span in spans + module.init_spans]
        if "#" in name:
            class_name, member = name.split("#", 1)
            members = self.shape((path, class_name)).members
            if member in members:
                owner = (path, class_name)
                chosen = members[member] + members.get("constructor", []) + \
                    members.get(CLASS_FIELDS, [])
                return [(path, span, owner) for span in chosen]
            name = class_name  # inherited or dynamic: the whole class
        return [(path, span, None) for span in module.decls.get(name, [])]

    def shape(self, owner: ClassRef) -> ClassShape:
        found = self._shapes.get(owner)
        if found is None:
            module = self.module(owner[0])
            found = ClassShape()
            for span in module.decls.get(owner[1], []):
                body = class_body(module.tokens, span)
                if body is not None:
                    found = class_members(module.tokens, body)
            self._shapes[owner] = found
        return found

    def class_of(self, symbol: Symbol, depth: int = 0) -> ClassRef | None:
        """The class ``symbol`` declares, or whose instance it holds (``x = new C(...)``)."""
        if symbol in self._classes:
            return self._classes[symbol]
        self._classes[symbol] = None  # guards against cycles
        path, name = symbol
        module = self.module(path)
        found: ClassRef | None = None
        for span in module.decls.get(name, []):
            if class_body(module.tokens, span) is not None:
                found = (path, name)
            else:
                created = _instantiated_class(module.tokens, span)
                if created is not None and depth < 8:
                    for target in self._local_symbols(path, created):
                        found = found or self.class_of(target, depth + 1)
        self._classes[symbol] = found
        return found

    def _local_symbols(self, path: Path, name: str, reach: Reach | None = None) -> list[Symbol]:
        """The declarations a name used in ``path`` stands for (its own or imported)."""
        module = self.module(path)
        if name in module.decls:
            return [(path, name)]
        binding = module.imports.get(name)
        if binding is None:
            return []
        target = self._follow(path, binding, reach) if reach is not None else \
            self.resolve(path, binding.specifier).path
        return self.export_targets(target, binding.imported) if target is not None else []

    def _referenced(self, path: Path, facts: SpanFacts, owner: ClassRef | None,
                    reach: Reach) -> list[Symbol]:
        module = self.module(path)
        found: list[Symbol] = []
        if owner is not None:
            found.extend(self._this_chains(owner, facts))
        for name, member in facts.members:
            if name in ("this", "super"):
                if owner is not None:  # super.x(): the whole class, whose extends names the base
                    found.append((owner[0], f"{owner[1]}#{member}" if name == "this"
                                  else owner[1]))
                continue
            binding = module.imports.get(name)
            if binding is not None and binding.imported == WHOLE_MODULE and \
                    name not in module.decls:
                target = self._follow(path, binding, reach)
                if target is not None:
                    found.extend(self.export_targets(target, member))
                continue
            for symbol in self._local_symbols(path, name, reach):
                owner_class = self.class_of(symbol)
                if owner_class is None:
                    found.append(symbol)
                else:
                    found.append((owner_class[0], f"{owner_class[1]}#{member}"))
        for name in facts.refs:
            found.extend(self._local_symbols(path, name, reach))
        for specifier, line in facts.dynamic:
            target = self._follow(path, ImportBinding(specifier, WHOLE_MODULE, line), reach)
            if target is not None:
                found.append((target, WHOLE_MODULE))
        return found

    def _this_chains(self, owner: ClassRef, facts: SpanFacts) -> list[Symbol]:
        """``this.orders.find()`` where ``orders: OrdersService``: that class's ``find``;
        ``this.orders`` used any other way: the whole OrdersService."""
        types = self.shape(owner).types
        found: list[Symbol] = []
        uses = [(member, method) for member, method in facts.chains] + \
            [(member, None) for member in facts.this_bare]
        for member, method in uses:
            type_name = types.get(member)
            if type_name is None:
                continue
            for symbol in self._local_symbols(owner[0], type_name):
                target = self.class_of(symbol)
                if target is not None:
                    found.append((target[0], f"{target[1]}#{method}" if method else target[1]))
        return found

    def _follow(self, path: Path, binding: ImportBinding, reach: Reach | None) -> Path | None:
        resolution = self.resolve(path, binding.specifier)
        if resolution.path is None and not resolution.external and reach is not None:
            reach.unresolved.add(Unresolved(path, binding.specifier, binding.line))
        return resolution.path

    # --- direct facts of one span ------------------------------------------------------------

    def facts(self, path: Path, span: Span) -> SpanFacts:
        key = (path, span)
        cached = self._facts.get(key)
        if cached is None:
            cached = self._span_facts(path, span)
            self._facts[key] = cached
        return cached

    def _span_facts(self, path: Path, span: Span) -> SpanFacts:
        module = self.module(path)
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
            facts.chains.add((member, tokens[index + 4].value))
        elif not (index + 3 < end and tokens[index + 3].is_punct("(")):
            facts.this_bare.add(member)

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

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


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


def _instantiated_class(tokens: list[Token], span: Span) -> str | None:
    """``C`` for ``const x = new C(...)`` or ``export default new C(...)``."""
    start, end = span
    index = start
    while index < end and tokens[index].kind is Kind.IDENT and \
            tokens[index].value in ("export", "default", "const", "let", "var"):
        index += 1
    if index + 1 < end and tokens[index].kind is Kind.IDENT and tokens[index + 1].is_punct("="):
        index += 2
    elif index + 3 < end and tokens[index + 1].is_punct(":"):
        while index < end and not tokens[index].is_punct("="):
            index += 1  # a type annotation
        index += 1
    if index + 1 < end and tokens[index].is_ident("new") and tokens[index + 1].kind is Kind.IDENT:
        return tokens[index + 1].value
    return None


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


_SQL_NOISE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_SQL_WORDS = re.compile(
    r'\(|\)|\b(FROM|JOIN|INTO|UPDATE|SELECT)\b'
    r'|\b(\w+|"[^"]+")\s+AS\s*(?:MATERIALIZED\s*)?\(',
    re.IGNORECASE,
)
_SQL_NAME = re.compile(
    r'\s*((?:"[^"]+"|[A-Za-z_][\w$]*|\x00)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*|\x00))?)'
    r'(\s*\()?'
)


def sql_tables(sql: str) -> tuple[tuple[str, ...], bool]:
    """Tables a literal SQL statement names after FROM/JOIN/INTO/UPDATE, and whether every
    such position could be read (False when a ${...} stands where a table name should be).

    ``FROM`` inside a function call (``EXTRACT(YEAR FROM x)``) and names of CTEs are skipped.
    """
    text = _SQL_NOISE.sub(" ", sql)
    tables: list[str] = []
    ctes: set[str] = set()
    readable = True
    groups: list[bool] = []  # per open parenthesis: does it hold a query?
    for match in _SQL_WORDS.finditer(text):
        word = match.group(0)
        if match.group(2):
            ctes.add(match.group(2).strip('"'))
            groups.append(True)
            continue
        if word == "(":
            groups.append(bool(re.match(r"\s*(SELECT|WITH)\b", text[match.end():], re.I)))
            continue
        if word == ")":
            if groups:
                groups.pop()
            continue
        keyword = (match.group(1) or "").upper()
        if keyword == "SELECT" or (groups and not groups[-1]):
            continue
        name = _SQL_NAME.match(text, match.end())
        if name is None or name.group(2):
            continue  # a subquery or a set-returning function
        parts = [part.strip().strip('"') for part in name.group(1).split(".")]
        table = parts[-1]
        if PLACEHOLDER in table:
            readable = False
            continue
        if keyword in ("FROM", "JOIN") and table.upper() in ("LATERAL", "ONLY"):
            continue
        tables.append(table)
    ordered = sorted({table for table in tables if table not in ctes})
    return tuple(ordered), readable
