"""Where the endpoints are: Next.js App Router and Pages Router files, Express/Fastify (and
Hono-style) routers, NestJS controllers.

Each discovered route says which code serves it, as symbols (an exported handler) or token
spans (the arguments of ``router.get(...)``), so that usage can follow only that code.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from audits.engine.endpoints.lexer import Kind, Token, matching_close
from audits.engine.endpoints.modules import (
    CLASS_FIELDS,
    WHOLE_MODULE,
    Module,
    Span,
    skip_decorators,
)
from audits.engine.endpoints.resolve import GENERATED_MARKER, SOURCE_EXTENSIONS
from audits.engine.endpoints.usage import Project, Symbol

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ALL_METHODS = "*"
ROUTE_FILE_EXTENSIONS = (".ts", ".js", ".tsx", ".jsx", ".mjs")
SKIPPED_DIRECTORIES = frozenset({
    "node_modules", ".next", ".git", "dist", "build", "out", "coverage", ".turbo", ".vercel",
    "__tests__", "__mocks__", ".cache",
})
_TEST_FILE = re.compile(r"\.(test|spec|stories|d)\.[cm]?[jt]sx?$")
_ROUTER_VERBS = {method.lower(): method for method in HTTP_METHODS} | {"all": ALL_METHODS}
_ROUTER_NAMES = frozenset({"app", "router", "server", "fastify"})
_ROUTER_FACTORIES = frozenset({"express", "Router", "fastify", "Fastify", "Hono", "Koa"})


@dataclass(frozen=True)
class RouteEntry:
    route: str
    methods: tuple[str, ...]
    file: Path
    line: int
    symbols: tuple[Symbol, ...] = ()
    spans: tuple[Span, ...] = ()
    middleware: tuple[tuple[Path, Span], ...] = ()  # code that runs before it, in any file


def source_files(root: Path) -> Iterator[Path]:
    """Every source file of the tree, minus dependencies, build output and tests."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            if name.endswith(SOURCE_EXTENSIONS) and not _TEST_FILE.search(name):
                yield Path(directory) / name


def discover(project: Project, files: list[Path]) -> list[RouteEntry]:
    entries: list[RouteEntry] = []
    routers: list[Path] = []
    for path in files:
        parts = path.relative_to(project.root).parts
        app_at = _router_root(project.root, parts, "app")
        pages_at = _router_root(project.root, parts, "pages")
        if app_at is not None and path.stem == "route" and path.suffix in ROUTE_FILE_EXTENSIONS:
            entries.extend(app_route(project, path, parts[app_at + 1:-1]))
        elif pages_at is not None and len(parts) > pages_at + 2 and parts[pages_at + 1] == "api":
            entries.extend(pages_route(project, path, parts[pages_at + 1:]))
        elif app_at is None and pages_at is None:
            routers.append(path)
    entries.extend(ExpressRoutes(project, routers).entries())
    entries.extend(NestRoutes(project, routers).entries())
    return entries


def _router_root(root: Path, parts: tuple[str, ...], name: str) -> int | None:
    """The index of ``app``/``pages`` when it sits at the top of a project (the scanned folder
    or one with a package.json or next.config, as in a monorepo), directly or under ``src``."""
    for index, part in enumerate(parts[:-1]):
        if part != name:
            continue
        project = parts[:index - 1] if index and parts[index - 1] == "src" else parts[:index]
        if _is_project_root(root.joinpath(*project)) or not project:
            return index
    return None


@functools.lru_cache(maxsize=4096)
def _is_project_root(directory: Path) -> bool:
    if (directory / "package.json").is_file():
        return True
    return any((directory / f"next.config.{ext}").is_file() for ext in ("js", "mjs", "ts", "cjs"))


# --- Next.js ------------------------------------------------------------------------------


def next_segments(folders: tuple[str, ...]) -> str:
    """``("(admin)", "api", "orders", "[id]")`` -> ``/api/orders/:id``."""
    segments = []
    for folder in folders:
        if (folder.startswith("(") and folder.endswith(")")) or folder.startswith("@"):
            continue  # route groups and parallel-route slots are not in the URL
        if folder.startswith("[[...") and folder.endswith("]]"):
            segments.append(f":{folder[5:-2]}*?")
        elif folder.startswith("[...") and folder.endswith("]"):
            segments.append(f":{folder[4:-1]}*")
        elif folder.startswith("[") and folder.endswith("]"):
            segments.append(f":{folder[1:-1]}")
        else:
            segments.append(folder)
    return "/" + "/".join(segments)


