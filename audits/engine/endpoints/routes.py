"""Endpoint discovery's shared vocabulary: what a route entry is, HTTP methods, the files of a
tree worth reading, and small token readers the route finders share.

Each discovered route says which code serves it, as symbols (an exported handler), token spans
of its own file (the arguments of ``router.get(...)``) and middleware spans of other files, so
that usage can follow only that code. The finders: ``nextjs`` (App and Pages Routers),
``routers`` (Express, Fastify, Hono), ``nest`` (NestJS); ``discover`` runs them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from audits.engine.endpoints.lexer import Kind, Token, matching_close
from audits.engine.endpoints.modules import Span
from audits.engine.endpoints.resolve import SOURCE_EXTENSIONS
from audits.engine.endpoints.usage import Symbol

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ALL_METHODS = "*"
ROUTE_FILE_EXTENSIONS = (".ts", ".js", ".tsx", ".jsx", ".mjs")
SKIPPED_DIRECTORIES = frozenset({
    "node_modules", ".next", ".git", "dist", "build", "out", "coverage", ".turbo", ".vercel",
    "__tests__", "__mocks__", ".cache",
})
_TEST_FILE = re.compile(r"\.(test|spec|stories|d)\.[cm]?[jt]sx?$")
ROUTER_VERBS = {method.lower(): method for method in HTTP_METHODS} | {"all": ALL_METHODS}


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


def join_route(prefix: str, path: str) -> str:
    joined = "/".join(part for part in (prefix + "/" + path).split("/") if part)
    return "/" + joined


def string_at(tokens: list[Token], index: int) -> str | None:
    if index < len(tokens):
        token = tokens[index]
        if token.kind is Kind.STRING or (token.kind is Kind.TEMPLATE and not token.substitutions):
            return token.value
    return None


def top_level_arguments(tokens: list[Token], open_index: int, close: int) -> list[Span]:
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


def object_string(tokens: list[Token], span: Span, key: str) -> str | None:
    start, end = span
    for index in range(start, end - 2):
        if tokens[index].is_ident(key) and tokens[index + 1].is_punct(":"):
            return string_at(tokens, index + 2)
    return None
