"""A Prisma, PostgreSQL or TypeScript error, as a log shows it, cut into its parts.

The forms understood (anywhere in the text: a log line carries a prefix, a stack, JSON...):

- Prisma P2022 ``The column `User.username` does not exist in the current database``, and the
  wording of other Prisma versions (``... attempted to include a column User.username not
  found in database``); the seed's ``Column X does not exist in table Y``;
- Prisma P2021 ``The table `public.User` does not exist in the current database``, PostgreSQL
  ``relation "User" does not exist``, the seed's ``Table X does not exist`` and
  ``Relation X does not exist``;
- PostgreSQL ``column "x" of relation "y" does not exist``, ``column y.x does not exist``,
  ``column "x" does not exist``;
- PostgreSQL ``invalid input value for enum "E": "V"``, ``type "E" does not exist``; Prisma
  ``Value 'V' not found in enum 'E'``; the seed's ``Invalid value for Enum X``;
- PostgreSQL ``null value in column "x" of relation "y" violates not-null constraint``; Prisma
  P2011 ``Null constraint violation on the fields: (`x`)``;
- Prisma P2003 ``Foreign key constraint violated: `Order_customerId_fkey (index)```, PostgreSQL
  ``... on table "y" violates foreign key constraint "c"``;
- TypeScript ``Property 'x' does not exist on type 'Y'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from audits.engine.model import to_plain

FORMS = ("missing_column", "missing_table", "invalid_enum_value", "missing_enum",
         "not_null_violation", "foreign_key_violation", "missing_property", "unknown")


@dataclass(frozen=True)
class ParsedError:
    form: str  # one of FORMS
    code: str | None = None  # P2022, or the PostgreSQL SQLSTATE when the log shows it
    schema: str | None = None
    table: str | None = None  # as the error names it: a table, or a model in Prisma's wording
    column: str | None = None
    enum: str | None = None
    value: str | None = None
    constraint: str | None = None
    property: str | None = None  # TypeScript: the property and the type it is missing on
    type: str | None = None
    text: str = ""  # the matched part of the message

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        return plain


_Q = r"[`\"']?"  # an optional quote around a name
_NAME = r"[\w$]+"
_DOTTED = r"[\w$.\"]+"
_Builder = Callable[[re.Match[str]], dict[str, str | None]]


def _split_table(text: str) -> dict[str, str | None]:
    """``public.User`` -> schema public, table User; quotes dropped."""
    parts = [part.strip('"`') for part in text.split(".")]
    return {"schema": parts[-2] if len(parts) > 1 else None, "table": parts[-1]}


def _split_column(text: str) -> dict[str, str | None]:
    """``User.username``, ``public.User.username`` -> table and column."""
    parts = [part.strip('"`') for part in text.split(".")]
    if len(parts) == 1:
        return {"column": parts[0]}
    return {"schema": parts[-3] if len(parts) > 2 else None, "table": parts[-2],
            "column": parts[-1]}


# (form, pattern, parts): the first pattern that matches wins, most specific first
_PATTERNS: tuple[tuple[str, re.Pattern[str], _Builder], ...] = (
    ("missing_property", re.compile(r"Property '([^']+)' does not exist on type '(.+?)'(?=\.|\s|$)",
                                    re.S),
     lambda m: {"property": m[1], "type": m[2]}),
    ("missing_column", re.compile(r'column "([^"]+)" of relation "([^"]+)" does not exist', re.I),
     lambda m: {"column": m[1], **_split_table(m[2])}),
    ("missing_column", re.compile(r"The column `?([^`\s]+?)`? does not exist in the current "
                                  r"database", re.I),
     lambda m: _split_column(m[1])),
    ("missing_column", re.compile(rf"include a column {_Q}({_DOTTED}){_Q} not found in "
                                  r"(?:the )?database", re.I),
     lambda m: _split_column(m[1])),
    ("missing_column", re.compile(rf"\bcolumn {_Q}({_NAME}){_Q} does not exist in (?:the )?"
                                  rf"table {_Q}({_DOTTED}){_Q}", re.I),
     lambda m: {"column": m[1], **_split_table(m[2])}),
    ("missing_column", re.compile(rf"\bcolumn ({_DOTTED}) does not exist", re.I),
     lambda m: _split_column(m[1])),
    ("missing_table", re.compile(r"The table `?([^`\s]+?)`? does not exist in the current "
                                 r"database", re.I),
     lambda m: _split_table(m[1])),
    ("missing_table", re.compile(rf"\b(?:relation|table) {_Q}({_DOTTED}){_Q} does not exist",
                                 re.I),
     lambda m: _split_table(m[1])),
    ("invalid_enum_value", re.compile(rf'invalid input value for enum {_Q}({_DOTTED}){_Q}: '
                                      r'"([^"]*)"', re.I),
     lambda m: {"enum": _split_table(m[1])["table"], "value": m[2]}),
    ("invalid_enum_value", re.compile(r"Value '([^']*)' not found in enum '([^']+)'", re.I),
     lambda m: {"enum": m[2], "value": m[1]}),
    ("invalid_enum_value", re.compile(rf"Invalid value {_Q}({_NAME})?{_Q} ?for enum "
                                      rf"{_Q}({_NAME}){_Q}", re.I),
     lambda m: {"enum": m[2], "value": m[1]}),
    ("missing_enum", re.compile(rf'\btype {_Q}({_DOTTED}){_Q} does not exist', re.I),
     lambda m: {"enum": _split_table(m[1])["table"]}),
    ("not_null_violation", re.compile(r'null value in column "([^"]+)"(?: of relation '
                                      r'"([^"]+)")? violates not-null constraint', re.I),
     lambda m: {"column": m[1], **(_split_table(m[2]) if m[2] else {})}),
    ("not_null_violation", re.compile(r"Null constraint violation on the (?:fields|field): "
                                      r"\(?`?([^`)\s]+)`?\)?", re.I),
     lambda m: _split_column(m[1])),
    ("foreign_key_violation", re.compile(r'on table "([^"]+)" violates foreign key constraint '
                                         r'"([^"]+)"', re.I),
     lambda m: {"constraint": m[2], **_split_table(m[1])}),
    ("foreign_key_violation", re.compile(r"Foreign key constraint (?:failed|violated) on the "
                                         r"(?:field|constraint): `?([^`(]+?)(?: \(index\))?`",
                                         re.I),
     lambda m: {"constraint": m[1].strip()}),
    ("foreign_key_violation", re.compile(r"Foreign key constraint (?:failed|violated): "
                                         r"`?([^`(]+?)(?: \(index\))?`", re.I),
     lambda m: {"constraint": m[1].strip()}),
)

_CODE = re.compile(r"\b(P[1-5]\d{3})\b")
_SQLSTATE = re.compile(r"\b(?:code|sqlstate)\W{0,4}(42703|42P01|22P02|23502|23503|42704)\b",
                       re.I)
_FORM_OF_CODE = {"P2022": "missing_column", "P2021": "missing_table", "P2011":
                 "not_null_violation", "P2003": "foreign_key_violation"}


def parse_error(message: str) -> ParsedError:
    """The parts of ``message``; form ``unknown`` (with the code, if any) when no form fits."""
    text = message.strip()
    code_match = _CODE.search(text) or _SQLSTATE.search(text)
    code = code_match[1] if code_match else None
    for form, pattern, build in _PATTERNS:
        found = pattern.search(text)
        if found:
            parts = {key: value for key, value in build(found).items() if value}
            return ParsedError(form=form, code=code, text=found[0], **parts)
    return ParsedError(form=_FORM_OF_CODE.get(code or "", "unknown"), code=code,
                       text=text[:500])