def app_route(project: Project, path: Path, folders: tuple[str, ...]) -> list[RouteEntry]:
    if any(folder.startswith("_") for folder in folders):
        return []  # private folders are not routed
    module = project.module(path)
    route = next_segments(folders)
    entries = []
    for method in HTTP_METHODS:
        if method not in module.exports and method not in module.reexports and \
                not _reexported_by_star(project, path, method):
            continue
        symbols = tuple(project.export_targets(path, method))
        entries.append(RouteEntry(route, (method,), path, _export_line(module, method), symbols))
    return entries


def _reexported_by_star(project: Project, path: Path, method: str) -> bool:
    return method in project.star_exports(path)


def _export_line(module: Module, name: str) -> int:
    spans = module.decls.get(module.exports.get(name, name), [])
    if spans and spans[0][0] < len(module.tokens):
        return module.tokens[spans[0][0]].line
    for token in module.tokens:
        if token.is_ident(name):
            return token.line
    return 1


def pages_route(project: Project, path: Path, parts: tuple[str, ...]) -> list[RouteEntry]:
    """``pages/api/orders/[id].ts`` -> ``/api/orders/:id`` serving what its handler accepts:
    one endpoint per ``.get(...)`` of a next-connect router, else one for the handler."""
    if path.suffix not in ROUTE_FILE_EXTENSIONS or any(p.startswith("_") for p in parts):
        return []
    folders = parts[:-1] + (() if path.stem == "index" else (path.stem,))
    module = project.module(path)
    if "default" not in module.exports and "default" not in module.reexports:
        return []
    route = next_segments(folders)
    connected = connect_handlers(module.tokens)
    if connected:
        return [RouteEntry(route, (method,), path, line, spans=(span,))
                for method, line, span in connected]
    symbols = tuple(project.export_targets(path, "default"))
    methods = request_methods(module.tokens) or (ALL_METHODS,)
    return [RouteEntry(route, methods, path, _export_line(module, "default"), symbols)]


_CONNECT_FACTORIES = frozenset({"nc", "nextConnect", "createRouter", "createEdgeRouter"})


def connect_handlers(tokens: list[Token]) -> list[tuple[str, int, Span]]:
    """next-connect: ``router.get(h)`` on ``const router = createRouter()``, or chained
    ``nc().get(h).post(h)``: (method, line, arguments span) per handler."""
    routers: set[str] = set()
    found = []
    for index in range(len(tokens) - 2):
        token = tokens[index]
        if not (token.kind is Kind.IDENT and token.value in _CONNECT_FACTORIES and
                tokens[index + 1].is_punct("(")):
            continue
        if index >= 2 and tokens[index - 1].is_punct("=") and tokens[index - 2].kind is Kind.IDENT:
            routers.add(tokens[index - 2].value)
        found += _connect_chain(tokens, matching_close(tokens, index + 1) + 1)
    for index in range(len(tokens) - 1):
        if tokens[index].kind is Kind.IDENT and tokens[index].value in routers and \
                tokens[index + 1].is_punct("."):
            found += _connect_chain(tokens, index + 1)
    return found


def _connect_chain(tokens: list[Token], index: int) -> list[tuple[str, int, Span]]:
    found = []
    while index + 2 < len(tokens) and tokens[index].is_punct(".") and \
            tokens[index + 2].is_punct("("):
        verb = tokens[index + 1].value
        close = matching_close(tokens, index + 2)
        if verb in _ROUTER_VERBS and _string_at(tokens, index + 3) is None:
            found.append((_ROUTER_VERBS[verb], tokens[index + 1].line, (index + 3, close)))
        index = close + 1
    return found


