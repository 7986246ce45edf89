"""One source file seen as a module: its imports, exports and top-level declarations.

Declarations are kept as token spans so usage can be attributed per function: an endpoint
that calls ``listOrders`` from a service reaches the models ``listOrders`` touches, not those of
every function in that file. Top-level code that declares nothing (``app.use(...)``, route
registrations) is kept apart as the module's "init" spans, reached only when the module is
used as a whole (a namespace used bare, a ``require`` or dynamic ``import()``, CommonJS).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audits.engine.endpoints.lexer import Kind, Token, matching_close, tokenize
from audits.engine.errors import EngineError

Span = tuple[int, int]  # token indexes [start, end)
WHOLE_MODULE = "*"

_DECLARATION_STARTS = frozenset({
    "import", "export", "function", "class", "const", "let", "var", "async", "type",
    "interface", "enum", "declare", "abstract",
})
CONTINUATION = frozenset({
    "=", ",", ".", "?.", "(", "[", "{", "=>", "?", ":", "&&", "||", "??", "+", "-", "*", "/",
    "|", "&", "<", ">", "extends",
})


@dataclass(frozen=True)
class ImportBinding:
    specifier: str
    imported: str  # "default", "*" for a namespace / CommonJS require, or the exported name
    line: int


@dataclass
class Module:
    path: Path
    tokens: list[Token]
    imports: dict[str, ImportBinding] = field(default_factory=dict)  # local name -> binding
    specifiers: list[tuple[str, int]] = field(default_factory=list)  # every import, with line
    exports: dict[str, str] = field(default_factory=dict)  # exported name -> local name
    reexports: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (spec, name)
    star_exports: list[str] = field(default_factory=list)
    decls: dict[str, list[Span]] = field(default_factory=dict)
    init_spans: list[Span] = field(default_factory=list)
    commonjs: bool = False


# The most tokens of one source file the scanner analyses: they are what its memory follows
# (a token and its share of the statement spans cost 100-330 bytes), so this bounds one file's
# cost to about a gigabyte at worst and 600 MB for a 100,000-line route file (2.7M tokens).
MAX_SOURCE_TOKENS = 3_000_000


def load_module(path: Path, shown: str | None = None) -> Module:
    """``path`` tokenized and analysed; ``EngineError`` naming it as ``shown`` when it holds
    more than MAX_SOURCE_TOKENS tokens (checked before the analysis builds anything on them)."""
    try:
        source = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        source = ""
    tokens = tokenize(source)
    if len(tokens) > MAX_SOURCE_TOKENS:
        raise EngineError(f"{shown or path.name} holds more than {MAX_SOURCE_TOKENS:,} tokens: "
                          "too large to scan")
    return analyse(path, tokens)


def analyse(path: Path, tokens: list[Token]) -> Module:
    module = Module(path=path, tokens=tokens)
    for start, end in top_level_statements(tokens):
        _statement(module, start, end)
    return module


def top_level_statements(tokens: list[Token]) -> list[Span]:
    """Splits the file into top-level statements (semicolons, or a new line that starts one)."""
    spans: list[Span] = []
    start = 0
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        if token.kind is Kind.PUNCT and token.value in ("(", "[", "{", "${"):
            close = matching_close(tokens, index)
            index = close + 1
            if _block_ends_statement(tokens, start, close):
                spans.append((start, min(index, count)))
                start = index
            continue
        if token.is_punct(";"):
            if index > start:
                spans.append((start, index))
            start = index + 1
        elif index > start and _starts_statement(tokens, index):
            spans.append((start, index))
            start = index
        index += 1
    if start < count:
        spans.append((start, count))
    return spans


def _starts_statement(tokens: list[Token], index: int) -> bool:
    token = tokens[index]
    previous = tokens[index - 1]
    if token.line == previous.line or previous.value in CONTINUATION:
        return False
    if token.kind is Kind.IDENT and token.value in _DECLARATION_STARTS:
        return True
    # "router.get(" on a fresh line after a complete expression
    return token.kind is Kind.IDENT and (
        previous.kind is not Kind.PUNCT or previous.value in (")", "]", "}"))


def _block_ends_statement(tokens: list[Token], start: int, close: int) -> bool:
    """A function or class body closing at top level ends its declaration statement."""
    if close + 1 >= len(tokens) or not tokens[close].is_punct("}"):
        return False
    if tokens[close + 1].line == tokens[close].line:
        return False
    words = [t.value for t in tokens[start:start + 4] if t.kind is Kind.IDENT]
    return bool({"function", "class"} & set(words))


def skip_decorators(tokens: list[Token], index: int, end: int) -> int:
    """Past any ``@name``, ``@a.b(...)`` decorators starting at ``index``."""
    while index < end and tokens[index].is_punct("@"):
        index += 1
        while index < end and (tokens[index].kind is Kind.IDENT or tokens[index].is_punct(".")):
            index += 1
        if index < end and tokens[index].is_punct("("):
            index = matching_close(tokens, index) + 1
    return index


def _statement(module: Module, start: int, end: int) -> None:
    tokens = module.tokens
    start = skip_decorators(tokens, start, end)
    if start >= end:
        return
    first = tokens[start]
    if first.is_ident("import") and start + 1 < end and not tokens[start + 1].is_punct("("):
        _import_statement(module, start, end)
        return
    if first.is_ident("export"):
        if _export_statement(module, start, end):
            return
        start += 1
        if start < end and tokens[start].is_ident("default"):
            declared = _declared_names(tokens, start + 1, end)
            local = declared[0] if declared else "default"
            module.exports["default"] = local
            module.decls.setdefault(local, []).append((start + 1, end))
            return
        names = _declared_names(tokens, start, end)
        for name in names:
            module.exports[name] = name
            module.decls.setdefault(name, []).append((start, end))
        return
    if first.is_ident() and first.value in ("type", "interface", "declare"):
        return
    names = _declared_names(tokens, start, end)
    _require_bindings(module, start, end)
    if names:
        for name in names:
            module.decls.setdefault(name, []).append((start, end))
        return
    if _is_commonjs_export(tokens, start, end):
        module.commonjs = True
    module.init_spans.append((start, end))


def _declared_names(tokens: list[Token], start: int, end: int) -> list[str]:
    """The names a declaration statement binds; [] when it is not a declaration."""
    index = start
    while index < end and tokens[index].is_ident() and \
            tokens[index].value in ("async", "abstract", "declare"):
        index += 1
    if index >= end or not tokens[index].is_ident():
        return []
    keyword = tokens[index].value
    if keyword in ("function", "class"):
        index += 1
        if index < end and tokens[index].is_punct("*"):
            index += 1
        if index < end and tokens[index].is_ident() and \
                tokens[index].value not in ("extends", "implements"):
            return [tokens[index].value]
        return []
    if keyword not in ("const", "let", "var"):
        return []
    index += 1
    if index >= end:
        return []
    target = tokens[index]
    if target.kind is Kind.IDENT:
        return [target.value]
    if target.is_punct("{") or target.is_punct("["):
        return _pattern_names(tokens, index, min(matching_close(tokens, index), end))
    return []


def _pattern_names(tokens: list[Token], start: int, close: int) -> list[str]:
    names = []
    for index in range(start + 1, close):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 <= close else None
        if token.kind is Kind.IDENT and following is not None and \
                following.value in (",", "}", "]", "=") and not tokens[index - 1].is_punct("="):
            names.append(token.value)
    return names


def _import_statement(module: Module, start: int, end: int) -> None:
    tokens = module.tokens
    index = start + 1
    if tokens[index].is_ident("type") and index + 1 < end and \
            not tokens[index + 1].is_punct(","):
        return  # import type { X } from "..." has no run-time meaning
    spec_index = _find_string_after_from(tokens, start, end)
    if spec_index is None:
        return
    specifier = tokens[spec_index].value
    line = tokens[spec_index].line
    module.specifiers.append((specifier, line))
    while index < spec_index:
        token = tokens[index]
        if token.is_punct("*") and index + 2 < spec_index and tokens[index + 1].is_ident("as"):
            module.imports[tokens[index + 2].value] = ImportBinding(specifier, "*", line)
            index += 3
            continue
        if token.is_punct("{"):
            close = matching_close(tokens, index)
            _named_imports(module, tokens, index, close, specifier, line)
            index = close + 1
            continue
        if token.kind is Kind.IDENT and token.value != "from":
            module.imports[token.value] = ImportBinding(specifier, "default", line)
        index += 1


def _named_imports(module: Module, tokens: list[Token], open_index: int, close: int,
                   specifier: str, line: int) -> None:
    for imported, local in _specifier_list(tokens, open_index, close):
        module.imports[local] = ImportBinding(specifier, imported, line)


def _specifier_list(tokens: list[Token], open_index: int, close: int) -> list[tuple[str, str]]:
    """``{ a, b as c, type D, "e" as f }`` -> [(a, a), (b, c), (e, f)]."""
    pairs = []
    index = open_index + 1
    while index < close:
        group_end = index
        while group_end < close and not tokens[group_end].is_punct(","):
            group_end += 1
        words = [t.value for t in tokens[index:group_end] if t.kind in (Kind.IDENT, Kind.STRING)]
        if words and words[0] == "type" and len(words) > 1 and words[1] != "as":
            words = []  # a type-only specifier
        if len(words) == 3 and words[1] == "as":
            pairs.append((words[0], words[2]))
        elif len(words) == 1:
            pairs.append((words[0], words[0]))
        index = group_end + 1
    return pairs


def _find_string_after_from(tokens: list[Token], start: int, end: int) -> int | None:
    for index in range(start + 1, end):
        if tokens[index].kind is Kind.STRING and (
                tokens[index - 1].is_ident("from") or tokens[index - 1].is_ident("import")):
            return index
    return None


def _export_statement(module: Module, start: int, end: int) -> bool:
    """``export {…}``, ``export {…} from``, ``export * from``; False for other exports."""
    tokens = module.tokens
    index = start + 1
    if index < end and tokens[index].is_ident("type") and index + 1 < end and \
            tokens[index + 1].value in ("{", "*"):
        return True
    if index >= end:
        return True
    spec_index = _find_string_after_from(tokens, start, end)
    specifier = tokens[spec_index].value if spec_index is not None else None
    if specifier is not None and spec_index is not None:
        module.specifiers.append((specifier, tokens[spec_index].line))
    if tokens[index].is_punct("*"):
        if specifier is None:
            return True
        if index + 2 < end and tokens[index + 1].is_ident("as"):
            module.reexports[tokens[index + 2].value] = (specifier, WHOLE_MODULE)
        else:
            module.star_exports.append(specifier)
        return True
    if not tokens[index].is_punct("{"):
        return False
    close = matching_close(tokens, index)
    for local, exported in _specifier_list(tokens, index, close):
        if specifier is None:
            module.exports[exported] = local
        else:
            module.reexports[exported] = (specifier, local)
    return True


def _require_bindings(module: Module, start: int, end: int) -> None:
    """``const x = require("…")`` and ``const { a, b: c } = require("…")`` at top level."""
    tokens = module.tokens
    for index in range(start, min(end, start + 40)):
        if tokens[index].is_ident("require") and index + 2 < end and \
                tokens[index + 1].is_punct("(") and tokens[index + 2].kind is Kind.STRING:
            break
    else:
        return
    specifier = tokens[index + 2].value
    line = tokens[index + 2].line
    declared = start + 1 if tokens[start].value in ("const", "let", "var") else None
    if declared is None or declared >= end:
        return
    target = tokens[declared]
    if target.kind is Kind.IDENT:
        module.imports[target.value] = ImportBinding(specifier, WHOLE_MODULE, line)
    elif target.is_punct("{"):
        close = matching_close(tokens, declared)
        for local, imported in _object_pattern(tokens, declared, close):
            module.imports[local] = ImportBinding(specifier, imported, line)


def _object_pattern(tokens: list[Token], open_index: int, close: int) -> list[tuple[str, str]]:
    pairs = []
    index = open_index + 1
    while index < close:
        token = tokens[index]
        if token.kind is Kind.IDENT:
            if tokens[index + 1].is_punct(":") and tokens[index + 2].kind is Kind.IDENT:
                pairs.append((tokens[index + 2].value, token.value))
                index += 3
                continue
            pairs.append((token.value, token.value))
        index += 1
    return pairs


def _is_commonjs_export(tokens: list[Token], start: int, end: int) -> bool:
    first = tokens[start]
    if first.is_ident("exports"):
        return True
    return first.is_ident("module") and start + 2 < end and tokens[start + 2].is_ident("exports")


def dynamic_specifiers(tokens: list[Token], start: int, end: int) -> list[tuple[str, int]]:
    """``require("…")`` and ``import("…")`` calls inside a span, with their lines."""
    found = []
    for index in _dynamic_imports(tokens, start, end):
        argument = tokens[index + 2]
        if argument.kind is Kind.STRING or \
                (argument.kind is Kind.TEMPLATE and not argument.substitutions):
            found.append((argument.value, argument.line))
    return found


def computed_imports(tokens: list[Token], start: int, end: int) -> list[int]:
    """Lines of ``import(`./${name}`)`` / ``require(path)``: modules chosen at run time."""
    found = []
    for index in _dynamic_imports(tokens, start, end):
        argument = tokens[index + 2]
        if not (argument.kind is Kind.STRING or
                (argument.kind is Kind.TEMPLATE and not argument.substitutions)):
            found.append(argument.line)
    return found


def _dynamic_imports(tokens: list[Token], start: int, end: int) -> Iterator[int]:
    for index in range(start, min(end, len(tokens)) - 2):
        token = tokens[index]
        if token.kind is Kind.IDENT and token.value in ("require", "import") and \
                tokens[index + 1].is_punct("(") and not tokens[index + 2].is_punct(")") and \
                (index == 0 or tokens[index - 1].value not in (".", "?.")):
            yield index
