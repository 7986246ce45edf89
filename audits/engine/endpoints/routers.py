"""Express, Fastify and Hono routers: ``router.get('/x', ...)`` registrations, joined with
``app.use('/prefix', router)``-style mounts, with the middleware that runs before them."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from audits.engine.endpoints.lexer import Kind, Token, matching_close
from audits.engine.endpoints.modules import WHOLE_MODULE, Module, Span
from audits.engine.endpoints.resolve import GENERATED_MARKER
from audits.engine.endpoints.routes import (
    HTTP_METHODS,
    ROUTER_VERBS,
    RouteEntry,
    join_route,
    object_string,
    string_at,
    top_level_arguments,
)
from audits.engine.endpoints.usage import Project
from audits.engine.errors import EngineError

_ROUTER_NAMES = frozenset({"app", "router", "server", "fastify"})
_ROUTER_FACTORIES = frozenset({"express", "Router", "fastify", "Fastify", "Hono", "Koa"})


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
        registrations: list[_Registration] = []
        for index, token in enumerate(module.tokens):
            if token.kind is not Kind.IDENT or token.value not in receivers:
                continue
            member = index > 0 and module.tokens[index - 1].is_punct(".")
            if member and not (index > 1 and module.tokens[index - 2].is_ident("this")):
                continue
            own_prefix = receivers[token.value]
            registrations.extend(
                replace(r, path=join_route(own_prefix, r.path)) if own_prefix else r
                for r in _registrations_at(module.tokens, index))
            use = _use_at(self.project, module, index)
            if use is not None:
                self.uses.append(use)
        if registrations:
            _check_nesting(self.project.rel(path), registrations)
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


def _router_receivers(module: Module) -> dict[str, str]:
    """Names that hold a router here (conventional names and ``x = express.Router()`` & co.),
    with the prefix the router carries itself: Koa's ``new Router({ prefix: '/api' })``, Hono's
    ``new Hono().basePath('/api')``."""
    names = dict.fromkeys(_ROUTER_NAMES, "")
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
                names[tokens[index].value] = _own_prefix(tokens, value)
    return names


def _own_prefix(tokens: list[Token], open_index: int) -> str:
    close = matching_close(tokens, open_index)
    prefix = object_string(tokens, (open_index + 1, close), "prefix") or ""
    after = close + 1
    if after + 3 < len(tokens) and tokens[after].is_punct(".") and \
            tokens[after + 1].is_ident("basePath") and tokens[after + 2].is_punct("("):
        prefix = string_at(tokens, after + 3) or prefix
    return prefix


# Each endpoint's facts are read over its whole handler, so registrations nested inside each
# other's handlers cost the square of their depth (800 deep: 8.5 s); real code nests a few.
MAX_NESTED_ROUTES = 16


def _check_nesting(shown: str, registrations: list[_Registration]) -> None:
    """``EngineError`` when route registrations nest deeper than MAX_NESTED_ROUTES."""
    ends: list[int] = []  # the spans still open at the current start, innermost last
    for start, end in sorted(r.span for r in registrations):
        while ends and ends[-1] <= start:
            ends.pop()
        ends.append(end)
        if len(ends) > MAX_NESTED_ROUTES:
            raise EngineError(f"{shown} nests route registrations more than "
                              f"{MAX_NESTED_ROUTES} deep inside each other's handlers: "
                              "too deep to scan")


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
    if close >= len(tokens):
        # never closed: the file does not parse, so no server serves this route, and its
        # handler would run to the end of the file (each one: quadratic in the routes)
        return []
    route = string_at(tokens, call + 1)
    if verb in ROUTER_VERBS and route is not None and route.startswith(("/", "*")):
        span = (call + 2, close)
        return [_Registration(receiver, route, (ROUTER_VERBS[verb],), tokens[index].line, span)]
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
        if verb in ROUTER_VERBS:
            found.append(_Registration(receiver, route, (ROUTER_VERBS[verb],),
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
                url = string_at(tokens, index + 2)
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
    arguments = top_level_arguments(tokens, call, matching_close(tokens, call))
    receiver = tokens[index].value
    if verb in ("use", "route") and arguments:  # Express use, Hono route
        prefix = string_at(tokens, arguments[0][0])
        rest = arguments[1:] if prefix is not None else arguments
        if not rest or (verb == "route" and prefix is None):
            return None
        last = rest[-1]
        return _Use(module.path, receiver, prefix or "", tuple(rest[:-1]),
                    _mount_target(project, module, tokens, last), last)
    if verb == "register" and len(arguments) >= 2:
        prefix = object_string(tokens, arguments[1], "prefix")
        target = _mount_target(project, module, tokens, arguments[0])
        if prefix is None or target is None:
            return None
        return _Use(module.path, receiver, prefix, (), (target[0], None))  # a whole plugin
    return None


def _mount_target(project: Project, module: Module, tokens: list[Token],
                  span: Span) -> tuple[Path, str | None] | None:
    start, end = span
    first = tokens[start]
    if first.kind is Kind.IDENT and first.value in ("require", "import") and start + 2 < end:
        specifier = string_at(tokens, start + 2)
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