def request_methods(tokens: list[Token]) -> tuple[str, ...]:
    """The HTTP methods a Pages Router handler compares ``req.method`` with, in usual order."""
    found: set[str] = set()
    for index, token in enumerate(tokens):
        if not (token.is_ident("method") and index > 0 and tokens[index - 1].is_punct(".")):
            continue
        before = tokens[index - 3] if index >= 3 else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if after is not None and after.value in ("===", "==", "!==", "!=") and \
                index + 2 < len(tokens):
            found.update(_verbs(tokens[index + 2]))
        if before is not None and index >= 4 and before.value in ("===", "==", "!==", "!="):
            found.update(_verbs(tokens[index - 4]))
        if after is not None and after.is_punct(")") and index >= 4 and \
                tokens[index - 3].is_punct("(") and tokens[index - 4].is_ident("switch"):
            found.update(_switch_cases(tokens, index + 2))
        if before is not None and index >= 5 and tokens[index - 3].is_punct("(") and \
                tokens[index - 4].is_ident("includes"):
            found.update(_array_verbs(tokens, index - 6))
    return tuple(method for method in HTTP_METHODS if method in found)


def _verbs(token: Token) -> set[str]:
    if token.kind is Kind.STRING and token.value.upper() in HTTP_METHODS:
        return {token.value.upper()}
    return set()


def _switch_cases(tokens: list[Token], open_index: int) -> set[str]:
    if open_index >= len(tokens) or not tokens[open_index].is_punct("{"):
        return set()
    close = matching_close(tokens, open_index)
    found = set()
    for index in range(open_index, close - 1):
        if tokens[index].is_ident("case"):
            found.update(_verbs(tokens[index + 1]))
    return found


def _array_verbs(tokens: list[Token], close_index: int) -> set[str]:
    """``["GET", "POST"].includes(req.method)``: the array closing at ``close_index``."""
    if close_index < 0 or not tokens[close_index].is_punct("]"):
        return set()
    found = set()
    index = close_index - 1
    while index >= 0 and not tokens[index].is_punct("["):
        found.update(_verbs(tokens[index]))
        index -= 1
    return found


# --- Express, Fastify and look-alikes ------------------------------------------------------


@dataclass(frozen=True)
class _Registration:
    receiver: str
    path: str
    methods: tuple[str, ...]
    line: int
    span: Span


@dataclass(frozen=True)
class _Use:
    """``r.use([prefix,] ...args)``, ``r.route(prefix, sub)`` or ``r.register(plugin, opts)``."""

    host: Path
    receiver: str
    prefix: str
    middleware: tuple[Span, ...]  # arguments that are not the prefix nor the mounted router
    target: tuple[Path, str | None] | None  # what may be a router: module and variable
    target_span: Span | None = None


Context = tuple[str, tuple[tuple[Path, Span], ...]]  # (prefix, middleware spans with files)


