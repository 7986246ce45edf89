"""How fast are compare and fix_migration on a big schema? (a benchmark, not a test)

Builds an expected schema of N tables (20 columns, 4 indexes, a foreign key and enum columns
each) and a live copy with damage in half of the tables (missing columns, a changed type, a
different default, a dropped index, a renamed index), then times ``compare`` and
``fix_migration`` and prints the medians. Pure Python: no database needed.

    .venv/bin/python bench/compare_speed.py [--tables 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits.engine.compare import compare  # noqa: E402
from audits.engine.model import (  # noqa: E402
    Column,
    Enum,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
)
from audits.engine.repair import fix_migration  # noqa: E402

TYPES = ("text", "integer", "timestamp(3) without time zone", "boolean", '"Status"', "text[]")
DEFAULTS = {"integer": "0", "boolean": "false", '"Status"': "'ACTIVE'",
            "timestamp(3) without time zone": "CURRENT_TIMESTAMP", "text[]": "ARRAY[]::TEXT[]"}
LIVE_DEFAULTS = {"integer": "0", "boolean": "false", '"Status"': "'ACTIVE'::\"Status\"",
                 "timestamp(3) without time zone": "now()", "text[]": "ARRAY[]::text[]"}


def expected_table(number: int, tables: int) -> Table:
    name = f"Table{number:04d}"
    columns = [Column("id", "integer", False, "autoincrement()", "id")]
    for index in range(1, 20):
        kind = TYPES[index % len(TYPES)]
        columns.append(Column(f"c{index}", kind, index % 2 == 0, DEFAULTS.get(kind), f"c{index}"))
    return Table(
        name, columns=tuple(columns), primary_key=PrimaryKey(("id",), f"{name}_pkey"),
        indexes=tuple(Index(f"{name}_c{i}_idx", (f"c{i}",), unique=i == 1) for i in (1, 2, 3, 7)),
        foreign_keys=(ForeignKey(f"{name}_c1_fkey", ("c1",), f"Table{(number + 1) % tables:04d}",
                                 ("id",)),),
        model=f"Model{number:04d}",
    )


def live_table(table: Table, damaged: bool) -> Table:
    columns = [replace(c, field=None, type=c.type.replace('"', ""),
                       default=LIVE_DEFAULTS.get(c.type, c.default)) for c in table.columns]
    columns[0] = replace(columns[0], default=f"nextval('\"{table.name}_id_seq\"'::regclass)")
    indexes = list(table.indexes)
    if damaged:
        columns = columns[:15]  # five missing columns
        columns[3] = replace(columns[3], type="bigint")
        columns[2] = replace(columns[2], default="1")
        indexes = [indexes[0], replace(indexes[1], name="renamed_idx")]
    return replace(table, model=None, columns=tuple(columns), indexes=tuple(indexes))


def schemas(tables: int) -> tuple[Schema, Schema]:
    expected = [expected_table(n, tables) for n in range(tables)]
    live = [live_table(t, n % 2 == 1) for n, t in enumerate(expected)]
    enums = (Enum("Status", ("ACTIVE", "INACTIVE")),)
    return (Schema("postgresql", tuple(expected), enums),
            Schema("postgresql", tuple(live), enums))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    expected, actual = schemas(args.tables)
    compare_ms, fix_ms = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        report = compare(expected, actual)
        compared = time.perf_counter()
        sql = fix_migration(expected, actual, report)
        fixed = time.perf_counter()
        compare_ms.append((compared - started) * 1000)
        fix_ms.append((fixed - compared) * 1000)
    columns = sum(len(t.columns) for t in expected.tables)
    print(f"{args.tables} tables, {columns} columns, {len(report.findings)} findings, "
          f"{len(sql.splitlines())} lines of SQL")
    print(f"compare:       median {statistics.median(compare_ms):8.1f} ms")
    print(f"fix_migration: median {statistics.median(fix_ms):8.1f} ms")


if __name__ == "__main__":
    main()
