"""Where an import specifier leads: a file of the scanned tree, an external package, or nowhere.

It follows what TypeScript and the bundlers do for the common cases: relative paths, index
files, the usual extensions (and ``./x.js`` written for ``./x.ts``), and ``paths``/``baseUrl``
from the root tsconfig.json or jsconfig.json (one level of ``extends`` followed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from audits.engine.endpoints.lexer import Kind, tokenize

SOURCE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


@dataclass(frozen=True)
class Resolution:
    """One of: ``path`` set (a source file), ``external`` (a package), or neither (unresolved)."""

    path: Path | None = None
    external: bool = False


EXTERNAL = Resolution(external=True)
UNRESOLVED = Resolution()


@dataclass
class Resolver:
    root: Path
    base_url: Path | None = None
    # (prefix before "*", suffix after "*" or None for an exact pattern, targets)
    aliases: list[tuple[str, str | None, list[str]]] = field(default_factory=list)
    alias_base: Path | None = None
    _cache: dict[tuple[Path, str], Resolution] = field(default_factory=dict)

    @classmethod
    def for_tree(cls, root: Path) -> Resolver:
        resolver = cls(root=root)
        for name in ("tsconfig.json", "jsconfig.json"):
            config = root / name
            if config.is_file():
                resolver._load_config(config, depth=0)
                break
        return resolver

    def _load_config(self, config: Path, depth: int) -> None:
        data = read_jsonc(config)
        extends = data.get("extends")
        if isinstance(extends, str) and extends.startswith(".") and depth < 3:
            parent = (config.parent / extends).resolve()
            if parent.suffix != ".json":
                parent = parent.with_name(parent.name + ".json")
            if parent.is_file():
                self._load_config(parent, depth + 1)
        options = data.get("compilerOptions")
        if not isinstance(options, dict):
            return
        base = options.get("baseUrl")
        if isinstance(base, str):
            self.base_url = (config.parent / base).resolve()
        paths = options.get("paths")
        if isinstance(paths, dict):
            self.alias_base = self.base_url or config.parent.resolve()
            self.aliases = []
            for pattern, targets in paths.items():
                if not isinstance(targets, list):
                    continue
                prefix, star, suffix = str(pattern).partition("*")
                self.aliases.append((prefix, suffix if star else None,
                                     [str(target) for target in targets]))
            # the longest prefix wins, as in TypeScript
            self.aliases.sort(key=lambda alias: len(alias[0]), reverse=True)

    def resolve(self, importer: Path, specifier: str) -> Resolution:
        key = (importer.parent, specifier)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._resolve(importer.parent, specifier)
            self._cache[key] = cached
        return cached

    def _resolve(self, directory: Path, specifier: str) -> Resolution:
        if specifier.startswith((".", "/")):
            return _found(find_source(directory / specifier))
        for prefix, suffix, targets in self.aliases:
            captured = _alias_match(specifier, prefix, suffix)
            if captured is None:
                continue
            assert self.alias_base is not None
            for target in targets:
                path = find_source(self.alias_base / target.replace("*", captured, 1))
                if path is not None:
                    return Resolution(path=path)
            return UNRESOLVED
        if self.base_url is not None:
            path = find_source(self.base_url / specifier)
            if path is not None:
                return Resolution(path=path)
        if specifier.startswith(("@/", "~/", "#")):
            return UNRESOLVED  # project-style aliases, never npm package names
        return EXTERNAL


def _alias_match(specifier: str, prefix: str, suffix: str | None) -> str | None:
    if suffix is None:
        return "" if specifier == prefix else None
    if specifier.startswith(prefix) and specifier.endswith(suffix) and \
            len(specifier) >= len(prefix) + len(suffix):
        return specifier[len(prefix): len(specifier) - len(suffix)]
    return None


def _found(path: Path | None) -> Resolution:
    return UNRESOLVED if path is None else Resolution(path=path)


def find_source(base: Path) -> Path | None:
    """``base`` as a file, with an extension added, or as a folder's index file."""
    if base.suffix in SOURCE_EXTENSIONS and base.is_file():
        return base
    if base.suffix in (".js", ".jsx", ".mjs", ".cjs"):  # "./x.js" written for "./x.ts"
        stem = base.with_suffix("")
        for extension in (".ts", ".tsx", ".mts", ".cts"):
            candidate = stem.with_name(stem.name + extension)
            if candidate.is_file():
                return candidate
    for extension in SOURCE_EXTENSIONS:
        candidate = base.with_name(base.name + extension)
        if candidate.is_file():
            return candidate
    if base.is_dir():
        for extension in SOURCE_EXTENSIONS:
            candidate = base / f"index{extension}"
            if candidate.is_file():
                return candidate
    return None


def read_jsonc(path: Path) -> dict[str, object]:
    """A tsconfig-style JSON file: comments and trailing commas allowed; {} when unreadable."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        stripped = _strip_jsonc(text)
        data = json.loads(stripped) if stripped else {}
    return data if isinstance(data, dict) else {}


def _strip_jsonc(text: str) -> str:
    """Rebuilds the JSON from tokens, which drops the comments; then trailing commas go."""
    pieces = []
    for token in tokenize(text):
        if token.kind is Kind.STRING:
            pieces.append(json.dumps(token.value))
        else:
            pieces.append(token.value)
    rebuilt = _TRAILING_COMMA.sub(r"\1", " ".join(pieces))
    try:
        json.loads(rebuilt)
    except ValueError:
        return ""
    return rebuilt
