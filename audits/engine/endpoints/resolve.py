"""Where an import specifier leads: a file of the scanned tree, an external package, or nowhere.

It follows what TypeScript and the bundlers do for the common cases: relative paths, index
files, the usual extensions (and ``./x.js`` written for ``./x.ts``), and ``paths``/``baseUrl``
from the nearest tsconfig.json or jsconfig.json (``extends`` followed), and the packages of a
monorepo's workspace.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from audits.engine.confine import Roots, check
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
class _Config:
    """What one tsconfig.json/jsconfig.json says about resolving bare specifiers."""

    base_url: Path | None = None
    # (prefix before "*", suffix after "*" or None for an exact pattern, targets)
    aliases: list[tuple[str, str | None, list[str]]] = field(default_factory=list)
    alias_base: Path | None = None


class Resolver:
    """Resolves specifiers for files anywhere under ``root``: each file follows its nearest
    tsconfig/jsconfig (so a monorepo's apps keep their own ``@/``), and workspace packages
    (a package.json with a ``name`` inside the tree) resolve to their sources."""

    def __init__(self, root: Path, roots: Roots | None = None) -> None:
        self.root = root
        self.roots = roots
        self._configs: dict[Path, _Config] = {}
        self._cache: dict[tuple[Path, str], Resolution] = {}
        self.packages = workspace_packages(root, roots)

    def _config_for(self, directory: Path) -> _Config:
        visited = []
        current = directory
        config: _Config | None = None
        while True:
            config = self._configs.get(current)
            if config is not None:
                break
            visited.append(current)
            found = next((current / name for name in ("tsconfig.json", "jsconfig.json")
                          if (current / name).is_file()), None)
            if found is not None:
                config = _Config()
                _load_config(config, found, depth=0, roots=self.roots, top=self.root)
                self._configs[current] = config
                break
            if current == self.root or current.parent == current or \
                    self.root not in current.parents:
                config = _Config()
                break
            current = current.parent
        for directory_seen in visited:
            self._configs[directory_seen] = config
        return config

    def resolve(self, importer: Path, specifier: str) -> Resolution:
        key = (importer.parent, specifier)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._resolve(importer.parent, specifier)
            self._cache[key] = cached
        return cached

    def _resolve(self, directory: Path, specifier: str) -> Resolution:
        resolution = self._resolve_path(directory, specifier)
        if resolution.path is not None:
            # before its first byte is read (the generated-client test below reads its head)
            guard(self.roots, self.root, resolution.path)
        if resolution.path is not None and is_generated(resolution.path):
            return EXTERNAL  # a generated Prisma Client is the library, not the app's code
        return resolution

    def _resolve_path(self, directory: Path, specifier: str) -> Resolution:
        if specifier.startswith((".", "/")):
            return _found(find_source(directory / specifier))
        config = self._config_for(directory)
        for prefix, suffix, targets in config.aliases:
            captured = _alias_match(specifier, prefix, suffix)
            if captured is None:
                continue
            assert config.alias_base is not None
            for target in targets:
                path = find_source(config.alias_base / target.replace("*", captured, 1))
                if path is not None:
                    return Resolution(path=path)
            return UNRESOLVED
        if config.base_url is not None:
            path = find_source(config.base_url / specifier)
            if path is not None:
                return Resolution(path=path)
        package = self._workspace_package(specifier)
        if package is not None:
            return package
        if specifier.startswith(("@/", "~/", "#")):
            return UNRESOLVED  # project-style aliases, never npm package names
        return EXTERNAL

    def _workspace_package(self, specifier: str) -> Resolution | None:
        parts = specifier.split("/")
        name_length = 2 if specifier.startswith("@") else 1
        name = "/".join(parts[:name_length])
        directory = self.packages.get(name)
        if directory is None:
            return None
        rest = "/".join(parts[name_length:])
        if rest:
            path = find_source(directory / rest) or find_source(directory / "src" / rest)
        else:
            path = package_entry(directory, self.roots, self.root)
        return _found(path)


def _load_config(config: _Config, path: Path, depth: int, roots: Roots | None = None,
                 top: Path | None = None) -> None:
    data = read_jsonc(path, roots, top)
    extends = data.get("extends")
    if isinstance(extends, str) and extends.startswith(".") and depth < 3:
        parent = (path.parent / extends).resolve()
        if parent.suffix != ".json":
            parent = parent.with_name(parent.name + ".json")
        if parent.is_file():
            _load_config(config, parent, depth + 1, roots, top)
    options = data.get("compilerOptions")
    if not isinstance(options, dict):
        return
    base = options.get("baseUrl")
    if isinstance(base, str):
        config.base_url = (path.parent / base).resolve()
    paths = options.get("paths")
    if isinstance(paths, dict):
        config.alias_base = config.base_url or path.parent.resolve()
        config.aliases = []
        for pattern, targets in paths.items():
            if not isinstance(targets, list):
                continue
            prefix, star, suffix = str(pattern).partition("*")
            config.aliases.append((prefix, suffix if star else None,
                                   [str(target) for target in targets]))
        # the longest prefix wins, as in TypeScript
        config.aliases.sort(key=lambda alias: len(alias[0]), reverse=True)


_SKIPPED = frozenset({"node_modules", ".git", ".next", "dist", "build", "out", ".turbo"})


def workspace_packages(root: Path, roots: Roots | None = None) -> dict[str, Path]:
    """Package name -> folder, for every package.json under ``root`` but the root's own."""
    packages: dict[str, Path] = {}
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED)
        if "package.json" in files and Path(directory) != root:
            name = read_jsonc(Path(directory) / "package.json", roots, root).get("name")
            if isinstance(name, str) and name:
                packages.setdefault(name, Path(directory))
    return packages


