"""Which Prisma models a piece of code touches, directly or through what it imports.

Direct facts come from ``facts.FactReader`` (calls, raw SQL and the names a span refers to).
``Project.reach`` then follows those names
to top-level declarations of the same file and, through imports, to the declarations other
modules export: per exported symbol, not per file. What it cannot pin to a symbol (a namespace
used bare, ``require``/``import()`` of a module, a CommonJS module, an export it cannot find)
it takes as the whole module, which over-approximates but never misses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from audits.engine.confine import Roots
from audits.engine.endpoints.classes import CLASS_FIELDS, ClassShape, class_body, class_members
from audits.engine.endpoints.facts import (
    FactReader,
    ModelUse,
    RawSql,
    SpanFacts,
    UnknownUse,
    accessor_of,
    relations_from_prisma,
)
from audits.engine.endpoints.lexer import Kind, Token
from audits.engine.endpoints.modules import (
    WHOLE_MODULE,
    ImportBinding,
    Module,
    Span,
    dynamic_specifiers,
    load_module,
)
from audits.engine.endpoints.resolve import Resolution, Resolver, guard

__all__ = ["ModelUse", "Project", "RawSql", "Reach", "Symbol", "UnknownUse", "Unresolved",
           "accessor_of", "relations_from_prisma"]

# A module and one of its top-level names, WHOLE_MODULE, or "Class#member" for one member of
# a class (with the constructor and the field initializers, which run whenever one exists).
Symbol = tuple[Path, str]
ClassRef = tuple[Path, str]


@dataclass(frozen=True)
class Unresolved:
    file: Path
    specifier: str
    line: int


@dataclass
class Reach:
    uses: set[ModelUse] = field(default_factory=set)
    raw: set[RawSql] = field(default_factory=set)
    unknown: set[UnknownUse] = field(default_factory=set)
    unresolved: set[Unresolved] = field(default_factory=set)


class Project:
    """A scanned tree: loads modules on demand and follows references between them."""

    def __init__(self, root: Path, model_names: Iterable[str],
                 relations: Mapping[str, Mapping[str, str]] | None = None,
                 roots: Roots | None = None) -> None:
        self.root = root
        self.roots = roots
        self.resolver = Resolver(root, roots)
        accessors = {accessor_of(name): name for name in model_names}
        self.reader = FactReader(accessors, relations or {}, self.rel)
        self.modules: dict[Path, Module] = {}
        self._facts: dict[tuple[Path, Span], SpanFacts] = {}
        self.reached: set[Path] = set()  # files some endpoint's code runs in
        self._targets: dict[tuple[Path, str], list[Symbol]] = {}
        self._star_index: dict[Path, dict[str, Path]] = {}
        self._classes: dict[Symbol, ClassRef | None] = {}
        self._shapes: dict[ClassRef, ClassShape] = {}

    # --- modules ---------------------------------------------------------------------------

    def module(self, path: Path) -> Module:
        module = self.modules.get(path)
        if module is None:
            module = load_module(guard(self.roots, self.root, path), self.rel(path))
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
                    for target in self.local_symbols(path, created):
                        found = found or self.class_of(target, depth + 1)
        self._classes[symbol] = found
        return found

    def local_symbols(self, path: Path, name: str, reach: Reach | None = None) -> list[Symbol]:
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
            found.extend(self._this_chains(owner, facts, reach))
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
            for symbol in self.local_symbols(path, name, reach):
                owner_class = self.class_of(symbol)
                if owner_class is None:
                    found.append(symbol)
                else:
                    found.append((owner_class[0], f"{owner_class[1]}#{member}"))
        for name in facts.refs:
            found.extend(self.local_symbols(path, name, reach))
        for specifier, line in facts.dynamic:
            target = self._follow(path, ImportBinding(specifier, WHOLE_MODULE, line), reach)
            if target is not None:
                found.append((target, WHOLE_MODULE))
        return found

    def _this_chains(self, owner: ClassRef, facts: SpanFacts, reach: Reach) -> list[Symbol]:
        """``this.orders.find()`` where ``orders: OrdersService``: that class's ``find``;
        ``this.orders`` used any other way: the whole OrdersService. When ``orders`` is typed
        with an interface or an abstract class of the tree, the class behind it is bound at
        run time: unknown."""
        types = self.shape(owner).types
        found: list[Symbol] = []
        for member, method, line in sorted(facts.this_uses, key=lambda use: use[2]):
            type_name = types.get(member)
            if type_name is None or self._is_library_name(owner[0], type_name):
                continue
            classes = [target for symbol in self.local_symbols(owner[0], type_name)
                       if (target := self.class_of(symbol)) is not None]
            for target in classes:
                found.append((target[0], f"{target[1]}#{method}" if method else target[1]))
            if all(self._is_abstract(target) for target in classes):  # also when none
                call = f"this.{member}.{method}()" if method else f"this.{member}"
                reach.unknown.add(UnknownUse(
                    f"{call} in {self.rel(owner[0])}:{line}: {member} is typed {type_name}, "
                    f"whose class is chosen at run time", owner[0], line))
        return found

    def _is_abstract(self, owner: ClassRef) -> bool:
        module = self.module(owner[0])
        for start, end in module.decls.get(owner[1], []):
            words = [t.value for t in module.tokens[start:min(end, start + 6)]]
            if "class" in words and "abstract" in words[:words.index("class")]:
                return True
        return False

    def _is_library_name(self, path: Path, name: str) -> bool:
        """A name imported from a package (``PrismaClient``), or not declared in the tree."""
        module = self.module(path)
        binding = module.imports.get(name)
        if binding is not None:
            return self.resolve(path, binding.specifier).path is None
        return name not in module.decls and not _declares_type(module, name)

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
            cached = self.reader.read(self.module(path), span)
            self._facts[key] = cached
        return cached

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def _declares_type(module: Module, name: str) -> bool:
    """Whether the file declares an interface or type alias ``name``."""
    tokens = module.tokens
    return any(tokens[i].kind is Kind.IDENT and tokens[i].value in ("interface", "type") and
               tokens[i + 1].is_ident(name) for i in range(len(tokens) - 1))


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
