"""tRPC procedures as endpoints: ``/api/trpc/post.getLatest`` instead of one catch-all route.

A Next.js route that serves a tRPC router (``fetchRequestHandler({ router: appRouter })`` or
``createNextApiHandler({ router: appRouter })``) is replaced by one endpoint per procedure of
that router: ``GET`` for a query, ``POST`` for a mutation (as tRPC's HTTP link sends them),
each reaching only its own procedure's code (and the procedure builder's middleware).
"""

from __future__ import annotations

from pathlib import Path

from audits.engine.endpoints.lexer import Kind, Token, matching_close
from audits.engine.endpoints.modules import Span
from audits.engine.endpoints.routes import RouteEntry
from audits.engine.endpoints.usage import Project, Symbol

_HANDLERS = ("fetchRequestHandler", "createNextApiHandler")
_ROUTER_CALLS = frozenset({"createTRPCRouter", "router", "createRouter"})
_PROCEDURE_KINDS = {"query": "GET", "mutation": "POST"}


def expand_trpc(project: Project, entries: list[RouteEntry]) -> list[RouteEntry]:
    """``entries`` with each tRPC catch-all route replaced by its procedures (when found)."""
    result: list[RouteEntry] = []
    expanded: dict[Path, list[RouteEntry]] = {}
    for entry in entries:
        if entry.file in expanded:  # GET and POST of one handler: its procedures are listed
            if not expanded[entry.file]:
                result.append(entry)
            continue
        expanded[entry.file] = _procedures(project, entry)
        result.extend(expanded[entry.file] or [entry])
    return result


def _procedures(project: Project, entry: RouteEntry) -> list[RouteEntry]:
    segments = entry.route.rsplit("/", 1)
    if len(segments) != 2 or not segments[1].startswith(":"):
        return []
    module = project.module(entry.file)
    tokens = module.tokens
    if not any(t.kind is Kind.IDENT and t.value in _HANDLERS for t in tokens):
        return []
    root = _router_argument(tokens)
    if root is None:
        return []
    base = segments[0]
    found: list[RouteEntry] = []
    for symbol in project.local_symbols(entry.file, root):
        _walk_symbol(project, symbol, "", base, found, 0)
    return found


def _router_argument(tokens: list[Token]) -> str | None:
    for index in range(len(tokens) - 2):
        if tokens[index].is_ident("router") and tokens[index + 1].is_punct(":") and \
                tokens[index + 2].kind is Kind.IDENT:
            return tokens[index + 2].value
    return None


def _walk_symbol(project: Project, symbol: Symbol, prefix: str, base: str,
                 found: list[RouteEntry], depth: int) -> None:
    """A router declared elsewhere, or a procedure declared on its own (``list: listOrders``)."""
    path, name = symbol
    tokens = project.module(path).tokens
    for start, end in project.module(path).decls.get(name, []):
        opening = _router_object(tokens, start, end)
        if opening is not None:
            _walk_object(project, path, opening, prefix, base, found, depth + 1)
            continue
        kind = _procedure_kind(tokens, start, end)
        if kind is not None and prefix:
            found.append(RouteEntry(f"{base}/{prefix}", (kind,), path, tokens[start].line,
                                    symbols=(symbol,)))


def _router_object(tokens: list[Token], start: int, end: int) -> int | None:
    """The ``{`` of ``createTRPCRouter({...})`` / ``t.router({...})`` inside a span."""
    for index in range(start, min(end, len(tokens)) - 2):
        if tokens[index].kind is Kind.IDENT and tokens[index].value in _ROUTER_CALLS and \
                tokens[index + 1].is_punct("(") and tokens[index + 2].is_punct("{"):
            return index + 2
    return None


def _walk_object(project: Project, path: Path, opening: int, prefix: str, base: str,
                 found: list[RouteEntry], depth: int) -> None:
    if depth > 8:
        return
    tokens = project.module(path).tokens
    for key, (start, end) in _entries(tokens, opening):
        dotted = f"{prefix}.{key}" if prefix else key
        value = tokens[start]
        kind = _procedure_kind(tokens, start, end)
        if kind is not None:
            found.append(RouteEntry(f"{base}/{dotted}", (kind,), path, value.line,
                                    spans=((start, end),)))
        elif value.is_punct("{"):  # tRPC 11: a plain object is a sub-router
            _walk_object(project, path, start, dotted, base, found, depth + 1)
        elif (inner := _router_object(tokens, start, end)) is not None:
            _walk_object(project, path, inner, dotted, base, found, depth + 1)
        elif value.kind is Kind.IDENT and end - start == 1:
            for symbol in project.local_symbols(path, value.value):
                _walk_symbol(project, symbol, dotted, base, found, depth + 1)


def _entries(tokens: list[Token], opening: int) -> list[tuple[str, Span]]:
    """``{ a: x, b, 'c': y }`` -> [("a", span of x), ("b", span of b), ("c", span of y)]."""
    close = matching_close(tokens, opening)
    found = []
    index = opening + 1
    while index < close:
        end = index
        while end < close and not tokens[end].is_punct(","):
            if tokens[end].kind is Kind.PUNCT and tokens[end].value in ("(", "[", "{", "${"):
                end = matching_close(tokens, end)
            end += 1
        key = tokens[index]
        if key.kind in (Kind.IDENT, Kind.STRING):
            if index + 1 < end and tokens[index + 1].is_punct(":"):
                found.append((key.value, (index + 2, end)))
            elif end == index + 1:
                found.append((key.value, (index, end)))
        index = end + 1
    return found


def _procedure_kind(tokens: list[Token], start: int, end: int) -> str | None:
    """GET for ``...query(...)``, POST for ``...mutation(...)``: the chain's last call."""
    kind = None
    index = start
    while index < end:
        token = tokens[index]
        if token.kind is Kind.PUNCT and token.value in ("(", "[", "{", "${"):
            index = matching_close(tokens, index) + 1
            continue
        if token.kind is Kind.IDENT and token.value in _PROCEDURE_KINDS and index > start and \
                tokens[index - 1].is_punct(".") and index + 1 < end and \
                tokens[index + 1].is_punct("("):
            kind = _PROCEDURE_KINDS[token.value]
        index += 1
    return kind