def package_entry(directory: Path, roots: Roots | None = None,
                  top: Path | None = None) -> Path | None:
    """The source file a workspace package's bare name means: its declared entry when that is
    a source file, else the usual src/index or index."""
    manifest = read_jsonc(directory / "package.json", roots, top)
    candidates = []
    exports = manifest.get("exports")
    if isinstance(exports, str):
        candidates.append(exports)
    elif isinstance(exports, dict):
        main_export = exports.get(".", exports)
        if isinstance(main_export, str):
            candidates.append(main_export)
        elif isinstance(main_export, dict):
            candidates += [v for k, v in main_export.items()
                           if isinstance(v, str) and k in ("source", "import", "default",
                                                           "require", "types")]
    for key in ("source", "module", "main", "types"):
        value = manifest.get(key)
        if isinstance(value, str):
            candidates.append(value)
    for candidate in candidates:
        path = find_source(directory / str(candidate))
        if path is not None and not path.name.endswith(".d.ts"):
            return path
    return find_source(directory / "src" / "index") or find_source(directory / "index")


GENERATED_MARKER = "code generated by prisma"
LARGE_FILE_BYTES = 2_000_000  # bundles and generated clients, not code anyone maintains


def is_generated(path: Path) -> bool:
    """A generated Prisma Client file (``output = "../generated/prisma"``) or a huge bundle."""
    try:
        if path.stat().st_size > LARGE_FILE_BYTES:
            return True
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(400)
    except OSError:
        return False
    return GENERATED_MARKER in head.lower()


def guard(roots: Roots | None, top: Path, path: Path) -> Path:
    """``path`` if ``roots`` allow reading it; named relative to the scanned folder if not."""
    try:
        shown = path.relative_to(top).as_posix()
    except ValueError:
        shown = path.as_posix()
    return check(roots, path, shown)


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


def read_jsonc(path: Path, roots: Roots | None = None,
               top: Path | None = None) -> dict[str, object]:
    """A tsconfig-style JSON file: comments and trailing commas allowed; {} when unreadable;
    ``OutsideRoots`` when ``roots`` do not allow it."""
    if roots is not None and path.exists():
        guard(roots, top or path.parent, path)
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
