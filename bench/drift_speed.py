"""How fast is a whole ``manage.py drift`` on a big schema, beside the other tools? (a benchmark,
not a test; the numbers go in the README)

Generates a schema.prisma of 2,000 models (about 35,000 columns: enums, relations, uniques,
indexes, lists, native types, defaults), gets Prisma's own DDL for it (``prisma-oracle ddl``),
applies it to a scratch PostgreSQL database (the target) and to a second one (migra's
reference), then times, in the same run, the median of ``--runs`` runs of each:

- ``python manage.py drift --schema schema.prisma --database-url URL`` (the whole process:
  Python and Django start, parse, lower, introspect, compare, print);
- ``prisma-oracle diff URL schema.prisma`` (Prisma's own live diff);
- ``migra REFERENCE_URL URL`` (in its own virtualenv, created on first use; skipped with a
  message when it cannot be installed);
- ``psql -c "SELECT ... FROM pg_attribute JOIN pg_class ..."``: a plain read of every column of
  the same catalog, the floor for any tool that reads it.

    .venv/bin/python bench/drift_speed.py [--models 2000] [--runs 5] [--warmup 1] [--keep]
        [--admin-dsn postgresql://postgres@127.0.0.1:5432/postgres] [--db-prefix dw_bench_drift]
        [--baseline DIR]

``--baseline DIR`` also times ``manage.py drift`` of another checkout (``git archive main |
tar -x -C DIR``) with this virtualenv, in the same run: a change is judged against the old code
side by side, since wall times on a shared machine move more than most changes.

Each tool must also agree that there is no drift (drift prints no finding, Prisma exits 0,
migra exits 0), or the timing would measure something else. The databases are dropped at the
end unless ``--keep`` is given (then they are reused on the next run, for profiling).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DRIFTWATCH_SHARED", REPO.parent / "shared"))
ORACLE = SHARED / "tools" / "prisma-oracle" / "prisma-oracle"
MIGRA_VENV = Path("/tmp/migra-venv")
MIGRA_PACKAGES = ["migra", "schemainspect", "sqlalchemy<2", "psycopg2-binary"]
# Database names are ``<prefix>_target`` and ``<prefix>_reference`` (``--db-prefix``: helpers
# sharing one server each keep their own).
DEFAULT_PREFIX = "dw_bench_drift"

# Columns after id and parentId, cycled so that every model has 15 or 16 of them.
SCALARS = (
    "name{n} String @db.VarChar(191)",
    "email{n} String @unique",
    "count{n} Int @default(0)",
    "total{n} BigInt?",
    "active{n} Boolean @default(false)",
    "createdAt{n} DateTime @default(now())",
    "updatedAt{n} DateTime @updatedAt",
    "meta{n} Json?",
    "price{n} Decimal @default(0) @db.Decimal(12, 2)",
    "ratio{n} Float?",
    "body{n} String? @db.Text",
    "status{n} Status @default(ACTIVE)",
    "tags{n} String[] @default([])",
    "token{n} String @default(uuid())",
    "ref{n} String? @db.Uuid",
    "when{n} DateTime? @db.Timestamptz(6)",
)


def model_text(number: int, models: int) -> str:
    name = f"Model{number:04d}"
    lines = ["id Int @id @default(autoincrement())"]
    if number > 0:
        lines += ["parentId Int?",
                  f"parent Model{number - 1:04d}? @relation(fields: [parentId], references: [id],"
                  " onDelete: SetNull)"]
    else:
        lines.append("parentId Int?")
    if number + 1 < models:
        lines.append(f"children Model{number + 1:04d}[]")
    count = 15 + number % 2  # 17 or 18 columns with id and parentId: 35,000 for 2,000
    lines += [SCALARS[(number + k) % len(SCALARS)].format(n=k) for k in range(count)]
    block = ["@@index([parentId])", f'@@map("model_{number:04d}")']
    body = "".join(f"  {line}\n" for line in lines + block)
    return f"model {name} {{\n{body}}}\n"


def schema_text(models: int) -> str:
    header = (
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
        'generator client {\n  provider = "prisma-client-js"\n}\n'
        "enum Status {\n  ACTIVE\n  DISABLED\n  DELETED\n}\n"
    )
    return header + "".join(model_text(n, models) for n in range(models))


# --- databases ---------------------------------------------------------------------------------


def url_for(admin_dsn: str, name: str) -> str:
    return f"{admin_dsn.rpartition('/')[0]}/{name}"


def database_exists(admin_dsn: str, name: str) -> bool:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() is not None


def create_database(admin_dsn: str, name: str, ddl: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                           url_for(admin_dsn, name)], input=ddl, text=True,
                          capture_output=True)
    if done.returncode != 0:
        sys.exit(f"applying the DDL to {name} failed: {done.stderr[-500:]}")


def drop_database(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def column_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped").fetchone()
    return int(row[0]) if row else 0


# --- the tools ---------------------------------------------------------------------------------

CATALOG_READ = (
    "SELECT n.nspname, c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), "
    "a.attnotnull, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
    "ORDER BY 1, 2, 3"
)


def ensure_migra() -> Path | None:
    migra = MIGRA_VENV / "bin" / "migra"
    if migra.exists():
        return migra
    print(f"creating {MIGRA_VENV} for migra ...", flush=True)
    steps = [["python3", "-m", "venv", str(MIGRA_VENV)],
             [str(MIGRA_VENV / "bin" / "pip"), "install", "-q", *MIGRA_PACKAGES]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"migra skipped: {' '.join(step[:3])} failed: "
                  f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}")
            return None
    return migra if migra.exists() else None


class Timings(list[float]):
    """Wall-clock seconds of each run, and in ``cpu`` the CPU seconds (user and system) of each
    run's process and of the children it waited for (drift's reading process, node's workers;
    not the database server's). CPU time moves far less than wall time with the machine's
    load."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def timed(command: list[str], runs: int, check: Callable[[subprocess.CompletedProcess[str]],
                                                         str | None],
          warmup: int = 1) -> Timings:
    """Wall-clock (and CPU) seconds of ``runs`` runs, after ``warmup`` untimed ones (the same for
    every tool: the first run of each pays for cold file and catalog caches); the first result
    is checked with ``check``."""
    times = Timings()
    for run in range(-warmup, runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run == -warmup:
            problem = check(done)
            if problem:
                sys.exit(f"{command[0]}: {problem}\n{done.stderr[-1000:]}")
        if run >= 0:
            times.append(elapsed)
            times.cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return times


def timed_alternately(first: list[str], second: list[str], runs: int,
                      check: Callable[[subprocess.CompletedProcess[str]], str | None],
                      warmup: int = 1) -> tuple[Timings, Timings]:
    """``timed`` of two commands, one run of each in turn."""
    times = (Timings(), Timings())
    for run in range(-warmup, runs):
        for command, found in zip((first, second), times, strict=True):
            if run < 0:
                timed(command, 0, check, 1)  # an untimed, checked warm-up run
            else:
                one = timed(command, 1, check, 0)
                found.extend(one)
                found.cpu.extend(one.cpu)
    return times


def drift_clean(done: subprocess.CompletedProcess[str]) -> str | None:
    if done.returncode != 0:
        return f"exit {done.returncode}"
    report = json.loads(done.stdout)
    findings = report["summary"]["findings"]
    return None if findings == 0 else f"{findings} findings: {report['findings'][:3]}"


def exit_zero(done: subprocess.CompletedProcess[str]) -> str | None:
    return None if done.returncode == 0 else f"exit {done.returncode}: {done.stdout[-300:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each tool first")
    parser.add_argument("--admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true",
                        help="keep (and reuse) the two databases and the schema file")
    parser.add_argument("--db-prefix", default=DEFAULT_PREFIX,
                        help="database names start with this (and the scratch folder's)")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also time manage.py drift of the checkout in DIR, same run")
    args = parser.parse_args()
    target_db, reference_db = f"{args.db_prefix}_target", f"{args.db_prefix}_reference"

    work = Path(tempfile.gettempdir()) / f"{args.db_prefix}_{args.models}"
    work.mkdir(exist_ok=True)
    schema = work / "schema.prisma"
    schema.write_text(schema_text(args.models))
    target = url_for(args.admin_dsn, target_db)
    reference = url_for(args.admin_dsn, reference_db)
    reuse = args.keep and database_exists(args.admin_dsn, target_db) \
        and database_exists(args.admin_dsn, reference_db)
    if not reuse:
        started = time.perf_counter()
        ddl = subprocess.run([str(ORACLE), "ddl", str(schema)], capture_output=True, text=True)
        if ddl.returncode != 0:
            sys.exit(f"prisma-oracle ddl failed: {ddl.stderr[-1000:]}")
        print(f"prisma-oracle ddl: {time.perf_counter() - started:.1f} s", flush=True)
        for name in (target_db, reference_db):
            create_database(args.admin_dsn, name, ddl.stdout)
    print(f"{args.models} models, {column_count(target)} columns in {target_db}", flush=True)

    python = str(REPO / ".venv" / "bin" / "python")
    rows: list[tuple[str, Timings]] = []
    try:
        drift = [python, "manage.py", "drift", "--schema", str(schema), "--database-url", target,
                 "--format", "json"]
        if args.baseline is None:
            rows.append(("manage.py drift (whole process)",
                         timed(drift, args.runs, drift_clean, args.warmup)))
        else:
            # run for run, alternately, so that a change in the machine's load weighs on both
            old = [python, str(args.baseline.resolve() / "manage.py"), *drift[2:]]
            ours, theirs = timed_alternately(drift, old, args.runs, drift_clean, args.warmup)
            rows.append(("manage.py drift (whole process)", ours))
            rows.append((f"manage.py drift ({args.baseline.name})", theirs))
        rows.append(("prisma-oracle diff (Prisma's live diff)", timed(
            [str(ORACLE), "diff", target, str(schema)], args.runs, exit_zero, args.warmup)))
        migra = ensure_migra()
        if migra is not None:
            rows.append(("migra (reference DB vs target)", timed(
                [str(migra), "--unsafe", reference, target], args.runs, exit_zero, args.warmup)))
        rows.append(("psql: read every column of the catalog", timed(
            ["psql", "-X", "-q", "-A", "-t", "-d", target, "-o", os.devnull, "-c",
             CATALOG_READ], args.runs, exit_zero, args.warmup)))
    finally:
        if not args.keep:
            for name in (target_db, reference_db):
                drop_database(args.admin_dsn, name)
    print_table(rows, args.runs)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def print_table(rows: list[tuple[str, Timings]], runs: int) -> None:
    ours = statistics.median(rows[0][1])
    print(f"\nmedian of {runs} runs, wall clock, {os.cpu_count()} cores; CPU: the process and "
          "its children, not the database server")
    print(f"{'tool':<42} {'median s':>9} {'min s':>7} {'max s':>7} {'vs drift':>9} "
          f"{'CPU s':>6}")
    for label, times in rows:
        median = statistics.median(times)
        print(f"{label:<42} {median:>9.2f} {min(times):>7.2f} {max(times):>7.2f} "
              f"{median / ours:>8.1f}x {statistics.median(times.cpu):>6.2f}")
    verdict = "meets" if ours <= 1.0 else "MISSES"
    print(f"\nmanage.py drift {verdict} the 1.0 s target (median {ours:.2f} s)")


if __name__ == "__main__":
    main()