class ExpressRoutes:
    """``router.get('/x', ...)`` registrations, joined with ``app.use('/prefix', router)``;
    ``app.use(auth)`` middleware counts for every route registered on or under ``app``."""

    def __init__(self, project: Project, files: list[Path]) -> None:
        self.project = project
        self.registrations: dict[Path, list[_Registration]] = {}
        self.uses: list[_Use] = []
        self.mounts: dict[tuple[Path, str | None], list[tuple[_Use, tuple[Span, ...]]]] = {}
        self.middleware: dict[tuple[Path, str], list[Span]] = {}
        for path in files:
            self._read(path)
        self._link()

    def _read(self, path: Path) -> None:
        try:
            head = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        if not re.search(r"\.(get|post|put|patch|delete|head|options|all|route|use|register)\s*\(",
                         head) or GENERATED_MARKER in head[:400].lower():
            return
        module = self.project.module(path)
        receivers = _router_receivers(module)
        registrations = []
        for index, token in enumerate(module.tokens):
            if token.kind is not Kind.IDENT or token.value not in receivers:
                continue
            member = index > 0 and module.tokens[index - 1].is_punct(".")
            if member and not (index > 1 and module.tokens[index - 2].is_ident("this")):
                continue
            registrations.extend(_registrations_at(module.tokens, index))
            use = _use_at(self.project, module, index)
            if use is not None:
                self.uses.append(use)
        if registrations:
            self.registrations[path] = registrations

    def _is_router(self, target: tuple[Path, str | None]) -> bool:
        path, name = target
        if any(name is None or r.receiver == name for r in self.registrations.get(path, [])):
            return True
        return any(u.host == path and (name is None or u.receiver == name) for u in self.uses)

    def _link(self) -> None:
        for use in self.uses:
            if use.target is not None and self._is_router(use.target):
                self.mounts.setdefault(use.target, []).append((use, use.middleware))
            else:
                spans = list(use.middleware)
                if use.target_span is not None:
                    spans.append(use.target_span)
                self.middleware.setdefault((use.host, use.receiver), []).extend(spans)

    def entries(self) -> list[RouteEntry]:
        entries = []
        for path, registrations in self.registrations.items():
            for registration in registrations:
                for prefix, middleware in self._contexts(path, registration.receiver, 0):
                    entries.append(RouteEntry(
                        join_route(prefix, registration.path), registration.methods, path,
                        registration.line, spans=(registration.span,), middleware=middleware))
        return entries

    def _contexts(self, path: Path, receiver: str, depth: int) -> list[Context]:
        """Each (prefix, middleware) a router is reached under, through its mounts."""
        own = tuple((path, span) for span in self.middleware.get((path, receiver), []))
        mounts = self.mounts.get((path, receiver), []) + self.mounts.get((path, None), [])
        if not mounts or depth > 8:
            return [("", own)]
        contexts: dict[str, tuple[tuple[Path, Span], ...]] = {}
        for use, spans in mounts:
            for outer, outer_middleware in self._contexts(use.host, use.receiver, depth + 1):
                key = join_route(outer, use.prefix)
                mounted = tuple((use.host, span) for span in spans)
                contexts[key] = contexts.get(key, ()) + outer_middleware + mounted + own
        return sorted((prefix, tuple(dict.fromkeys(m))) for prefix, m in contexts.items())


def join_route(prefix: str, path: str) -> str:
    joined = "/".join(part for part in (prefix + "/" + path).split("/") if part)
    return "/" + joined


def _router_receivers(module: Module) -> set[str]:
    """Names that hold a router here: conventional names and ``x = express.Router()`` & co."""
    names = set(_ROUTER_NAMES)
    tokens = module.tokens
    for index in range(len(tokens) - 3):
        if tokens[index + 1].is_punct("=") and tokens[index].kind is Kind.IDENT:
            value = index + 2
            if tokens[value].is_ident("new"):
                value += 1
            words = []
            while value < len(tokens) and (tokens[value].kind is Kind.IDENT or
                                           tokens[value].is_punct(".")):
                words.append(tokens[value].value)
                value += 1
            if value < len(tokens) and tokens[value].is_punct("(") and \
                    _ROUTER_FACTORIES & set(words):
                names.add(tokens[index].value)
    return names


def _string_at(tokens: list[Token], index: int) -> str | None:
    if index < len(tokens):
        token = tokens[index]
        if token.kind is Kind.STRING or (token.kind is Kind.TEMPLATE and not token.substitutions):
            return token.value
    return None


def _registrations_at(tokens: list[Token], index: int) -> list[_Registration]:
    """``r.get('/p', ...)`` or ``r.route('/p').get(...).post(...)`` starting at ``r``."""
    if index + 3 >= len(tokens) or not tokens[index + 1].is_punct("."):
        return []
    verb = tokens[index + 2].value
    if not tokens[index + 3].is_punct("("):
        return []
    receiver = tokens[index].value
    call = index + 3
    close = matching_close(tokens, call)
    route = _string_at(tokens, call + 1)
    if verb in _ROUTER_VERBS and route is not None and route.startswith(("/", "*")):
        span = (call + 2, close)
        return [_Registration(receiver, route, (_ROUTER_VERBS[verb],), tokens[index].line, span)]
    if verb == "route" and route is not None and close == call + 2:
        return _chained(tokens, receiver, route, close + 1)
    if verb == "route" and tokens[call + 1].is_punct("{"):
        return _route_object(tokens, receiver, call + 1)
    return []


