"""Tokens of the Prisma schema language, cut by one compiled regular expression.

Speed matters (schemas of thousands of models are parsed on every audit), so the per-character
work stays inside the regex engine and C builtins: ``findall`` cuts the text into tokens (the
whitespace before each is matched and dropped, so every character is consumed) and kinds follow
from first characters through a dict, all without a Python loop per token. Offsets, lines and
columns are only needed for positions and errors, so ``line_column`` finds them on first use.

Newlines are tokens because Prisma's grammar is line-oriented (a field ends at the end of its
line). A ``//`` comment is folded into the newline that ends it, a ``/* */`` comment into the
newline before it; ``///`` doc comments are tokens
of their own because they document the next declaration.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from operator import itemgetter
from typing import cast

from audits.engine.errors import SchemaError

# Token kinds. Punctuation tokens use their own text as their kind ("{", "(", "?", ...).
# Every kind the lexer emits is one of these very objects, so the parser's hot loops may
# compare them with ``is``.
NEWLINE = "end of line"
DOC = "doc comment"
STRING = "string"
NUMBER = "number"
IDENT = "identifier"
ATTRIBUTE = "@"  # an attribute with its name: "@id", "@db.VarChar", "@@index"; or a lone "@"
EOF = "end of file"
BAD = "bad"

_WHITESPACE = " \t\f\v\ufeff\u00a0"
_CONTROL = r"\x00-\x08\x0a-\x1f\x7f"  # a tab is fine inside a string, a line break is not
_ASCII_NAME = r"[A-Za-z_][A-Za-z0-9_\-]*"
_UNICODE_NAME = r"[^\W\d][\w\-]*"  # Prisma's identifiers are Unicode: "Bücher", "größe"
# Prisma accepts a /* ... */ (or /** ... */) comment on lines of its own, folded here into the
# line break before it (at the start of the file it is a line break of its own), and at the end
# of a line, where it is that line's break as a // comment is; anything after it on its line is
# an error, as in Prisma.
_BLOCK_COMMENTS = rf"(?:[{_WHITESPACE}]*/\*(?:[^*]++|\*(?!/))*+\*/)*"
_BLOCK = r"/\*(?:[^*]++|\*(?!/))*+\*/"


def _token_regex(name: str, blocks: bool) -> re.Pattern[str]:
    block_comments = _BLOCK_COMMENTS if blocks else ""
    # a /* */ comment ending its line is that line's end, as a // comment is
    trailing = rf"{_BLOCK}[{_WHITESPACE}]*(?:\r\n|\n|\r){block_comments}|" if blocks else ""
    return re.compile(
        rf"""
        [{_WHITESPACE}]*
        (                                       # the token; the most frequent first
            {name}                              # an identifier or keyword
          | [{{}}()\[\],:=?.]                     # punctuation
          | @@?{name}(?:\.{name})*              # an attribute with its (dotted) name
          | "(?:[^"\\{_CONTROL}]++|\\[^{_CONTROL}])*+"  # a string (no raw control character)
          | {trailing}(?://(?!/)[^\r\n]*)?(?:\r\n|\n|\r)  # a line break, with its comment
            {block_comments}                    # and the /* */ comments starting the next line
          | -?[0-9]+(?:\.[0-9]+)?               # a number
          | ///[^\r\n]*                         # a doc comment
          | //(?!/)[^\r\n]*\Z                   # a // comment on the last line
          | /\*(?:[^*]++|\*(?!/))*+\*/{block_comments}  # /* */ elsewhere: only at the start is fine
          | [^{_WHITESPACE}]                    # a character that is not Prisma
          | \Z                                  # the end
        )
        """,
        re.VERBOSE,
    )


# Unicode names and block comments cost the regex engine a sixth more on every token, and
# nearly every schema has neither: so the text picks its regex ((is it ASCII, has it "/*") ->
# the regex), two checks that run in C.
_TOKEN_RES = {
    (ascii_only, has_block): _token_regex(_ASCII_NAME if ascii_only else _UNICODE_NAME,
                                          has_block)
    for ascii_only in (True, False) for has_block in (True, False)
}


def _token_re(text: str) -> re.Pattern[str]:
    return _TOKEN_RES[(text.isascii(), "/*" in text)]


_FIRST_CHAR = itemgetter(slice(0, 1))  # "" for the EOF token
_LONE_AT_RE = re.compile(r"@(?!@?[^\W\d])")  # an "@" that no attribute name follows
_LINE_BREAK_RE = re.compile(r"\r\n|\n|\r")
_PUNCTUATION = "{}()[],:=?."
_KIND_OF_FIRST_CHAR: dict[str, str] = {
    **{c: IDENT for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"},
    **{c: NUMBER for c in "0123456789"},
    **{c: c for c in _PUNCTUATION},
    '"': STRING,
    "@": ATTRIBUTE,
    "\n": NEWLINE,
    "\r": NEWLINE,
    "": EOF,
}

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
_ESCAPE_RE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)")
_CONTROL_RE = re.compile(rf"[{_CONTROL}]")
_STRING_TO_END_OF_LINE_RE = re.compile(r'"(?:[^"\\\r\n]++|\\[^\r\n])*+"')


class Tokens:
    """One file's tokens as parallel lists, always ending with an EOF token.

    ``texts[i]`` is the token as written (a string with its quotes, a doc comment with its
    slashes, an attribute with its ``@``), ``kinds[i]`` one of the kinds above.
    """

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.text = text
        self.texts: list[str] = _token_re(text).findall(text)  # it consumes every character
        self.texts.append("")
        # All in C: most kinds follow from the first character; the rest are fixed up below.
        kinds: list[str | None] = list(map(_KIND_OF_FIRST_CHAR.get, map(_FIRST_CHAR, self.texts)))
        # which kinds occur, from one pass in C rather than a scan for each question below
        present = set(kinds)
        index = 0
        while None in present:
            try:
                index = kinds.index(None, index)
            except ValueError:
                break
            kinds[index] = _kind(self.texts[index])
            text = self.texts[index]
            if index and text.startswith("/*") and text[-1] not in "\r\n" \
                    and self.texts[index + 1]:
                kinds[index] = BAD  # a /* */ comment with something after it on its line
            present.add(kinds[index])
        # an "@" without a name (only where the text has an "@" not followed by one), a string
        # without its end
        for lone in ("@", '"'):
            if (lone == '"' or _LONE_AT_RE.search(self.text)) and lone in self.texts:
                kinds[self.texts.index(lone)] = BAD
                present.add(BAD)
        self.kinds = cast(list[str], kinds)
        if BAD in present:
            self.raise_bad(self.kinds.index(BAD))

    @cached_property
    def starts(self) -> list[int]:
        """Each token's offset in the text. Only positions and errors need them, so they are
        found on first use, by cutting the text a second time."""
        starts = [match.start(1) for match in _token_re(self.text).finditer(self.text)]
        starts.append(len(self.text))
        return starts

    @cached_property
    def line_starts(self) -> list[int]:
        """Offsets of every line's start, found on first use as ``starts`` is."""
        return [0] + [m.end() for m in _LINE_BREAK_RE.finditer(self.text)]

    def line_column(self, index: int) -> tuple[int, int]:
        offset = self.starts[index]
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def raise_bad(self, index: int) -> None:
        text = self.texts[index]
        line, column = self.line_column(index)
        if text == '"':
            offset = self.starts[index]
            string = _STRING_TO_END_OF_LINE_RE.match(self.text, offset)
            control = _CONTROL_RE.search(string.group()) if string else None
            if control:
                raise SchemaError(f"control character {control.group()!r} inside a string",
                                  self.file, line, column + control.start())
            raise SchemaError("unterminated string", self.file, line, column,
                              expected="a closing '\"' on the same line")
        if text.startswith("/*"):
            raise SchemaError("nothing may follow a /* */ comment on its line", self.file,
                              line, column, expected="a line break after the comment")
        if text == "@":
            raise SchemaError("unexpected '@'", self.file, line, column,
                              expected="an attribute name right after '@'")
        raise SchemaError(f"unexpected character {text!r}", self.file, line, column)

    def string_value(self, index: int) -> str:
        """The value of the string literal at ``index``, its escapes resolved."""
        body = self.texts[index][1:-1]
        if "\\" not in body:
            return body
        return _join_surrogates(_ESCAPE_RE.sub(lambda m: self._escape(m, index), body))

    def _escape(self, match: re.Match[str], index: int) -> str:
        escape = match.group(1)
        if len(escape) == 5:  # uXXXX
            return chr(int(escape[1:], 16))
        simple = _SIMPLE_ESCAPES.get(escape)
        if simple is None:
            line, column = self.line_column(index)
            raise SchemaError(f"unknown escape sequence '\\{escape}' in a string",
                              self.file, line, column + 1 + match.start(),
                              expected='one of \\" \\\\ \\/ \\n \\r \\t \\b \\f \\0 \\uXXXX')
        return simple


def _kind(text: str) -> str:
    """The kind of a token whose first character alone does not tell it."""
    if text.startswith("///"):
        return DOC
    if text.startswith(("//", "/*")):
        return NEWLINE  # a comment, folded into its line break (or the end of the file)
    if text.startswith("-") and len(text) > 1:
        return NUMBER
    if text[:1].isalpha():
        return IDENT  # a name starting with a non-ASCII letter
    return BAD


def _join_surrogates(value: str) -> str:
    """``\\ud83d\\ude00`` written as two escapes is one character, as in JSON."""
    if not any("\ud800" <= char <= "\udfff" for char in value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def tokenize(text: str, file: str = "schema.prisma") -> Tokens:
    return Tokens(text, file)
