"""schema.prisma text -> ``PrismaSchema``: a recursive-descent parser over ``lexer`` tokens.

The grammar is Prisma's own (PSL): top-level blocks (``datasource``, ``generator``, ``model``,
``view``, ``enum``, ``type``), one declaration per line inside them, attributes with named or
positional arguments that may span lines inside brackets. Every malformed input raises
``SchemaError`` with file, line and column; nothing else escapes ``parse_schema``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from audits.engine.errors import SchemaError
from audits.engine.prisma import lexer
from audits.engine.prisma.ast import (
    Argument,
    ArrayValue,
    Attribute,
    BooleanValue,
    ConfigBlock,
    ConstantValue,
    EnumDecl,
    EnumValue,
    Field,
    FieldType,
    FunctionValue,
    Model,
    NumberValue,
    Position,
    PrismaSchema,
    StringValue,
    Value,
)
from audits.engine.prisma.lexer import DOC, EOF, IDENT, NEWLINE, NUMBER, STRING, Token

__all__ = ["parse_files", "parse_schema", "load_schema"]

MODEL_KEYWORDS = ("model", "view", "type")
CONFIG_KEYWORDS = ("datasource", "generator")
TOP_LEVEL_KEYWORDS = ("model", "view", "enum", "type", "datasource", "generator")
_TOP_LEVEL_EXPECTED = "one of " + ", ".join(TOP_LEVEL_KEYWORDS)
# Deeper nesting than this is no schema anyone writes; refusing it keeps recursion bounded.
MAX_NESTING = 64

_Declaration = Model | EnumDecl | ConfigBlock


def parse_schema(text: str, file: str = "schema.prisma") -> PrismaSchema:
    """Parse one schema file."""
    return parse_files({file: text})


def parse_files(files: dict[str, str]) -> PrismaSchema:
    """Parse a multi-file schema given as ``{file name: text}``, in the dict's order.

    Declarations of all files are merged into one schema; positions keep their file's name.
    """
    declarations: list[_Declaration] = []
    for file, text in files.items():
        declarations.extend(_parse_file(text, file))
    return _assemble(declarations, tuple(files))


def load_schema(path: str | Path) -> PrismaSchema:
    """Parse a ``schema.prisma`` file, or every ``*.prisma`` file below a folder (sorted by path).

    A single file keeps the path as given as its name; a folder's files are named by their
    path relative to the folder, as Prisma's multi-file schemas are.
    """
    root = Path(path)
    if root.is_dir():
        paths = sorted(p for p in root.rglob("*.prisma") if p.is_file())
        if not paths:
            raise SchemaError(f"no .prisma file below {root}", str(root))
        names = [p.relative_to(root).as_posix() for p in paths]
    elif root.is_file():
        paths, names = [root], [str(path)]
    else:
        raise SchemaError(f"{root} does not exist", str(root))
    return parse_files({name: _read(p, name) for p, name in zip(paths, names, strict=True)})


def _read(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not UTF-8 text (byte {exc.start})", name) from exc
    except OSError as exc:
        raise SchemaError(f"cannot read: {exc.strerror}", name) from exc


def _parse_file(text: str, file: str) -> list[_Declaration]:
    try:
        return _Parser(lexer.tokenize(text, file), file).parse()
    except RecursionError as exc:  # a safety net; MAX_NESTING should make it unreachable
        raise SchemaError("nesting too deep", file) from exc


def _assemble(declarations: Iterable[_Declaration], files: tuple[str, ...]) -> PrismaSchema:
    models: list[Model] = []
    enums: list[EnumDecl] = []
    datasources: list[ConfigBlock] = []
    generators: list[ConfigBlock] = []
    seen: dict[str, Model | EnumDecl] = {}
    for declaration in declarations:
        if isinstance(declaration, ConfigBlock):
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
    text = f"a {_kind(declaration)}"
    if declaration.position:
        p = declaration.position
        text += f" at {p.file}:{p.line}:{p.column}"
    return text


def _describe_token(token: Token) -> str:
    if token.kind == EOF:
        return "end of file"
    if token.kind == NEWLINE:
        return "end of line"
    if token.kind == STRING:
        return "string"
    if token.kind == DOC:
        return "doc comment"
    return repr(token.text)


class _Parser:
    """One file's tokens -> its declarations. ``pos`` indexes the current token."""

    def __init__(self, tokens: list[Token], file: str) -> None:
        self.tokens = tokens
        self.file = file
        self.pos = 0
        self.depth = 0

    # --- helpers ---------------------------------------------------------------------------

    def position(self, token: Token) -> Position:
        return Position(self.file, token.line, token.column)

    def error(self, token: Token, expected: str, message: str | None = None) -> SchemaError:
        return SchemaError(
            message or f"unexpected {_describe_token(token)}",
            self.file, token.line, token.column, expected=expected,
        )

    def expect(self, kind: str, expected: str) -> Token:
        token = self.tokens[self.pos]
        if token.kind != kind:
            raise self.error(token, expected)
        self.pos += 1
        return token

    def skip_newlines(self) -> None:
        """Inside brackets, line breaks and doc comments are just whitespace."""
        tokens = self.tokens
        while tokens[self.pos].kind in (NEWLINE, DOC):
            self.pos += 1

    def end_of_line(self, expected: str) -> None:
        """A declaration ends at a line break, a closing '}' or the end of the file."""
        token = self.tokens[self.pos]
        if token.kind == NEWLINE:
            self.pos += 1
        elif token.kind not in ("}", EOF):
            raise self.error(token, expected)

    def collect_docs(self, docs: list[str]) -> Token:
        """Skip blank lines, gathering ``///`` lines; return the first other token."""
        tokens = self.tokens
        while True:
            token = tokens[self.pos]
            if token.kind == NEWLINE:
                self.pos += 1
            elif token.kind == DOC:
                docs.append(token.text)
                self.pos += 1
            else:
                return token

    def trailing_doc(self, docs: list[str]) -> None:
        """A ``///`` comment at the end of a declaration's line documents that declaration."""
        token = self.tokens[self.pos]
        if token.kind == DOC:
            docs.append(token.text)
            self.pos += 1

    # --- top level -------------------------------------------------------------------------

    def parse(self) -> list[_Declaration]:
        declarations: list[_Declaration] = []
        docs: list[str] = []
        while True:
            token = self.collect_docs(docs)
            if token.kind == EOF:
                return declarations
            if token.kind != IDENT or token.text not in TOP_LEVEL_KEYWORDS:
                if token.kind == IDENT:
                    message = f"unknown block type {token.text!r}"
                    raise self.error(token, _TOP_LEVEL_EXPECTED, message)
                raise self.error(token, _TOP_LEVEL_EXPECTED)
            documentation = "\n".join(docs) if docs else None
            docs = []
            declarations.append(self.block(token, documentation))

    def block(self, keyword: Token, documentation: str | None) -> _Declaration:
        self.pos += 1
        name = self.expect(IDENT, f"a name for the {keyword.text}")
        self.expect("{", "'{'")
        if keyword.text in CONFIG_KEYWORDS:
            return self.config_block(keyword, name)
        if keyword.text == "enum":
            return self.enum_block(keyword, name, documentation)
        return self.model_block(keyword, name, documentation)

    def closing(self, keyword: Token, name: Token) -> Token | None:
        """The '}' that closes the block (consumed), or None when the block goes on.

        The end of the file, or a new top-level block starting inside this one, means the
        block was never closed: report it where it opened.
        """
        token = self.tokens[self.pos]
        if token.kind == "}":
            self.pos += 1
            self.end_of_line("a line break after '}'")
            return token
        if token.kind == EOF or self.starts_block(token):
            raise SchemaError(
                f"{keyword.text} '{name.text}' is not closed",
                self.file, keyword.line, keyword.column,
                expected=f"'}}' before {_describe_token(token)} at line {token.line}",
            )
        return None

    def starts_block(self, token: Token) -> bool:
        """``model X {`` at the start of a line can only be a block, never a field."""
        if token.kind != IDENT or token.text not in TOP_LEVEL_KEYWORDS:
            return False
        tokens = self.tokens
        return tokens[self.pos + 1].kind == IDENT and tokens[self.pos + 2].kind == "{"

    # --- datasource and generator ----------------------------------------------------------

    def config_block(self, keyword: Token, name: Token) -> ConfigBlock:
        properties: list[tuple[str, Value]] = []
        while True:
            self.collect_docs([])
            if self.closing(keyword, name):
                break
            key = self.expect(IDENT, f"a property name or '}}' to close the {keyword.text}")
            self.expect("=", "'='")
            properties.append((key.text, self.value()))
            self.end_of_line("a line break after the property")
        return ConfigBlock(
            kind=keyword.text,
            name=name.text,
            properties=tuple(properties),
            position=self.position(keyword),
        )

    # --- models, views and composite types -------------------------------------------------

    def model_block(self, keyword: Token, name: Token, documentation: str | None) -> Model:
        fields: list[Field] = []
        attributes: list[Attribute] = []
        field_names: dict[str, Field] = {}
        while True:
            docs: list[str] = []
            token = self.collect_docs(docs)
            if self.closing(keyword, name):
                break
            if token.kind == "@@":
                attributes.append(self.attribute(block=True))
                self.trailing_doc([])
                self.end_of_line("a line break after the block attribute")
                continue
            if token.kind != IDENT:
                expected = f"a field name, a block attribute or '}}' to close the {keyword.text}"
                raise self.error(token, expected)
            field = self.field(docs)
            previous = field_names.setdefault(field.name, field)
            if previous is not field:
                raise SchemaError(
                    f"field '{field.name}' is already defined in {keyword.text} '{name.text}'",
                    self.file, token.line, token.column,
                )
            fields.append(field)
        return Model(
            name=name.text,
            fields=tuple(fields),
            attributes=tuple(attributes),
            documentation=documentation,
            position=self.position(keyword),
            kind=keyword.text,
        )

    def field(self, docs: list[str]) -> Field:
        tokens = self.tokens
        name = tokens[self.pos]
        self.pos += 1
        field_type = self.field_type()
        attributes: list[Attribute] = []
        while tokens[self.pos].kind == "@":
            attributes.append(self.attribute(block=False))
        self.trailing_doc(docs)
        self.end_of_line("a field attribute or a line break")
        return Field(
            name=name.text,
            type=field_type,
            attributes=tuple(attributes),
            documentation="\n".join(docs) if docs else None,
            position=Position(self.file, name.line, name.column),
        )

    def field_type(self) -> FieldType:
        tokens = self.tokens
        token = tokens[self.pos]
        if token.kind != IDENT:
            raise self.error(token, "a field type")
        self.pos += 1
        unsupported: str | None = None
        if token.text == "Unsupported" and tokens[self.pos].kind == "(":
            self.pos += 1
            unsupported = self.expect(STRING, 'a string: Unsupported("type")').text
            self.expect(")", "')'")
        optional = is_list = False
        following = tokens[self.pos]
        if following.kind == "?":
            optional = True
            self.pos += 1
        elif following.kind == "[":
            self.pos += 1
            self.expect("]", "']' after '[' in a list type")
            is_list = True
            if tokens[self.pos].kind == "?":
                raise self.error(tokens[self.pos], "a field attribute or a line break",
                                 "a list field cannot be optional")
        return FieldType(
            name=token.text, optional=optional, list=is_list, unsupported=unsupported
        )

    # --- enums -----------------------------------------------------------------------------

    def enum_block(self, keyword: Token, name: Token, documentation: str | None) -> EnumDecl:
        values: list[EnumValue] = []
        attributes: list[Attribute] = []
        seen: set[str] = set()
        tokens = self.tokens
        while True:
            docs: list[str] = []
            token = self.collect_docs(docs)
            if self.closing(keyword, name):
                break
            if token.kind == "@@":
                attributes.append(self.attribute(block=True))
                self.trailing_doc([])
                self.end_of_line("a line break after the block attribute")
                continue
            if token.kind != IDENT:
                raise self.error(token, "an enum value, a block attribute or '}' to close the enum")
            if token.text in seen:
                raise SchemaError(
                    f"value '{token.text}' is already defined in enum '{name.text}'",
                    self.file, token.line, token.column,
                )
            seen.add(token.text)
            self.pos += 1
            value_attributes: list[Attribute] = []
            while tokens[self.pos].kind == "@":
                value_attributes.append(self.attribute(block=False))
            self.trailing_doc(docs)
            self.end_of_line("an attribute or a line break after the enum value")
            values.append(EnumValue(
                name=token.text,
                attributes=tuple(value_attributes),
                documentation="\n".join(docs) if docs else None,
                position=self.position(token),
            ))
        return EnumDecl(
            name=name.text,
            values=tuple(values),
            attributes=tuple(attributes),
            documentation=documentation,
            position=self.position(keyword),
        )

    # --- attributes and values -------------------------------------------------------------

    def attribute(self, block: bool) -> Attribute:
        """``@name``, ``@db.VarChar(255)``, ``@@index([a, b], type: Gin)``; at its '@'/'@@'."""
        tokens = self.tokens
        at = tokens[self.pos]
        self.pos += 1
        name = self.expect(IDENT, "an attribute name")
        text = name.text
        while tokens[self.pos].kind == ".":
            self.pos += 1
            text += "." + self.expect(IDENT, "a name after '.'").text
        arguments: tuple[Argument, ...] = ()
        if tokens[self.pos].kind == "(":
            arguments = self.arguments()
        return Attribute(
            name=text,
            arguments=arguments,
            position=Position(self.file, at.line, at.column),
            block=block,
        )

    def arguments(self) -> tuple[Argument, ...]:
        """``( [name:] value, ... )`` at its '('; line breaks inside are whitespace."""
        tokens = self.tokens
        self.pos += 1
        arguments: list[Argument] = []
        self.enter(tokens[self.pos - 1])
        while True:
            self.skip_newlines()
            token = tokens[self.pos]
            if token.kind == ")":
                self.pos += 1
                break
            name: str | None = None
            if token.kind == IDENT and tokens[self.pos + 1].kind == ":":
                name = token.text
                self.pos += 2
                self.skip_newlines()
            arguments.append(Argument(name, self.value(), self.position(token)))
            self.skip_newlines()
            separator = tokens[self.pos]
            if separator.kind == ",":
                self.pos += 1
            elif separator.kind != ")":
                raise self.error(separator, "',' or ')'")
        self.depth -= 1
        return tuple(arguments)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(token, f"at most {MAX_NESTING} nested brackets", "nesting too deep")

    def value(self) -> Value:
        tokens = self.tokens
        token = tokens[self.pos]
        kind = token.kind
        if kind == STRING:
            self.pos += 1
            return StringValue(token.text, self.position(token))
        if kind == NUMBER:
            self.pos += 1
            return NumberValue(token.text, self.position(token))
        if kind == "[":
            return self.array()
        if kind != IDENT:
            raise self.error(token, "a value")
        self.pos += 1
        text = token.text
        while tokens[self.pos].kind == ".":
            self.pos += 1
            text += "." + self.expect(IDENT, "a name after '.'").text
        if tokens[self.pos].kind == "(":
            return FunctionValue(text, self.arguments(), self.position(token))
        if text == "true" or text == "false":
            return BooleanValue(text == "true", self.position(token))
        return ConstantValue(text, self.position(token))

    def array(self) -> ArrayValue:
        tokens = self.tokens
        start = tokens[self.pos]
        self.pos += 1
        self.enter(start)
        items: list[Value] = []
        while True:
            self.skip_newlines()
            if tokens[self.pos].kind == "]":
                self.pos += 1
                break
            items.append(self.value())
            self.skip_newlines()
            separator = tokens[self.pos]
            if separator.kind == ",":
                self.pos += 1
            elif separator.kind != "]":
                raise self.error(separator, "',' or ']'")
        self.depth -= 1
        return ArrayValue(tuple(items), self.position(start))