def _chained(tokens: list[Token], receiver: str, route: str, index: int) -> list[_Registration]:
    found = []
    while index + 2 < len(tokens) and tokens[index].is_punct(".") and \
            tokens[index + 2].is_punct("("):
        verb = tokens[index + 1].value
        close = matching_close(tokens, index + 2)
        if verb in _ROUTER_VERBS:
            found.append(_Registration(receiver, route, (_ROUTER_VERBS[verb],),
                                       tokens[index + 1].line, (index + 3, close)))
        index = close + 1
    return found


def _route_object(tokens: list[Token], receiver: str, open_index: int) -> list[_Registration]:
    """Fastify's ``fastify.route({ method: 'GET', url: '/x', handler })``."""
    close = matching_close(tokens, open_index)
    url: str | None = None
    methods: list[str] = []
    index = open_index + 1
    while index < close:
        token = tokens[index]
        if token.kind is Kind.IDENT and index + 2 < close and tokens[index + 1].is_punct(":"):
            if token.value in ("url", "path"):
                url = _string_at(tokens, index + 2)
            elif token.value == "method":
                value = tokens[index + 2]
                if value.is_punct("["):
                    end = matching_close(tokens, index + 2)
                    methods += [t.value.upper() for t in tokens[index + 3:end]
                                if t.kind is Kind.STRING]
                elif value.kind is Kind.STRING:
                    methods.append(value.value.upper())
        if token.kind is Kind.PUNCT and token.value in ("{", "[", "(") and index > open_index:
            index = matching_close(tokens, index)
        index += 1
    chosen = tuple(m for m in HTTP_METHODS if m in methods)
    if url is None or not chosen:
        return []
    return [_Registration(receiver, url, chosen, tokens[open_index].line,
                          (open_index, close))]


def _use_at(project: Project, module: Module, index: int) -> _Use | None:
    """``r.use([prefix,] [mw,] router)``, ``r.route(prefix, sub)``, or
    ``r.register(plugin, { prefix })``; the last argument may be a router or middleware."""
    tokens = module.tokens
    if index + 4 >= len(tokens) or not tokens[index + 1].is_punct(".") or \
            not tokens[index + 3].is_punct("("):
        return None
    verb = tokens[index + 2].value
    call = index + 3
    arguments = _top_level_arguments(tokens, call, matching_close(tokens, call))
    receiver = tokens[index].value
    if verb in ("use", "route") and arguments:  # Express use, Hono route
        prefix = _string_at(tokens, arguments[0][0])
        rest = arguments[1:] if prefix is not None else arguments
        if not rest or (verb == "route" and prefix is None):
            return None
        last = rest[-1]
        return _Use(module.path, receiver, prefix or "", tuple(rest[:-1]),
                    _mount_target(project, module, tokens, last), last)
    if verb == "register" and len(arguments) >= 2:
        prefix = _object_string(tokens, arguments[1], "prefix")
        target = _mount_target(project, module, tokens, arguments[0])
        if prefix is None or target is None:
            return None
        return _Use(module.path, receiver, prefix, (), (target[0], None))  # a whole plugin
    return None


def _top_level_arguments(tokens: list[Token], open_index: int, close: int) -> list[Span]:
    arguments = []
    start = open_index + 1
    index = start
    while index < close:
        token = tokens[index]
        if token.kind is Kind.PUNCT and token.value in ("(", "[", "{", "${"):
            index = matching_close(tokens, index) + 1
            continue
        if token.is_punct(","):
            arguments.append((start, index))
            start = index + 1
        index += 1
    if start < close:
        arguments.append((start, close))
    return arguments


def _object_string(tokens: list[Token], span: Span, key: str) -> str | None:
    start, end = span
    for index in range(start, end - 2):
        if tokens[index].is_ident(key) and tokens[index + 1].is_punct(":"):
            return _string_at(tokens, index + 2)
    return None


def _mount_target(project: Project, module: Module, tokens: list[Token],
                  span: Span) -> tuple[Path, str | None] | None:
    start, end = span
    first = tokens[start]
    if first.kind is Kind.IDENT and first.value in ("require", "import") and start + 2 < end:
        specifier = _string_at(tokens, start + 2)
        target = project.resolve(module.path, specifier).path if specifier else None
        return (target, None) if target else None
    if first.kind is not Kind.IDENT or end - start != 1:
        return None
    name = first.value
    binding = module.imports.get(name)
    if binding is None:
        return (module.path, name)
    target_path = project.resolve(module.path, binding.specifier).path
    if target_path is None:
        return None
    for path, local in project.export_targets(target_path, binding.imported):
        return (path, None if local == WHOLE_MODULE or local == "default" else local)
    return None


