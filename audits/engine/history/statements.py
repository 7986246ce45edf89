"""Split a migration.sql into statements, the way PostgreSQL's own lexer would cut them.

A file must run statement by statement: PostgreSQL runs a multi-statement simple query in one
implicit transaction, and ``CREATE INDEX CONCURRENTLY`` (about 100 of them in langfuse's history)
refuses to run inside any transaction. A semicolon ends a statement only outside quotes
(``'...'`` with ``''``, ``E'...'`` with backslash escapes, ``"..."``), dollar quotes
(``$$...$$``, ``$tag$...$tag$``) and comments (``-- ...``, nested ``/* ... */``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# $tag$ where the tag is an identifier without a leading digit (or empty)
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]")


@dataclass(frozen=True)
class Statement:
    sql: str
    line: int  # 1-based line of the statement's first character in the file


def split_statements(sql: str) -> list[Statement]:
    """The statements of ``sql`` in order, without empty or comment-only pieces."""
    statements: list[Statement] = []
    start = 0
    position = 0
    length = len(sql)
    while position < length:
        char = sql[position]
        if char == ";":
            _add(statements, sql, start, position)
            start = position + 1
            position += 1
        else:
            position = _skip(sql, position)
    _add(statements, sql, start, length)
    return statements


def _skip(sql: str, position: int) -> int:
    """The position after the token that starts at ``position`` (one char if it is plain)."""
    char = sql[position]
    nxt = sql[position + 1] if position + 1 < len(sql) else ""
    if char == "-" and nxt == "-":
        end = sql.find("\n", position)
        return len(sql) if end < 0 else end + 1
    if char == "/" and nxt == "*":
        return _block_comment_end(sql, position)
    if char == "'":
        backslashes = position > 0 and sql[position - 1] in "eE" and not _is_ident_char(
            sql, position - 2)
        return _quoted_end(sql, position, "'", backslashes)
    if char == '"':
        return _quoted_end(sql, position, '"', False)
    if char == "$" and not _is_ident_char(sql, position - 1):
        tag = _DOLLAR_TAG.match(sql, position)
        if tag:
            end = sql.find(tag.group(0), tag.end())
            return len(sql) if end < 0 else end + len(tag.group(0))
    return position + 1


def _is_ident_char(sql: str, position: int) -> bool:
    return position >= 0 and bool(_IDENT_CHAR.match(sql[position]))


def _block_comment_end(sql: str, position: int) -> int:
    depth = 0
    length = len(sql)
    while position < length:
        pair = sql[position:position + 2]
        if pair == "/*":
            depth += 1
            position += 2
        elif pair == "*/":
            depth -= 1
            position += 2
            if depth == 0:
                return position
        else:
            position += 1
    return length


def _quoted_end(sql: str, position: int, quote: str, backslashes: bool) -> int:
    position += 1
    length = len(sql)
    while position < length:
        char = sql[position]
        if backslashes and char == "\\":
            position += 2
            continue
        if char == quote:
            if position + 1 < length and sql[position + 1] == quote:
                position += 2  # a doubled quote stands for one
                continue
            return position + 1
        position += 1
    return length


def _add(statements: list[Statement], sql: str, start: int, end: int) -> None:
    piece = sql[start:end]
    offset = _code_start(piece)
    if offset < 0:
        return  # whitespace and comments only
    line = sql.count("\n", 0, start + offset) + 1
    statements.append(Statement(sql=piece[offset:].strip(), line=line))


def _code_start(piece: str) -> int:
    """Where the first thing that is not a comment or whitespace starts, or -1."""
    position = 0
    length = len(piece)
    while position < length:
        char = piece[position]
        if char.isspace():
            position += 1
        elif piece.startswith("--", position) or piece.startswith("/*", position):
            position = _skip(piece, position)
        else:
            return position
    return -1


__all__ = ["Statement", "split_statements"]
