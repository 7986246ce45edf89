"""NestJS routes: ``@Controller('orders')`` classes and their ``@Get(':id')`` methods, under
``app.setGlobalPrefix('api')``; each endpoint is its method, with the services it calls
followed through their injected types."""

from __future__ import annotations

from pathlib import Path

from audits.engine.endpoints.classes import CLASS_FIELDS
from audits.engine.endpoints.lexer import Kind, Token, matching_close
from audits.engine.endpoints.modules import skip_decorators
from audits.engine.endpoints.routes import (
    ALL_METHODS,
    HTTP_METHODS,
    RouteEntry,
    join_route,
    object_string,
    string_at,
)
from audits.engine.endpoints.usage import Project

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
                return string_at(tokens, index + 2)
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
        value = object_string(tokens, (first, close), "path")
        return [value] if value is not None else []
    if tokens[first].is_punct("["):
        end = matching_close(tokens, first)
        return [t.value for t in tokens[first + 1:end] if t.kind is Kind.STRING]
    value = string_at(tokens, first)
    return [value] if value is not None else []