# --- NestJS ---------------------------------------------------------------------------------

_NEST_VERBS = {method.title(): method for method in HTTP_METHODS} | {"All": ALL_METHODS}


class NestRoutes:
    """``@Controller('orders')`` classes and their ``@Get(':id')``-decorated methods, under
    ``app.setGlobalPrefix('api')`` when the tree sets one."""

    def __init__(self, project: Project, files: list[Path]) -> None:
        self.project = project
        self.controllers: list[Path] = []
        self.global_prefix = ""
        for path in files:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if "@Controller" in text:
                self.controllers.append(path)
            if "setGlobalPrefix" in text:
                self.global_prefix = self._global_prefix(path) or self.global_prefix

    def _global_prefix(self, path: Path) -> str | None:
        tokens = self.project.module(path).tokens
        for index in range(len(tokens) - 2):
            if tokens[index].is_ident("setGlobalPrefix") and tokens[index + 1].is_punct("("):
                return _string_at(tokens, index + 2)
        return None

    def entries(self) -> list[RouteEntry]:
        entries = []
        for path in self.controllers:
            tokens = self.project.module(path).tokens
            for index in range(len(tokens) - 2):
                if tokens[index].is_punct("@") and tokens[index + 1].is_ident("Controller"):
                    entries.extend(self._controller(path, tokens, index))
        return entries

    def _controller(self, path: Path, tokens: list[Token], index: int) -> list[RouteEntry]:
        prefixes = [""]
        if index + 2 < len(tokens) and tokens[index + 2].is_punct("("):
            prefixes = _decorator_paths(tokens, index + 2) or [""]
        position = skip_decorators(tokens, index, len(tokens))
        while position < len(tokens) and tokens[position].value in ("export", "default",
                                                                   "abstract"):
            position += 1
        if position + 1 >= len(tokens) or not tokens[position].is_ident("class"):
            return []
        class_name = tokens[position + 1].value
        shape = self.project.shape((path, class_name))
        entries = []
        for member, spans in shape.members.items():
            if member in (CLASS_FIELDS, "constructor"):
                continue
            for start, _ in spans:
                for verb, paths in _member_routes(tokens, start):
                    for prefix in prefixes:
                        for route in paths or [""]:
                            full = join_route(join_route(self.global_prefix, prefix), route)
                            entries.append(RouteEntry(
                                full, (verb,), path, tokens[start].line,
                                symbols=((path, f"{class_name}#{member}"),)))
        return entries


def _member_routes(tokens: list[Token], index: int) -> list[tuple[str, list[str]]]:
    """The ``@Get(...)``-style decorators in front of a class member starting at ``index``."""
    found = []
    while index + 1 < len(tokens) and tokens[index].is_punct("@"):
        name = tokens[index + 1].value
        index += 2
        while index + 1 < len(tokens) and tokens[index].is_punct("."):
            index += 2  # @nest.Get
        has_arguments = index < len(tokens) and tokens[index].is_punct("(")
        if name in _NEST_VERBS:
            found.append((_NEST_VERBS[name],
                          _decorator_paths(tokens, index) if has_arguments else []))
        if has_arguments:
            index = matching_close(tokens, index) + 1
    return found


def _decorator_paths(tokens: list[Token], open_index: int) -> list[str]:
    """``('x')``, ``(['a', 'b'])`` or ``({ path: 'x' })`` -> the path strings."""
    close = matching_close(tokens, open_index)
    first = open_index + 1
    if first >= close:
        return []
    if tokens[first].is_punct("{"):
        value = _object_string(tokens, (first, close), "path")
        return [value] if value is not None else []
    if tokens[first].is_punct("["):
        end = matching_close(tokens, first)
        return [t.value for t in tokens[first + 1:end] if t.kind is Kind.STRING]
    value = _string_at(tokens, first)
    return [value] if value is not None else []
