"""How fast is PostgreSQL introspection on a big schema? (a benchmark, not a test)

Creates a scratch database with 2,000 tables and 35,000 columns (a primary key, a foreign key,
a unique constraint and a partial expression index per table, enum columns), then times
``introspect`` five times and prints the median, split into the catalog queries (server and
transfer) and the Python that builds the dataclasses. Drops the database at the end.

    .venv/bin/python bench/introspect_speed.py [--tables 2000] [--columns 35000] [--runs 5]
        [--admin-dsn postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits.engine.connect import readonly_postgres  # noqa: E402
from audits.engine.introspect import introspect  # noqa: E402
from audits.engine.introspect.postgres import build_schema, fetch_catalog  # noqa: E402

COLUMN_TYPES = (
    "text", "integer", "bigint", "boolean", "timestamp(3) without time zone", "jsonb",
    "character varying(191)", "numeric(65,30)", "double precision", '"Status"', "text[]",
    "uuid",
)
DEFAULTS = {"integer": "0", "boolean": "false", "jsonb": "'{}'::jsonb",
            "timestamp(3) without time zone": "CURRENT_TIMESTAMP", '"Status"': "'ACTIVE'"}


def table_ddl(number: int, column_count: int) -> str:
    name = f"Table{number:04d}"
    columns = ['"id" serial PRIMARY KEY', '"parentId" integer']
    for position in range(column_count - 2):
        type_ = COLUMN_TYPES[(number + position) % len(COLUMN_TYPES)]
        default = DEFAULTS.get(type_)
        clause = f" NOT NULL DEFAULT {default}" if default else ""
        columns.append(f'"col{position}" {type_}{clause}')
    parent = f"Table{max(number - 1, 0):04d}"
    return (
        f'CREATE TABLE "{name}" ({", ".join(columns)}, '
        f'CONSTRAINT "{name}_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "{parent}"("id") '
        f"ON DELETE SET NULL ON UPDATE CASCADE);\n"
        f'CREATE UNIQUE INDEX "{name}_col0_key" ON "{name}" ("col0");\n'
        f'CREATE INDEX "{name}_parent_idx" ON "{name}" ("parentId", "id" DESC) '
        f'WHERE "parentId" IS NOT NULL;\n'
    )


def create_schema(url: str, tables: int, columns: int) -> None:
    per_table = [columns // tables + (1 if n < columns % tables else 0) for n in range(tables)]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TYPE \"Status\" AS ENUM ('ACTIVE', 'DISABLED', 'DELETED')")
        for start in range(0, tables, 100):
            stop = min(start + 100, tables)
            batch = "".join(table_ddl(n, per_table[n]) for n in range(start, stop))
            conn.execute(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--columns", type=int, default=35000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", metavar="NAME", help="use/keep this database (for profiling)")
    args = parser.parse_args()

    name = args.keep or f"dw_bench_introspect_{uuid.uuid4().hex[:8]}"
    base = args.admin_dsn.rpartition("/")[0]
    url = f"{base}/{name}"
    with psycopg.connect(args.admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        if not exists:
            started = time.perf_counter()
            create_schema(url, args.tables, args.columns)
            print(f"created {args.tables} tables / {args.columns} columns "
                  f"in {time.perf_counter() - started:.1f} s")
        introspect(url)  # warm the server's catalog caches once

        totals, fetches, fetch_cpu, builds = [], [], [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            schema = introspect(url)
            totals.append(time.perf_counter() - started)
            with readonly_postgres(url) as session:
                started, cpu = time.perf_counter(), time.process_time()
                rows = fetch_catalog(session, ("public",))
                fetches.append(time.perf_counter() - started)
                fetch_cpu.append(time.process_time() - cpu)
            cpu = time.process_time()
            build_schema(rows, ("public",))
            builds.append(time.process_time() - cpu)

        def ms(values: list[float]) -> str:
            return f"{statistics.median(values) * 1000:.0f} ms"

        column_total = sum(len(table.columns) for table in schema.tables)
        index_total = sum(len(table.indexes) for table in schema.tables)
        print(f"introspected {len(schema.tables)} tables, {column_total} columns, "
              f"{index_total} indexes, {len(schema.enums)} enums")
        print(f"introspect() wall time, median of {args.runs}: {ms(totals)} "
              f"(min {min(totals) * 1000:.0f}, max {max(totals) * 1000:.0f})")
        print(f"  four catalog queries, wall: {ms(fetches)} "
              f"(of which Python CPU decoding rows: {ms(fetch_cpu)})")
        print(f"  building dataclasses, Python CPU: {ms(builds)}")
        print(f"  Python in total: {ms([a + b for a, b in zip(fetch_cpu, builds, strict=True)])}")
    finally:
        if not args.keep:
            with psycopg.connect(args.admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
