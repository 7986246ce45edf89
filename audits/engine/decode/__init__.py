"""The error decoder: a Prisma, PostgreSQL or TypeScript error as a log shows it -> its parts
(``parse_error``) -> the drift findings that explain it, the endpoints that touch it and the
fix (``decode``)."""

from audits.engine.decode.explain import Decoded, decode, focused_fix
from audits.engine.decode.parse import FORMS, ParsedError, parse_error

__all__ = ["FORMS", "Decoded", "ParsedError", "decode", "focused_fix", "parse_error"]
