"""Tokens of the Prisma schema language, cut by one compiled regular expression.

One ``finditer`` over the whole text keeps the per-character work inside the regex engine;
Python only sees one match per token. Newlines are tokens because Prisma's grammar is
line-oriented (a field ends at the end of its line); ``//`` comments are dropped here, and
``///`` doc comments are kept because they document the next declaration.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from audits.engine.errors import SchemaError

# Token kinds. Punctuation tokens use their own text as their kind ("{", "@", "@@", ...).
NEWLINE = "newline"
DOC = "doc comment"
STRING = "string"
NUMBER = "number"
IDENT = "identifier"
EOF = "end of file"

_TOKEN_RE = re.compile(
    r"""
    (?P<nl>\r\n|\n|\r)
  | (?P<ws>[ \t\f\v\ufeff\u00a0]+)
  | (?P<doc>///[^\r\n]*)
  | (?P<comment>//[^\r\n]*)
  | (?P<string>"(?:[^"\\\r\n]|\\[^\r\n])*")
  | (?P<badstring>"(?:[^"\\\r\n]|\\[^\r\n])*\\?)
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_]))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<punct>@@|[{}()\[\],:=?@.])
  | (?P<bad>.)
    """,
    re.VERBOSE,
)

_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "'": "'",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "0": "\0",
}
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Token(NamedTuple):
    kind: str
    text: str  # for strings: the unescaped value; for doc comments: the trimmed text
    line: int  # 1-based
    column: int  # 1-based


def tokenize(text: str, file: str = "schema.prisma") -> list[Token]:
    """The token list of ``text``, always ending with one EOF token."""
    tokens: list[Token] = []
    append = tokens.append
    line = 1
    line_start = 0
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        start = match.start()
        if kind == "ws" or kind == "comment":
            continue
        value = match.group()
        column = start - line_start + 1
        if kind == "ident":
            append(Token(IDENT, value, line, column))
        elif kind == "punct":
            append(Token(value, value, line, column))
        elif kind == "nl":
            append(Token(NEWLINE, value, line, column))
            line += 1
            line_start = match.end()
        elif kind == "string":
            append(Token(STRING, _unescape(value, file, line, column), line, column))
        elif kind == "number":
            append(Token(NUMBER, value, line, column))
        elif kind == "doc":
            append(Token(DOC, value[3:].strip(), line, column))
        elif kind == "badstring":
            raise SchemaError("unterminated string", file, line, column, expected='a closing \'"\'')
        else:
            raise SchemaError(f"unexpected character {value!r}", file, line, column)
    tokens.append(Token(EOF, "", line, len(text) - line_start + 1))
    return tokens


def _unescape(literal: str, file: str, line: int, column: int) -> str:
    """The value of a string literal (with its quotes), escapes resolved."""
    body = literal[1:-1]
    control = _CONTROL_RE.search(body)
    if control:
        raise SchemaError(
            f"control character {control.group()!r} inside a string",
            file, line, column + 1 + control.start(),
        )
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            return _code_point(int(escape[1:], 16), file, line, column + 1 + match.start())
        simple = _SIMPLE_ESCAPES.get(escape)
        if simple is None:
            raise SchemaError(
                f"unknown escape sequence '\\{escape}' in a string",
                file, line, column + 1 + match.start(),
                expected='one of \\" \\\\ \\n \\r \\t \\b \\f \\/ \\uXXXX',
            )
        return simple

    return _join_surrogates(_ESCAPE_RE.sub(replace, body))


def _code_point(value: int, file: str, line: int, column: int) -> str:
    if value > 0x10FFFF:
        raise SchemaError(f"invalid unicode escape U+{value:X}", file, line, column)
    return chr(value)


def _join_surrogates(value: str) -> str:
    """``\\ud83d\\ude00`` written as two escapes is one emoji, as in JSON."""
    if not any("\ud800" <= char <= "\udfff" for char in value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
