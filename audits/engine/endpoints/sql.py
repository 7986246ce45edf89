"""Which tables a literal SQL statement names, for raw queries the scanner can read."""

from __future__ import annotations

import re

from audits.engine.endpoints.lexer import PLACEHOLDER

_SQL_NOISE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_SQL_WORDS = re.compile(
    r'\(|\)|\b(FROM|JOIN|INTO|UPDATE|SELECT)\b'
    r'|\b(\w+|"[^"]+")\s+AS\s*(?:MATERIALIZED\s*)?\(',
    re.IGNORECASE,
)
_SQL_NAME = re.compile(
    r'\s*((?:"[^"]+"|[A-Za-z_][\w$]*|\x00)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*|\x00))?)'
    r'(\s*\()?'
)


def sql_tables(sql: str) -> tuple[tuple[str, ...], bool]:
    """Tables a literal SQL statement names after FROM/JOIN/INTO/UPDATE, and whether every
    such position could be read (False when a ${...} stands where a table name should be).

    ``FROM`` inside a function call (``EXTRACT(YEAR FROM x)``) and names of CTEs are skipped.
    """
    text = _SQL_NOISE.sub(" ", sql)
    tables: list[str] = []
    ctes: set[str] = set()
    readable = True
    groups: list[bool] = []  # per open parenthesis: does it hold a query?
    for match in _SQL_WORDS.finditer(text):
        word = match.group(0)
        if match.group(2):
            ctes.add(match.group(2).strip('"'))
            groups.append(True)
            continue
        if word == "(":
            groups.append(bool(re.match(r"\s*(SELECT|WITH)\b", text[match.end():], re.I)))
            continue
        if word == ")":
            if groups:
                groups.pop()
            continue
        keyword = (match.group(1) or "").upper()
        if keyword == "SELECT" or (groups and not groups[-1]):
            continue
        name = _SQL_NAME.match(text, match.end())
        if name is None or name.group(2):
            continue  # a subquery or a set-returning function
        parts = [part.strip().strip('"') for part in name.group(1).split(".")]
        table = parts[-1]
        if PLACEHOLDER in table:
            readable = False
            continue
        if keyword in ("FROM", "JOIN") and table.upper() in ("LATERAL", "ONLY"):
            continue
        tables.append(table)
    ordered = sorted({table for table in tables if table not in ctes})
    return tuple(ordered), readable
