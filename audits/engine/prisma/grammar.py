"""The recursive descent over one file's tokens: Prisma's grammar, declaration by declaration.

Prisma's schema language (PSL) is line-oriented: top-level blocks (``datasource``,
``generator``, ``model``, ``view``, ``enum``, ``type``) hold one declaration per line; attribute
arguments may span lines inside brackets (Prisma itself wants them on one line; accepting more
costs nothing). ``parser`` wraps this with the public functions and the cross-file checks.
"""

from __future__ import annotations

from audits.engine.errors import SchemaError
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
    StringValue,
    Value,
    token_position,
)
from audits.engine.prisma.lexer import (
    ATTRIBUTE,
    DOC,
    EOF,
    IDENT,
    NEWLINE,
    NUMBER,
    STRING,
    Tokens,
)
from audits.engine.prisma.replay import FieldBuilder, field_builder

CONFIG_KEYWORDS = ("datasource", "generator")
TOP_LEVEL_KEYWORDS = ("model", "view", "enum", "type", "datasource", "generator")
_TOP_LEVEL = frozenset(TOP_LEVEL_KEYWORDS)
_TOP_LEVEL_EXPECTED = "one of " + ", ".join(TOP_LEVEL_KEYWORDS)
# A line after a field's name that has parsed this many times gets a compiled builder.
REPLAY_AFTER = 3
# Deeper nesting than this is no schema anyone writes; refusing it keeps recursion bounded.
MAX_NESTING = 64

Declaration = Model | EnumDecl | ConfigBlock


def _doc_text(doc_comment: str) -> str:
    """``///   text  `` -> ``text  ``: Prisma trims a doc line's start, not its end."""
    return doc_comment[3:].lstrip()


def parse_declarations(tokens: Tokens) -> list[Declaration]:
    """The declarations of one file, in source order."""
    return _Parser(tokens).parse()


