#!/usr/bin/env python
"""Time and peak memory of the engine on the largest hostile inputs Driftwatch accepts.

- a 10 MB schema.prisma (under the 16 MiB DRIFTWATCH_MAX_FILE_BYTES of the workers and CLI):
  parse, validate and lower;
- a 100,000-line route file (one Express route per line, each touching a model, 8.5 MB and
  2.7 million tokens, under the scanner's 10 MiB and 3,000,000-token caps): scan.

Each case runs in a fresh process (peak RSS is that process's own), 3 runs, best and median of
wall and CPU time (CPU moves least with other people's load).
Run: .venv/bin/python bench/hostile_input.py [--runs 3] [--mb 10] [--lines 100000]

``--shapes`` instead runs pathological inputs (deep nesting, one very long line, many
attributes, unbalanced brackets, long strings...) at a size and at four times that size, one
process each, and prints the CPU and peak-memory ratios: about 4 means linear.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

MODEL = """model M{n} {{
  id        Int      @id @default(autoincrement())
  email     String   @unique @db.VarChar(255)
  name      String?
  createdAt DateTime @default(now()) @map("created_at")
  ownerId   Int?
  tags      String[]
  @@index([createdAt])
  @@map("m_{n}")
}}

"""
HEAD = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n'


def big_schema(megabytes: float) -> str:
    parts, size, n = [HEAD], len(HEAD), 0
    while size < megabytes * 1_000_000:
        part = MODEL.format(n=n)
        parts.append(part)
        size += len(part)
        n += 1
    return "".join(parts)


def route_file(lines: int) -> str:
    head = "import express from 'express';\nimport { prisma } from '../db';\n" \
           "const router = express.Router();\n"
    body = "".join(
        f"router.get('/r{i}', async (req, res) => res.json(await prisma.user.findMany()));\n"
        for i in range(lines - 4))
    return head + body + "export default router;\n"


# Pathological shapes: (kind, size) -> text. Sizes are chosen so the small run takes ~0.1-1 s.
HEADER = HEAD + "model A {\n  id Int @id\n"
SHAPES: dict[str, tuple[str, int, Any]] = {
    "schema: one model, very many fields": ("schema", 20_000, lambda n: HEADER + "".join(
        f"  f{i} Int @default({i}) @map(\"c{i}\")\n" for i in range(n)) + "}\n"),
    "schema: one field, very many attributes": ("schema", 20_000, lambda n: HEADER +
        "  x Int " + " ".join("@default(1)" for _ in range(n)) + "\n}\n"),
    "schema: one very long line": ("schema", 20_000, lambda n: HEADER.replace("\n  id", " id")
        .rstrip("\n") + " " + " ".join(f"@@index([id], map: \"i{i}\")" for i in range(n))
        + "\n}\n"),
    "schema: a string of n*20 characters": ("schema", 20_000, lambda n: HEADER +
        '  s String @default("' + "a" * (n * 20) + '")\n}\n'),
    "schema: a /* */ comment of n*20 characters": ("schema", 20_000, lambda n: "/*" + "a" *
        (n * 20) + "*/\n" + HEADER + "}\n"),
    "schema: nesting n deep (refused at 64)": ("schema", 20_000, lambda n: HEADER +
        "  x Int @default(" + "[" * n + "]" * n + ")\n}\n"),
    "schema: many relations": ("schema", 2_000, lambda n: HEAD + "".join(
        f"model M{i} {{\n  id Int @id\n  nid Int?\n  n M{(i + 1) % n}? @relation(\"r{i}\", "
        f"fields: [nid], references: [id])\n  back M{(i - 1) % n}[] @relation(\"r{(i - 1) % n}"
        "\")\n}\n" for i in range(n))),
    "scanner: unbalanced '(' x n*20": ("routes", 20_000, lambda n: "(" * (n * 20)),
    "scanner: nested calls n*10 deep": ("routes", 20_000, lambda n: "f(" * (n * 10) +
        ")" * (n * 10)),
    "scanner: n routes on one line": ("routes", 5_000, lambda n: "const router = "
        "express.Router();" + "".join(f"router.get('/r{i}', (q, s) => prisma.user.findMany());"
                                      for i in range(n))),
    "scanner: n unclosed route calls": ("routes", 5_000, lambda n: "const router = "
        "express.Router();\n" + "".join(f"router.get('/r{i}', (q, s) => prisma.user.findMany(\n"
                                       for i in range(n))),
    "scanner: one chain of n routes": ("routes", 5_000, lambda n: "const router = "
        "express.Router();\nrouter" + "".join(f".get('/r{i}', (q, s) => prisma.user.findMany())"
                                              for i in range(n)) + ";\n"),
    "scanner: n route registrations nested (refused past 16)": ("routes", 5_000, lambda n:
        "".join(f"router.get('/r{i}', (q, s) => {{ prisma.user.findMany();\n" for i in range(n))
        + "})" * n + ";\n"),
    "scanner: templates nested n deep": ("routes", 20_000, lambda n: "const a = `" + "${`" * n
        + "`}" * n + "`;\n"),
    "scanner: n unterminated strings": ("routes", 20_000, lambda n: "'x\n" * (n * 5)),
    "scanner: one argument with n properties": ("routes", 20_000, lambda n: "router.get('/r', "
        "(q, s) => prisma.user.findMany({ " + ", ".join(f"a{i}: {{ b: [1, 2] }}" for i in
                                                       range(n)) + " }));\n"),
}


ROUTER_HEAD = "const router = express.Router();\nrouter.get('/a', (q, s) => q);\n"


def shape_child(name: str, size: int) -> None:
    sys.path.insert(0, str(REPO))
    from audits.engine.errors import EngineError

    case, _, make = SHAPES[name]
    text = make(size)
    started = time.process_time()
    try:
        if case == "schema":
            from audits.engine.audit import expected_schema

            expected_schema({"schema.prisma": text})
        else:
            from audits.engine.endpoints import scan_backend

            root = Path(tempfile.mkdtemp(prefix="dw_bench_shape_"))
            try:
                (root / "src").mkdir()
                # a router on the first line, so the scanner lexes and analyses the whole file
                (root / "src" / "routes.ts").write_text(ROUTER_HEAD + text)
                scan_backend(root, ["User"])
            finally:
                shutil.rmtree(root)
        outcome = "accepted"
    except EngineError as error:
        outcome = "refused: " + str(error)[:60]
    cpu = time.process_time() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cpu": cpu, "peak_mb": peak_mb, "bytes": len(text), "outcome": outcome}))


def shapes() -> None:
    for name, (_, size, _) in SHAPES.items():
        runs = []
        for n in (size, size * 4):
            done = subprocess.run([sys.executable, __file__, "--shape", name, "--size", str(n)],
                                  capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        small, big = runs
        print(f"{name}: {small['bytes']:,} -> {big['bytes']:,} bytes, CPU {small['cpu']:.2f} -> "
              f"{big['cpu']:.2f} s (x{big['cpu'] / max(small['cpu'], 1e-3):.1f}), peak "
              f"{small['peak_mb']:.0f} -> {big['peak_mb']:.0f} MB; {big['outcome']}")


def child(case: str, megabytes: float, lines: int) -> None:
    sys.path.insert(0, str(REPO))
    if case == "schema":
        from audits.engine.audit import expected_schema

        text = big_schema(megabytes)
        started, cpu = time.perf_counter(), time.process_time()
        schema = expected_schema({"schema.prisma": text})
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        detail = {"bytes": len(text), "tables": len(schema.tables)}
    else:
        from audits.engine.endpoints import scan_backend

        root = Path(tempfile.mkdtemp(prefix="dw_bench_routes_"))
        try:
            (root / "src" / "routes").mkdir(parents=True)
            (root / "src" / "db.ts").write_text("export const prisma = new PrismaClient();\n")
            (root / "src" / "routes" / "index.ts").write_text(route_file(lines))
            (root / "src" / "app.ts").write_text(
                "import express from 'express';\nimport r from './routes';\n"
                "const app = express();\napp.use('/api', r);\n")
            started, cpu = time.perf_counter(), time.process_time()
            result = scan_backend(root, ["User"])
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            detail = {"lines": lines, "endpoints": len(result.endpoints)}
        finally:
            shutil.rmtree(root)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb, **detail}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--child", choices=["schema", "routes"])
    parser.add_argument("--shapes", action="store_true")
    parser.add_argument("--shape")
    parser.add_argument("--size", type=int, default=0)
    args = parser.parse_args()
    if args.shape:
        shape_child(args.shape, args.size)
        return
    if args.child:
        child(args.child, args.mb, args.lines)
        return
    import os

    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.shapes:
        shapes()
        return
    for case in ("schema", "routes"):
        results = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--child", case, "--mb", str(args.mb),
                 "--lines", str(args.lines)], capture_output=True, text=True, check=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        times = [r["seconds"] for r in results]
        cpus = [r["cpu"] for r in results]
        extra = {k: v for k, v in results[0].items() if k not in ("seconds", "cpu", "peak_mb")}
        print(f"{case}: wall best {min(times):.2f} s, median {statistics.median(times):.2f} s; "
              f"CPU best {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s; "
              f"peak RSS {max(r['peak_mb'] for r in results):.0f} MB, {extra}")
        print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
