"""Classes read as members: so that ``orderService.get()`` reaches ``get`` and not the whole
class, and ``this.orders.find()`` reaches ``find`` of the class ``orders`` is declared with."""

from __future__ import annotations

from dataclasses import dataclass, field

from audits.engine.endpoints.lexer import Kind, Token, matching_close
from audits.engine.endpoints.modules import CONTINUATION, Span, skip_decorators

_MEMBER_MODIFIERS = frozenset({
    "public", "private", "protected", "static", "readonly", "async", "abstract", "override",
    "declare", "get", "set", "accessor",
})
CLASS_FIELDS = ""  # the key of class_members' property initializers (they run on construction)


def class_body(tokens: list[Token], span: Span) -> Span | None:
    """The token span inside the braces of the class declared in ``span``, if it is one."""
    start, end = span
    index = skip_decorators(tokens, start, end)
    while index < end and tokens[index].kind is Kind.IDENT and \
            tokens[index].value in ("export", "default", "abstract", "declare"):
        index += 1
    if index >= end or not tokens[index].is_ident("class"):
        return None
    while index < end and not tokens[index].is_punct("{"):
        if tokens[index].value in ("(", "<") and tokens[index].kind is Kind.PUNCT:
            index = _skip_group(tokens, index)  # extends Mixin(...) / generics
            continue
        index += 1
    if index >= end:
        return None
    return index + 1, matching_close(tokens, index)


