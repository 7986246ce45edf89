"""Prisma schemas: the parser (text -> ``ast.PrismaSchema``) and lowering (AST -> model.Schema)."""

from audits.engine.prisma.parser import load_schema, parse_files, parse_schema

__all__ = ["load_schema", "parse_files", "parse_schema"]