class _Parser:
    """One file's tokens -> its declarations. ``pos`` indexes the current token."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.kinds = tokens.kinds
        self.texts = tokens.texts
        self.file = tokens.file
        self.pos = 0
        self.depth = 0
        # (type name, kind of the token after it) -> a shared FieldType, for plain and
        # optional types; any other following token means "not optional".
        self.field_types: dict[tuple[str, str], FieldType] = {}
        # a field's line after its name -> how often it has parsed, and its builder once compiled
        self.lines_seen: dict[tuple[str, ...], int] = {}
        self.builders: dict[tuple[str, ...], FieldBuilder] = {}

    # --- helpers ---------------------------------------------------------------------------

    def at(self, index: int) -> Position:
        """The position of token ``index`` (resolved to a line and column only when read)."""
        return token_position((self.tokens, index))

    def newline(self, index: int) -> None:
        """Move past the line break at ``index``."""
        self.pos = index + 1

    def describe(self, index: int) -> str:
        kind = self.kinds[index]
        if kind in (EOF, NEWLINE, STRING, DOC):
            return kind
        return repr(self.texts[index])

    def error(self, index: int, expected: str, message: str | None = None) -> SchemaError:
        line, column = self.tokens.line_column(index)
        return SchemaError(message or f"unexpected {self.describe(index)}",
                           self.file, line, column, expected=expected)

    def expect(self, kind: str, expected: str) -> int:
        """The index of the current token, which must be of ``kind``; moves past it."""
        index = self.pos
        if self.kinds[index] != kind:
            raise self.error(index, expected)
        self.pos = index + 1
        return index

    def skip_newlines(self) -> None:
        """Inside brackets, line breaks and doc comments are just whitespace."""
        kinds = self.kinds
        while True:
            kind = kinds[self.pos]
            if kind is NEWLINE:
                self.newline(self.pos)
            elif kind is DOC:
                self.pos += 1
            else:
                return

    def end_of_line(self, expected: str) -> None:
        """A declaration ends at a line break, a closing '}' or the end of the file."""
        kind = self.kinds[self.pos]
        if kind is NEWLINE:
            self.newline(self.pos)
        elif kind != "}" and kind is not EOF:
            raise self.error(self.pos, expected)

    def collect_docs(self, docs: list[str]) -> int:
        """Skip blank and comment lines, gathering ``///`` lines into ``docs``; the index of the
        first other token.

        Prisma's rule: consecutive ``///`` lines (``//`` lines between them allowed) form one
        block, and the last block before a declaration documents it, even across blank lines
        and block attributes. So a block that starts after a blank line, or ``docs`` carried
        over from before a block attribute, gives way to the new block.
        """
        kinds = self.kinds
        texts = self.texts
        new_block = True
        previous_was_doc = False
        while True:
            pos = self.pos
            kind = kinds[pos]
            if kind is NEWLINE:
                if not previous_was_doc and texts[pos][0] in "\r\n":  # a blank line
                    new_block = True
                previous_was_doc = False
                self.newline(pos)
            elif kind is DOC:
                if new_block:
                    docs.clear()
                    new_block = False
                docs.append(_doc_text(texts[pos]))
                previous_was_doc = True
                self.pos = pos + 1
            else:
                return pos

    def trailing_doc(self, docs: list[str]) -> None:
        """A ``///`` comment at the end of a declaration's line documents that declaration."""
        if self.kinds[self.pos] is DOC:
            docs.append(_doc_text(self.texts[self.pos]))
            self.pos += 1

    # --- top level -------------------------------------------------------------------------

    def parse(self) -> list[Declaration]:
        declarations: list[Declaration] = []
        docs: list[str] = []
        while True:
            index = self.collect_docs(docs)
            kind = self.kinds[index]
            if kind is EOF:
                return declarations
            if kind is not IDENT or self.texts[index] not in TOP_LEVEL_KEYWORDS:
                message = None
                if kind is IDENT:
                    message = f"unknown block type {self.texts[index]!r}"
                raise self.error(index, _TOP_LEVEL_EXPECTED, message)
            documentation = "\n".join(docs) if docs else None
            docs = []
            declarations.append(self.block(index, documentation))

    def block(self, keyword: int, documentation: str | None) -> Declaration:
        position = self.at(keyword)
        self.pos += 1
        kind = self.texts[keyword]
        name = self.expect(IDENT, f"a name for the {kind}")
        self.expect("{", "'{'")
        if kind in CONFIG_KEYWORDS:
            return self.config_block(keyword, name, position)
        if kind == "enum":
            return self.enum_block(keyword, name, position, documentation)
        return self.model_block(keyword, name, position, documentation)

    def closing(self, keyword: int, name: int) -> bool:
        """True past the '}' that closes the block; False when the block goes on.

        The end of the file, or a new top-level block starting inside this one, means the
        block was never closed: report it where it opened.
        """
        index = self.pos
        kind = self.kinds[index]
        if kind == "}":
            self.pos += 1
            self.end_of_line("a line break after '}'")
            return True
        if kind is EOF or self.starts_block(index):
            raise self.not_closed(keyword, name, index)
        return False

    def not_closed(self, keyword: int, name: int, index: int) -> SchemaError:
        line, column = self.tokens.line_column(keyword)
        where = self.tokens.line_column(index)[0]
        return SchemaError(
            f"{self.texts[keyword]} {self.texts[name]!r} is not closed",
            self.file, line, column,
            expected=f"'}}' before the {self.describe(index)} at line {where}",
        )

    def starts_block(self, index: int) -> bool:
        """``model X {`` at the start of a line can only be a block, never a field."""
        kinds = self.kinds
        return (
            kinds[index] is IDENT
            and self.texts[index] in TOP_LEVEL_KEYWORDS
            and kinds[index + 1] is IDENT
            and kinds[index + 2] == "{"
        )

    # --- datasource and generator ----------------------------------------------------------

    def config_block(self, keyword: int, name: int, position: Position) -> ConfigBlock:
        properties: list[tuple[str, Value]] = []
        kind = self.texts[keyword]
        while True:
            self.collect_docs([])
            if self.closing(keyword, name):
                break
            key = self.expect(IDENT, f"a property name or '}}' to close the {kind}")
            self.expect("=", "'='")
            if self.kinds[self.pos] is NEWLINE or self.kinds[self.pos] == "}":
                # Prisma names the block, not the line, for a property without a value
                raise self.error(keyword, "a value after '='", f"Property {self.texts[key]} in "
                                 f"{kind} {self.texts[name]} needs to be assigned a value")
            properties.append((self.texts[key], self.value()))
            self.end_of_line("a line break after the property")
        return ConfigBlock(
            kind=kind,
            name=self.texts[name],
            properties=tuple(properties),
            position=position,
        )

    # --- models, views and composite types -------------------------------------------------

    def model_block(
        self, keyword: int, name: int, position: Position, documentation: str | None
    ) -> Model:
        fields: list[Field] = []
        attributes: list[Attribute] = []
        field_names: set[str] = set()
        kinds = self.kinds
        kind = self.texts[keyword]
        docs: list[str] = []  # as Prisma does, docs above a block attribute go to the next field
        while True:
            index = self.pos
            if kinds[index] is not IDENT:  # a field's line right after a field's needs no look
                index = self.collect_docs(docs)
            token_kind = kinds[index]
            if token_kind is IDENT:
                if self.texts[index] in _TOP_LEVEL and self.starts_block(index):
                    raise self.not_closed(keyword, name, index)
                field = self.field(docs)
                if docs:
                    docs = []
                if field.name in field_names:
                    raise self.error(
                        index, "a field name used once",
                        f"field {field.name!r} is already defined in {kind} {self.texts[name]!r}",
                    )
                field_names.add(field.name)
                fields.append(field)
            elif token_kind is ATTRIBUTE and self.texts[index][1] == "@":
                attributes.append(self.attribute(block=True))
                self.trailing_doc([])
                self.end_of_line("a line break after the block attribute")
            elif self.closing(keyword, name):
                break
            else:
                expected = f"a field name, a block attribute or '}}' to close the {kind}"
                raise self.error(index, expected)
        return Model(
            name=self.texts[name],
            fields=tuple(fields),
            attributes=tuple(attributes),
            documentation=documentation,
            position=position,
            kind=kind,
        )

    def field(self, docs: list[str]) -> Field:
        """``name Type? @attribute(...) ... /// doc`` up to the end of its line.

        The hot path of the parser (one call per field), hence the locals and the fast paths;
        a line after its name that has parsed often enough is rebuilt by its compiled builder
        (``replay``) instead.
        """
        kinds = self.kinds
        texts = self.texts
        name = self.pos
        try:
            line_end = kinds.index(NEWLINE, name)
        except ValueError:  # the last line, without a line break
            line_end = -1
        line = tuple(texts[name + 1:line_end]) if line_end > 0 else None
        if line is not None:
            builder = self.builders.get(line)
            if builder is not None:
                self.pos = line_end + 1
                return builder(self.tokens, name, texts[name],
                               "\n".join(docs) if docs else None, line)
        position = token_position((self.tokens, name))
        index = name + 1
        field_type = None
        if kinds[index] is IDENT:  # so index + 1 is a token too (at least the EOF)
            following = kinds[index + 1]
            field_type = self.field_types.get((texts[index], following))
        if field_type is not None:
            self.pos = index + 1 + (following == "?")
        else:
            self.pos = index
            field_type = self.field_type()
        attributes: list[Attribute] = []
        while kinds[self.pos] is ATTRIBUTE and texts[self.pos][1] != "@":
            attributes.append(self.attribute(False))
        end = self.pos
        if kinds[end] is NEWLINE:
            self.pos = end + 1
        else:
            self.trailing_doc(docs)
            self.end_of_line("a field attribute or a line break")
        field = Field(
            texts[name], field_type, tuple(attributes), "\n".join(docs) if docs else None,
            position, line if end == line_end else tuple(texts[name + 1:end]),
        )
        if end == line_end and line is not None:
            self.replay(field, name, line)
        return field

    def replay(self, field: Field, name: int, line: tuple[str, ...]) -> None:
        """Count the line; compile its builder once it has parsed ``REPLAY_AFTER`` times
        (compiling costs as much as parsing a few dozen fields)."""
        seen = self.lines_seen.get(line, 0) + 1
        self.lines_seen[line] = seen
        if seen == REPLAY_AFTER:
            builder = field_builder(field, name)
            if builder is not None:
                self.builders[line] = builder

    def field_type(self) -> FieldType:
        kinds = self.kinds
        index = self.pos
        if kinds[index] is not IDENT:
            raise self.error(index, "a field type")
        name = self.texts[index]
        self.pos = index + 1
        unsupported: str | None = None
        if name == "Unsupported" and kinds[self.pos] == "(":
            self.pos += 1
            unsupported = self.tokens.string_value(
                self.expect(STRING, 'a string: Unsupported("type")')
            )
            self.expect(")", "')'")
        following = kinds[self.pos]
        if unsupported is None and following != "[" and name != "Unsupported":
            # plain and optional types are shared; field() finds them here next time
            key = (name, following)
            field_type = self.field_types.get(key)
            if field_type is None:
                field_type = FieldType(name, optional=following == "?")
                self.field_types[key] = field_type
            self.pos += following == "?"
            return field_type
        if following == "?":
            self.pos += 1
            return FieldType(name, optional=True, unsupported=unsupported)
        if following == "[":
            self.pos += 1
            self.expect("]", "']' after '[' in a list type")
            if kinds[self.pos] == "?":
                raise self.error(self.pos, "a field attribute or a line break",
                                 "a list field cannot be optional")
            return FieldType(name, list=True, unsupported=unsupported)
        return FieldType(name, unsupported=unsupported)

    # --- enums -----------------------------------------------------------------------------

    def enum_block(
        self, keyword: int, name: int, position: Position, documentation: str | None
    ) -> EnumDecl:
        values: list[EnumValue] = []
        attributes: list[Attribute] = []
        seen: set[str] = set()
        kinds = self.kinds
        docs: list[str] = []  # as Prisma does, docs above a block attribute go to the next value
        while True:
            index = self.collect_docs(docs)
            token_kind = kinds[index]
            if token_kind is IDENT and not self.starts_block(index):
                values.append(self.enum_value(docs, seen, name))
                docs = []
            elif token_kind is ATTRIBUTE and self.texts[index][1] == "@":
                attributes.append(self.attribute(block=True))
                self.trailing_doc([])
                self.end_of_line("a line break after the block attribute")
            elif self.closing(keyword, name):
                break
            else:
                raise self.error(index, "an enum value, a block attribute or '}' to close the enum")
        return EnumDecl(
            name=self.texts[name],
            values=tuple(values),
            attributes=tuple(attributes),
            documentation=documentation,
            position=position,
        )

    def enum_value(self, docs: list[str], seen: set[str], enum_name: int) -> EnumValue:
        index = self.pos
        value_name = self.texts[index]
        if value_name in seen:
            raise self.error(
                index, "a value name used once",
                f"value {value_name!r} is already defined in enum {self.texts[enum_name]!r}",
            )
        seen.add(value_name)
        position = self.at(index)
        self.pos += 1
        attributes: list[Attribute] = []
        while self.kinds[self.pos] is ATTRIBUTE and self.texts[self.pos][1] != "@":
            attributes.append(self.attribute(False))
        self.trailing_doc(docs)
        self.end_of_line("an attribute or a line break after the enum value")
        return EnumValue(
            name=value_name,
            attributes=tuple(attributes),
            documentation="\n".join(docs) if docs else None,
            position=position,
        )

    # --- attributes and values -------------------------------------------------------------

    def attribute(self, block: bool) -> Attribute:
        """``@id``, ``@db.VarChar(255)``, ``@@index([a, b], type: Gin)``: one token, then
        its arguments."""
        index = self.pos
        text = self.texts[index]
        position = token_position((self.tokens, index))
        self.pos = index + 1
        arguments: tuple[Argument, ...] = ()
        kinds = self.kinds
        if kinds[index + 1] == "(":
            only = kinds[index + 2]
            if (only is STRING or only is NUMBER) and kinds[index + 3] == ")":
                # the common @map("x") / @db.VarChar(255), without the general machinery
                self.pos = index + 2
                value = self.value()
                arguments = (Argument(None, value, value.position),)
                self.pos = index + 4
            else:
                arguments = self.arguments()
        return Attribute(text[2 if block else 1:], arguments, position, block)

    def arguments(self) -> tuple[Argument, ...]:
        """``( [name:] value, ... )`` at its '('; line breaks inside are whitespace."""
        kinds = self.kinds
        opening = self.pos
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.too_deep(opening)
        self.pos += 1
        arguments: list[Argument] = []
        while True:
            index = self.pos
            kind = kinds[index]
            if kind is NEWLINE or kind is DOC:
                self.skip_newlines()
                index = self.pos
                kind = kinds[index]
            if kind == ")":
                self.pos = index + 1
                break
            if kind is EOF or kind == "}":
                raise self.unclosed(opening, index)
            if kind is IDENT and kinds[index + 1] == ":":
                position = self.at(index)
                self.pos = index + 2
                self.skip_newlines()
                arguments.append(Argument(self.texts[index], self.value(), position))
            else:
                value = self.value()
                arguments.append(Argument(None, value, value.position))
            self.after_list_item(opening, ")")
        self.depth -= 1
        return tuple(arguments)

    def after_list_item(self, opening: int, closer: str) -> None:
        """After an argument or array item: line breaks, then ',' or stop before the closer."""
        kinds = self.kinds
        separator = kinds[self.pos]
        if separator is NEWLINE or separator is DOC:
            self.skip_newlines()
            separator = kinds[self.pos]
        if separator == ",":
            self.pos += 1
        elif separator is EOF or separator == "}":
            raise self.unclosed(opening, self.pos)
        elif separator != closer:
            raise self.error(self.pos, f"',' or '{closer}'")

    def unclosed(self, opening: int, index: int) -> SchemaError:
        """A '(' or '[' that reaches the end of its block or file: say where it opened."""
        bracket = self.texts[opening]
        closing = ")" if bracket == "(" else "]"
        line, column = self.tokens.line_column(opening)
        before = f"the {self.describe(index)} at line {self.tokens.line_column(index)[0]}"
        return SchemaError(f"'{bracket}' is not closed", self.file, line, column,
                           expected=f"'{closing}' before {before}")

    def too_deep(self, index: int) -> None:
        raise self.error(index, f"at most {MAX_NESTING} nested brackets", "nesting too deep")

    def value(self) -> Value:
        index = self.pos
        kind = self.kinds[index]
        if kind is STRING:
            self.pos = index + 1
            text = self.texts[index]
            unescaped = self.tokens.string_value(index) if "\\" in text else text[1:-1]
            return StringValue(unescaped, self.at(index))
        if kind is IDENT:
            return self.named_value()
        if kind is NUMBER:
            self.pos = index + 1
            return NumberValue(self.texts[index], self.at(index))
        if kind == "[":
            return self.array()
        raise self.error(index, "a value")

    def named_value(self) -> Value:
        """``USER``, ``true``, ``now()``, ``title(sort: Desc)``, ``db.Foo``."""
        kinds = self.kinds
        index = self.pos
        position = self.at(index)
        text = self.texts[index]
        self.pos = index + 1
        while kinds[self.pos] == ".":
            text += "." + self.texts[self.dotted_part()]
        if kinds[self.pos] == "(":
            return FunctionValue(text, self.arguments(), position)
        if text == "true" or text == "false":
            return BooleanValue(text == "true", position)
        return ConstantValue(text, position)

    def dotted_part(self) -> int:
        self.pos += 1
        return self.expect(IDENT, "a name after '.'")

    def array(self) -> ArrayValue:
        kinds = self.kinds
        start = self.pos
        position = self.at(start)
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.too_deep(start)
        self.pos += 1
        items: list[Value] = []
        while True:
            if kinds[self.pos] is NEWLINE or kinds[self.pos] is DOC:
                self.skip_newlines()
            if kinds[self.pos] == "]":
                self.pos += 1
                break
            if kinds[self.pos] is EOF or kinds[self.pos] == "}":
                raise self.unclosed(start, self.pos)
            items.append(self.value())
            self.after_list_item(start, "]")
        self.depth -= 1
        return ArrayValue(tuple(items), position)
