"""Next.js routes: App Router ``route.ts`` files and Pages Router ``pages/api`` handlers
(with next-connect routers), at the top of the tree or of any app of a monorepo."""

from __future__ import annotations

import functools
from pathlib import Path

from audits.engine.endpoints.lexer import Kind, Token, matching_close
from audits.engine.endpoints.modules import Module, Span
from audits.engine.endpoints.routes import (
    ALL_METHODS,
    HTTP_METHODS,
    ROUTE_FILE_EXTENSIONS,
    ROUTER_VERBS,
    RouteEntry,
    string_at,
)
from audits.engine.endpoints.usage import Project


def router_root(root: Path, parts: tuple[str, ...], name: str) -> int | None:
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
        if verb in ROUTER_VERBS and string_at(tokens, index + 3) is None:
            found.append((ROUTER_VERBS[verb], tokens[index + 1].line, (index + 3, close)))
        index = close + 1
    return found


def request_methods(tokens: list[Token]) -> tuple[str, ...]:
    """The HTTP methods a Pages Router handler compares ``req.method`` (or a ``method``
    destructured from it) with: ``===``, ``switch``/``case``, ``[...].includes(...)``."""
    found: set[str] = set()
    for index, token in enumerate(tokens):
        if not token.is_ident("method"):
            continue
        member = index > 0 and tokens[index - 1].value in (".", "?.")
        start = index - 2 if member else index  # where "req.method" or "method" begins

        def at(position: int) -> Token | None:
            return tokens[position] if 0 <= position < len(tokens) else None

        after, before = at(index + 1), at(start - 1)
        if after is not None and after.value in ("===", "==", "!==", "!=") and at(index + 2):
            found.update(_verbs(tokens[index + 2]))
        if before is not None and before.value in ("===", "==", "!==", "!=") and at(start - 2):
            found.update(_verbs(tokens[start - 2]))
        opener, callee = at(start - 1), at(start - 2)
        if opener is None or callee is None or not opener.is_punct("("):
            continue
        if callee.is_ident("switch") and after is not None and after.is_punct(")"):
            found.update(_switch_cases(tokens, index + 2))
        if callee.is_ident("includes") and start >= 4:
            found.update(_array_verbs(tokens, start - 4))
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
