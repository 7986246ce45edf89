"""A small tokenizer for TypeScript/JavaScript, just precise enough for the endpoint scanner.

Its one job is to keep comments, string contents and template literal text away from the
matchers: they become single tokens (or disappear), so ``// prisma.user.findMany()`` or
``"prisma.user.count()"`` can never look like a call. Code inside a template literal's
``${...}`` is code again and is tokenized in place, between a ``${`` token and its ``}``.

Regex literals are recognised from the previous token (a ``/`` where an expression may start is
a regex), which is what keeps ``/'/`` or ``/\\/\\*/`` from opening a string or a comment. JSX text
is not understood; a stray quote in it can only swallow the rest of its line, because string
literals end at a line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    IDENT = "ident"  # identifiers and keywords
    NUMBER = "number"
    STRING = "string"  # '...' or "...": value is unescaped
    TEMPLATE = "template"  # `...`: value is the text with each ${...} replaced by PLACEHOLDER
    REGEX = "regex"
    PUNCT = "punct"  # operators and brackets; "${" opens a template substitution


PLACEHOLDER = "\x00"  # stands for a ${...} substitution in a template token's value


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    value: str
    line: int  # 1-based
    substitutions: int = 0  # for templates: how many ${...} follow this token

    def is_punct(self, text: str) -> bool:
        return self.kind is Kind.PUNCT and self.value == text

    def is_ident(self, text: str | None = None) -> bool:
        return self.kind is Kind.IDENT and (text is None or self.value == text)


_SPACE = re.compile(r"[ \t\r\f\v\u00a0\ufeff]+")
_IDENT = re.compile(r"[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*")
_NUMBER = re.compile(
    r"(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)n?"
)
_PUNCT = re.compile(
    r">>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?="
    r"|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.(?!\d)|\+\+|--|\+=|-=|\*=|/=|%=|&=|\|=|\^=|\*\*|<<|>>"
    r"|[{}()\[\];,<>+\-*/%&|^!~?:=.@#]"
)
# numbers first, so ".5" is a number and not a dot
_WORD = re.compile(
    f"(?P<number>{_NUMBER.pattern})(?![A-Za-z_$])"
    f"|(?P<ident>{_IDENT.pattern})"
    f"|(?P<punct>{_PUNCT.pattern})"
)
_WORD_KINDS = {"number": Kind.NUMBER, "ident": Kind.IDENT, "punct": Kind.PUNCT}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}

# After these keywords an expression starts, so a "/" is a regex, not a division.
_EXPRESSION_KEYWORDS = frozenset({
    "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
    "do", "else", "yield", "await",
})


class TokenList(list[Token]):
    """What ``tokenize`` returns: a list of tokens that works out, on first use, where every
    bracket closes (one pass with a stack), so ``matching_close`` answers at once. Scanning
    forward from each bracket instead made unbalanced input cubic: 250 route registrations
    whose calls never close took 17 s, each endpoint's code running to the end of the file
    and every call in it scanned to the end again."""

    closes: list[int] | None = None


def tokenize(source: str) -> TokenList:
    """All significant tokens of ``source``; comments and whitespace are dropped."""
    return TokenList(_Scanner(source).run())


class _Scanner:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.tokens: list[Token] = []
        # one entry per open brace: the index of the template token for a "${", else None
        self.braces: list[int | None] = []
        self.postfix_bang = False  # whether the last "!" was TypeScript's non-null assertion

    def run(self) -> list[Token]:
        src = self.src
        end = len(src)
        while self.pos < end:
            char = src[self.pos]
            if char == "\n":
                self.line += 1
                self.pos += 1
            elif char in " \t\r\f\v\u00a0\ufeff":
                match = _SPACE.match(src, self.pos)
                assert match is not None
                self.pos = match.end()
            elif char == "/" and src.startswith("//", self.pos):
                newline = src.find("\n", self.pos)
                self.pos = end if newline < 0 else newline
            elif char == "/" and src.startswith("/*", self.pos):
                self._block_comment()
            elif char in "'\"":
                self._string(char)
            elif char == "`":
                self._template()
            elif char == "/" and self._regex_allowed():
                self._regex()
            elif char == "}" and self.braces and self.braces[-1] is not None:
                template = self.braces.pop()
                assert template is not None
                self._emit(Kind.PUNCT, "}", self.line)
                self.pos += 1
                self._template_text(template)
            else:
                self._word_or_punct(char)
        return self.tokens

    def _emit(self, kind: Kind, value: str, line: int, substitutions: int = 0) -> None:
        self.tokens.append(Token(kind, value, line, substitutions))

    def _block_comment(self) -> None:
        close = self.src.find("*/", self.pos + 2)
        stop = len(self.src) if close < 0 else close + 2
        self.line += self.src.count("\n", self.pos, stop)
        self.pos = stop

    def _word_or_punct(self, char: str) -> None:
        match = _WORD.match(self.src, self.pos)
        if match is None:  # a character no token starts with (a stray "\\", a control char)
            self._emit(Kind.PUNCT, char, self.line)
            self.pos += 1
            return
        text = match.group()
        kind = _WORD_KINDS[match.lastgroup or "punct"]
        if kind is Kind.PUNCT:
            if text == "{":
                self.braces.append(None)
            elif text == "}" and self.braces:
                self.braces.pop()
            elif text == "!":
                # TypeScript's non-null "x!" (no space before it) ends an operand, so a "/"
                # after it divides; a prefix "!" ("!/re/.test(s)") starts an expression
                self.postfix_bang = self.pos > 0 and not self.src[self.pos - 1].isspace() \
                    and bool(self.tokens) and (self.tokens[-1].kind is Kind.IDENT or
                                               self.tokens[-1].value in (")", "]"))
        self.tokens.append(Token(kind, text, self.line))
        self.pos = match.end()

    def _string(self, quote: str) -> None:
        src, line = self.src, self.line
        pos = self.pos + 1
        parts: list[str] = []
        while pos < len(src):
            char = src[pos]
            if char == quote:
                pos += 1
                break
            if char == "\n":  # unterminated: a string never spans lines
                break
            if char == "\\" and pos + 1 < len(src):
                escaped = src[pos + 1]
                if escaped == "\n":
                    self.line += 1
                else:
                    parts.append(_ESCAPES.get(escaped, escaped))
                pos += 2
                continue
            parts.append(char)
            pos += 1
        self.pos = pos
        self._emit(Kind.STRING, "".join(parts), line)

    def _template(self) -> None:
        """Reads from the opening backtick up to the end of the template or its first ``${``."""
        self.pos += 1
        self._emit(Kind.TEMPLATE, "", self.line)
        self._template_text(len(self.tokens) - 1)

    def _template_text(self, index: int) -> None:
        """Appends template text to ``tokens[index]`` until the closing backtick or a ``${``."""
        src = self.src
        pos = self.pos
        parts = [self.tokens[index].value]
        opened = False
        while pos < len(src):
            char = src[pos]
            if char == "`":
                pos += 1
                break
            if char == "\\" and pos + 1 < len(src):
                escaped = src[pos + 1]
                self.line += escaped == "\n"
                parts.append(_ESCAPES.get(escaped, escaped))
                pos += 2
                continue
            if char == "$" and src.startswith("${", pos):
                parts.append(PLACEHOLDER)
                pos += 2
                opened = True
                break
            self.line += char == "\n"
            parts.append(char)
            pos += 1
        self.pos = pos
        old = self.tokens[index]
        self.tokens[index] = Token(Kind.TEMPLATE, "".join(parts), old.line,
                                   old.substitutions + opened)
        if opened:
            self.braces.append(index)
            self._emit(Kind.PUNCT, "${", self.line)

    def _regex_allowed(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if last.kind is Kind.IDENT:
            return last.value in _EXPRESSION_KEYWORDS
        if last.kind in (Kind.NUMBER, Kind.STRING, Kind.TEMPLATE, Kind.REGEX):
            return False
        if last.value == "!":
            return not self.postfix_bang
        return last.value not in (")", "]", "}", "++", "--")

    def _regex(self) -> None:
        src, line = self.src, self.line
        pos = self.pos + 1
        in_class = False
        while pos < len(src):
            char = src[pos]
            if char == "\n":
                break
            if char == "\\":
                pos += 2
                continue
            if char == "[":
                in_class = True
            elif char == "]":
                in_class = False
            elif char == "/" and not in_class:
                pos += 1
                while pos < len(src) and (src[pos].isalnum() or src[pos] == "_"):
                    pos += 1  # flags
                break
            pos += 1
        self._emit(Kind.REGEX, src[self.pos:pos], line)
        self.pos = pos


_OPENS = frozenset({"(", "[", "{", "${"})
_CLOSES = frozenset({")", "]", "}"})


def matching_close(tokens: list[Token], open_index: int) -> int:
    """The index of the bracket closing ``tokens[open_index]`` (or len(tokens) when unbalanced).

    ``${`` counts as an opening brace, so template substitutions stay balanced.
    """
    if isinstance(tokens, TokenList):
        closes = tokens.closes
        if closes is None or len(closes) != len(tokens):
            closes = tokens.closes = _closes(tokens)
        found = closes[open_index]
        if found >= 0:
            return found
    return _scan_close(tokens, open_index)


def _closes(tokens: list[Token]) -> list[int]:
    """For each opening bracket, where ``_scan_close`` would find its close; -1 elsewhere."""
    closes = [-1] * len(tokens)
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind is Kind.PUNCT:
            if token.value in _OPENS:
                stack.append(index)
            elif token.value in _CLOSES and stack:
                closes[stack.pop()] = index
    unclosed = len(tokens)  # one int object for them all: a hostile file may hold millions
    for index in stack:
        closes[index] = unclosed
    return closes


def _scan_close(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(tokens)):
        token = tokens[index]
        if token.kind is not Kind.PUNCT:
            continue
        value = token.value
        if value in ("(", "[", "{", "${"):
            depth += 1
        elif value in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return index
    return len(tokens)
