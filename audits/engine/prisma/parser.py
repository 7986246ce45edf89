"""schema.prisma text -> ``PrismaSchema``: the parser's public functions.

``lexer`` cuts a file into tokens, ``grammar`` descends over them; this module reads files and
folders, merges the declarations of several files and checks what spans them (a name declared
twice). Every malformed input raises ``SchemaError`` with file, line and column; nothing else
escapes these functions.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from audits.engine.errors import SchemaError
from audits.engine.prisma import lexer
from audits.engine.prisma.ast import ConfigBlock, EnumDecl, Model, Position, PrismaSchema
from audits.engine.prisma.grammar import Declaration, parse_declarations

__all__ = ["parse_files", "parse_schema", "load_schema", "read_schema_files"]


def parse_schema(text: str, file: str = "schema.prisma") -> PrismaSchema:
    """Parse one schema file."""
    return parse_files({file: text})


def parse_files(files: dict[str, str]) -> PrismaSchema:
    """Parse a multi-file schema given as ``{file name: text}``, in the dict's order.

    Declarations of all files are merged into one schema; positions keep their file's name.
    """
    declarations: list[Declaration] = []
    with _cyclic_gc_paused():
        for file, text in files.items():
            declarations.extend(_parse_file(text, file))
    return _assemble(declarations, tuple(files))


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The parser allocates hundreds of thousands of small acyclic objects, which makes the
    cyclic garbage collector rescan the growing heap over and over (4x the parse time on a
    2,000-model schema). Nothing the parser builds is cyclic, so pause it meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_schema(path: str | Path) -> PrismaSchema:
    """Parse a ``schema.prisma`` file, or every ``*.prisma`` file below a folder (sorted by path).

    A single file keeps the path as given as its name; a folder's files are named by their
    path relative to the folder, as Prisma's multi-file schemas are.
    """
    return parse_files(read_schema_files(path))


def read_schema_files(path: str | Path) -> dict[str, str]:
    """``{file name: text}`` of a ``schema.prisma`` file or of the ``*.prisma`` files below a
    folder, named as ``load_schema`` names them; ``SchemaError`` when they cannot be read."""
    root = Path(path)
    try:
        paths, names = _schema_files(root)
    except (OSError, ValueError) as exc:  # unreadable folder, a NUL in the path...
        raise SchemaError(f"cannot read {root}: {getattr(exc, 'strerror', None) or exc}",
                          str(root)) from exc
    return {name: _read(p, name) for p, name in zip(paths, names, strict=True)}


def _schema_files(root: Path) -> tuple[list[Path], list[str]]:
    if root.is_dir():
        paths = sorted(p for p in root.rglob("*.prisma") if p.is_file())
        if not paths:
            raise SchemaError(f"no .prisma file below {root}", str(root))
        return paths, [p.relative_to(root).as_posix() for p in paths]
    if root.is_file():
        return [root], [str(root)]
    raise SchemaError(f"{root} does not exist", str(root))


def _read(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not UTF-8 text (byte {exc.start})", name) from exc
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", name) from exc


def _parse_file(text: str, file: str) -> list[Declaration]:
    try:
        return parse_declarations(lexer.tokenize(text, file))
    except RecursionError as exc:  # a safety net; MAX_NESTING should make it unreachable
        raise SchemaError("nesting too deep", file) from exc


def _assemble(declarations: Iterable[Declaration], files: tuple[str, ...]) -> PrismaSchema:
    models: list[Model] = []
    enums: list[EnumDecl] = []
    datasources: list[ConfigBlock] = []
    generators: list[ConfigBlock] = []
    seen: dict[str, Model | EnumDecl] = {}
    for declaration in declarations:
        if isinstance(declaration, ConfigBlock):
            _check_config_block(declaration, datasources, generators)
            (datasources if declaration.kind == "datasource" else generators).append(declaration)
            continue
        _check_unique_name(declaration, seen)
        if isinstance(declaration, Model):
            models.append(declaration)
        else:
            enums.append(declaration)
    return PrismaSchema(
        models=tuple(models),
        enums=tuple(enums),
        datasources=tuple(datasources),
        generators=tuple(generators),
        files=files,
    )


def _check_config_block(
    block: ConfigBlock, datasources: list[ConfigBlock], generators: list[ConfigBlock]
) -> None:
    """Prisma allows one datasource, and generators with distinct names."""
    first: ConfigBlock | None
    if block.kind == "datasource":
        first = datasources[0] if datasources else None
        message = f"a second datasource '{block.name}'; a schema has one datasource"
    else:
        first = next((g for g in generators if g.name == block.name), None)
        message = f"generator '{block.name}' is already defined"
    if first is None:
        return
    at = block.position or Position("schema.prisma", 0, 0)
    raise SchemaError(f"{message} (the first is at {_where(first.position)})",
                      at.file, at.line, at.column)


def _where(position: Position | None) -> str:
    return f"{position.file}:{position.line}:{position.column}" if position else "?"


def _check_unique_name(declaration: Model | EnumDecl, seen: dict[str, Model | EnumDecl]) -> None:
    first = seen.setdefault(declaration.name, declaration)
    if first is declaration:
        return
    where = _describe(first)
    at = declaration.position or Position("schema.prisma", 0, 0)
    raise SchemaError(
        f"{_kind(declaration)} '{declaration.name}' is already defined as {where}",
        at.file, at.line, at.column,
    )


def _kind(declaration: Model | EnumDecl) -> str:
    if isinstance(declaration, EnumDecl):
        return "enum"
    return {"model": "model", "view": "view", "type": "composite type"}[declaration.kind]


def _describe(declaration: Model | EnumDecl) -> str:
    kind = _kind(declaration)
    return f"{'an' if kind == 'enum' else 'a'} {kind} at {_where(declaration.position)}"


