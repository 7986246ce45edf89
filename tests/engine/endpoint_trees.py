"""Helpers for the endpoint scanner tests: small code trees written into tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

from audits.engine.endpoints import ScanResult, scan_backend

PRISMA_CLIENT = (
    "import { PrismaClient } from '@prisma/client'\n"
    "export const prisma = new PrismaClient()\n"
    "export default prisma\n"
)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def scan(root: Path, files: dict[str, str], models: tuple[str, ...] = ("User",),
         relations: dict[str, dict[str, str]] | None = None) -> ScanResult:
    return scan_backend(write_tree(root, files), models, relations or {})


def routes(result: ScanResult) -> list[tuple[str, tuple[str, ...], str]]:
    return [(e.route, e.methods, e.file) for e in result.endpoints]


def models_of(result: ScanResult) -> dict[str, tuple[str, ...]]:
    """"GET /api/x" -> models, for every endpoint."""
    return {e.key: e.models for e in result.endpoints}
