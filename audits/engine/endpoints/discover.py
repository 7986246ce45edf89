"""All the route finders over one tree."""

from __future__ import annotations

from pathlib import Path

from audits.engine.endpoints.nest import NestRoutes
from audits.engine.endpoints.nextjs import app_route, pages_route, router_root
from audits.engine.endpoints.routers import ExpressRoutes
from audits.engine.endpoints.routes import ROUTE_FILE_EXTENSIONS, RouteEntry
from audits.engine.endpoints.trpc import expand_trpc
from audits.engine.endpoints.usage import Project


def discover(project: Project, files: list[Path]) -> list[RouteEntry]:
    entries: list[RouteEntry] = []
    routers: list[Path] = []
    for path in files:
        parts = path.relative_to(project.root).parts
        app_at = router_root(project.root, parts, "app")
        pages_at = router_root(project.root, parts, "pages")
        if app_at is not None and path.stem == "route" and path.suffix in ROUTE_FILE_EXTENSIONS:
            entries.extend(app_route(project, path, parts[app_at + 1:-1]))
        elif pages_at is not None and len(parts) > pages_at + 2 and parts[pages_at + 1] == "api":
            entries.extend(pages_route(project, path, parts[pages_at + 1:]))
        elif app_at is None and pages_at is None:
            routers.append(path)
    entries = expand_trpc(project, entries)
    entries.extend(ExpressRoutes(project, routers).entries())
    entries.extend(NestRoutes(project, routers).entries())
    return entries
