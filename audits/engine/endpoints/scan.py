"""``scan_backend``: the endpoints of a TS/JS backend and the Prisma models each one touches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audits.engine.confine import Roots
from audits.engine.endpoints.discover import discover
from audits.engine.endpoints.resolve import guard
from audits.engine.endpoints.routes import HTTP_METHODS, RouteEntry, source_files
from audits.engine.endpoints.usage import Project, Reach
from audits.engine.errors import EngineError
from audits.engine.model import to_plain


@dataclass(frozen=True)
class ModelUseFact:
    """Evidence: where an endpoint's code touches a model."""

    model: str
    operation: str  # "findMany", ... or "relation" for a model reached through include & co.
    file: str
    line: int
    via: str = ""  # "Order.items" for a relation


@dataclass(frozen=True)
class RawSqlFact:
    call: str  # "$queryRaw", "$executeRawUnsafe", "Prisma.sql"
    file: str
    line: int
    sql: str | None  # the literal, "?" where a ${...} was; None when it is not a literal
    tables: tuple[str, ...] = ()
    readable: bool = True  # False: the tables it reads are not known


@dataclass(frozen=True)
class UnresolvedImport:
    file: str
    specifier: str
    line: int


@dataclass(frozen=True)
class Endpoint:
    route: str  # "/api/orders/:id"
    methods: tuple[str, ...]  # ("GET",) or ("*",) for a handler serving every method
    file: str  # relative to the scanned folder, with "/"
    models: tuple[str, ...] = ()  # sorted Prisma model names
    raw_sql: tuple[RawSqlFact, ...] = ()
    unknown_reasons: tuple[str, ...] = ()
    line: int = 0
    uses: tuple[ModelUseFact, ...] = ()

    @property
    def key(self) -> str:
        """``"GET /api/orders/:id"``, ``"GET,POST /api/x"``, ``"* /api/health"``."""
        return f"{','.join(self.methods)} {self.route}"

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        return plain


@dataclass(frozen=True)
class ScanResult:
    endpoints: tuple[Endpoint, ...] = ()
    unresolved: tuple[UnresolvedImport, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"endpoints": [endpoint.to_dict() for endpoint in self.endpoints],
                "unresolved": [to_plain(item) for item in self.unresolved]}

    def endpoint(self, route: str, method: str) -> Endpoint | None:
        return next((e for e in self.endpoints if e.route == route and method in e.methods),
                    None)


# The largest source file the scanner reads. Memory follows the tokens, not the bytes (each is
# a Python object: 65-170 bytes of memory per byte of source, by shape), so the tokens are
# capped too (modules.MAX_SOURCE_TOKENS); a 100,000-line route file (8.5 MB, 2.7 million
# tokens, bench/hostile_input.py) passes both. Hand-written route files stay far below.
MAX_SOURCE_BYTES = 10 * 1024 * 1024


def scan_backend(code_dir: Path, model_names: Iterable[str],
                 relations: Mapping[str, Mapping[str, str]] | None = None,
                 roots: Roots | None = None) -> ScanResult:
    """Every endpoint under ``code_dir`` with the models its code reaches.

    ``model_names`` are the Prisma model names (``SupplierProfile``); ``relations`` maps each
    model's relation fields to their target models (see ``relations_from_prisma``).
    Raises ``EngineError`` when ``code_dir`` is not a folder, and ``OutsideRoots`` (before
    anything is read) when ``roots`` are given and a file it would read resolves outside them.
    """
    root = Path(code_dir).resolve()
    if not root.is_dir():
        raise EngineError(f"{code_dir} is not a folder: there is no code to scan")
    files = list(source_files(root))
    for path in files:
        guard(roots, root, path)
        # a file past the cap fails the scan with its name, up front, before anything is read
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise EngineError(f"{path.relative_to(root)} is larger than {MAX_SOURCE_BYTES:,} "
                              "bytes: too large to scan")
    project = Project(root, model_names, relations, roots)
    entries = discover(project, files)
    endpoints = [_endpoint(project, entry) for entry in entries]
    endpoints.sort(key=_order)
    unresolved = tuple(UnresolvedImport(project.rel(u.file), u.specifier, u.line)
                       for u in project.unresolved_imports())
    return ScanResult(tuple(endpoints), unresolved)


def _order(endpoint: Endpoint) -> tuple[str, int, str, int]:
    method = endpoint.methods[0] if endpoint.methods else "*"
    rank = HTTP_METHODS.index(method) if method in HTTP_METHODS else len(HTTP_METHODS)
    return endpoint.route, rank, endpoint.file, endpoint.line


def _endpoint(project: Project, entry: RouteEntry) -> Endpoint:
    reach = project.reach(entry.file, entry.spans, entry.symbols, entry.middleware)
    uses = sorted({ModelUseFact(u.model, u.operation, project.rel(u.file), u.line, u.via)
                   for u in reach.uses},
                  key=lambda u: (u.model, u.file, u.line, u.operation, u.via))
    raw = sorted({RawSqlFact(r.call, project.rel(r.file), r.line, r.sql, r.tables, r.readable)
                  for r in reach.raw}, key=lambda r: (r.file, r.line, r.call))
    return Endpoint(
        route=entry.route,
        methods=entry.methods,
        file=project.rel(entry.file),
        models=tuple(sorted({use.model for use in uses})),
        raw_sql=tuple(raw),
        unknown_reasons=_unknown_reasons(project, reach, raw),
        line=entry.line,
        uses=tuple(uses),
    )


def _unknown_reasons(project: Project, reach: Reach, raw: list[RawSqlFact]) -> tuple[str, ...]:
    reasons = [f"raw SQL in {fact.file}:{fact.line} could not be read"
               for fact in raw if not fact.readable]
    reasons += sorted(use.reason for use in reach.unknown)
    reasons += [f'import "{u.specifier}" in {project.rel(u.file)}:{u.line} could not be resolved'
                for u in sorted(reach.unresolved, key=lambda u: (str(u.file), u.line))]
    return tuple(dict.fromkeys(reasons))