@dataclass
class ClassShape:
    """A class's members as spans, and the declared class of members that hold an object."""

    members: dict[str, list[Span]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # member -> type name (first word)


def class_members(tokens: list[Token], body: Span) -> ClassShape:
    """Member name -> spans: methods and properties; the constructor's body is the
    ``constructor`` member (its parameters are types), and all property initializers are also
    listed under ``CLASS_FIELDS``. ``constructor(private svc: Svc)`` declares ``svc``."""
    shape = ClassShape()
    members = shape.members
    index, end = body
    while index < end:
        start = index
        index = skip_decorators(tokens, index, end)
        while index + 1 < end and tokens[index].kind is Kind.IDENT and \
                tokens[index].value in _MEMBER_MODIFIERS and \
                tokens[index + 1].value not in ("(", "=", ":", ";", "?", "!", "<"):
            index += 1
        if index < end and tokens[index].value in ("*", "#"):
            index += 1
        if index >= end:
            break
        name_token = tokens[index]
        if name_token.is_punct("["):
            name = "[computed]"
            index = matching_close(tokens, index) + 1
        elif name_token.kind in (Kind.IDENT, Kind.STRING, Kind.NUMBER):
            name = name_token.value
            index += 1
        else:
            index += 1  # a stray ";" or something this reader does not know
            continue
        member_end = _member_end(tokens, index, end)
        if name == "constructor" and index < end and tokens[index].is_punct("("):
            parameters_end = matching_close(tokens, index)
            members.setdefault(name, []).append((parameters_end + 1, member_end))
            for parameter, type_name in _parameter_properties(tokens, index, parameters_end):
                members.setdefault(parameter, [])
                if type_name:
                    shape.types[parameter] = type_name
        else:
            members.setdefault(name, []).append((start, member_end))
        if member_end > index and not _is_method(tokens, index) and \
                not _is_arrow_property(tokens, index, member_end):
            members.setdefault(CLASS_FIELDS, []).append((start, member_end))
            type_name = _field_type(tokens, index, member_end)
            if type_name:
                shape.types[name] = type_name
        index = member_end
    return shape


def _parameter_properties(tokens: list[Token], open_index: int,
                          close: int) -> list[tuple[str, str | None]]:
    """``(private readonly prisma: PrismaClient, x: number)`` -> [(prisma, PrismaClient)]."""
    found = []
    for position in range(open_index + 1, close - 1):
        token = tokens[position]
        following = tokens[position + 1]
        if token.kind is Kind.IDENT and token.value in ("private", "public", "protected",
                                                        "readonly") and \
                following.kind is Kind.IDENT and following.value != "readonly":
            type_name = None
            if position + 3 < close and tokens[position + 2].is_punct(":") and \
                    tokens[position + 3].kind is Kind.IDENT:
                type_name = tokens[position + 3].value
            found.append((following.value, type_name))
    return found


def _field_type(tokens: list[Token], index: int, end: int) -> str | None:
    """``svc: Svc`` or ``svc = new Svc(...)`` (``index`` just after the name)."""
    if index < end and tokens[index].value in ("?", "!"):
        index += 1
    if index + 1 < end and tokens[index].is_punct(":") and tokens[index + 1].kind is Kind.IDENT:
        return tokens[index + 1].value
    if index + 2 < end and tokens[index].is_punct("=") and tokens[index + 1].is_ident("new") \
            and tokens[index + 2].kind is Kind.IDENT:
        return tokens[index + 2].value
    return None


def _is_arrow_property(tokens: list[Token], index: int, end: int) -> bool:
    """``name = async (a) => {...}``: a method in all but name, which runs only when called."""
    while index < end and not tokens[index].is_punct("="):
        if tokens[index].kind is Kind.PUNCT and tokens[index].value in ("{", "(", "[", ";"):
            return False
        index += 1
    index += 1
    if index < end and tokens[index].is_ident("async"):
        index += 1
    if index < end and tokens[index].is_punct("("):
        index = matching_close(tokens, index) + 1
    elif index < end and tokens[index].kind is Kind.IDENT:
        index += 1
    else:
        return False
    return index < end and (tokens[index].is_punct("=>") or tokens[index].is_punct(":"))


def _is_method(tokens: list[Token], index: int) -> bool:
    if tokens[index].is_punct("?"):
        index += 1
    return tokens[index].value in ("(", "<") and tokens[index].kind is Kind.PUNCT


def _member_end(tokens: list[Token], index: int, end: int) -> int:
    """The end of a member whose name ends before ``index``: a method's body or a property."""
    if _is_method(tokens, index):
        while index < end and not tokens[index].is_punct("("):
            index = _skip_group(tokens, index) if tokens[index].is_punct("<") else index + 1
        index = matching_close(tokens, index) + 1
        angle = 0
        while index < end:  # past the return type, to the body
            token = tokens[index]
            if token.kind is Kind.PUNCT and set(token.value) == {"<"}:
                angle += len(token.value)
            elif token.kind is Kind.PUNCT and set(token.value) == {">"}:
                angle -= len(token.value)
            elif token.is_punct("{") and angle <= 0:
                return matching_close(tokens, index) + 1
            elif token.value in ("{", "(", "[") and token.kind is Kind.PUNCT:
                index = matching_close(tokens, index)
            elif token.is_punct(";") and angle <= 0:
                return index + 1  # an overload or abstract signature
            index += 1
        return end
    line = tokens[index - 1].line
    while index < end:
        token = tokens[index]
        if token.is_punct(";"):
            return index + 1
        if token.kind is Kind.PUNCT and token.value in ("{", "(", "[", "${"):
            index = matching_close(tokens, index) + 1
            continue
        if token.is_punct("@"):
            return index  # the next member's decorator
        # a name on a new line after a complete initializer starts the next member
        if token.line > line and token.kind in (Kind.IDENT, Kind.STRING) and \
                tokens[index - 1].value not in CONTINUATION:
            return index
        line = token.line
        index += 1
    return end


def _skip_group(tokens: list[Token], index: int) -> int:
    """Past a ``(...)`` or a ``<...>`` type parameter list starting at ``index``."""
    if tokens[index].is_punct("("):
        return matching_close(tokens, index) + 1
    depth = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind is Kind.PUNCT and set(token.value) == {"<"}:
            depth += len(token.value)
        elif token.kind is Kind.PUNCT and set(token.value) == {">"}:
            depth -= len(token.value)
            if depth <= 0:
                return index + 1
        elif token.kind is Kind.PUNCT and token.value in ("{", "(", "["):
            index = matching_close(tokens, index)
        index += 1
    return index
