#!/usr/bin/env python
"""Time and peak memory of the engine on the largest hostile inputs Driftwatch accepts.

- a 10 MB schema.prisma (the DRIFTWATCH_MAX_FILE_BYTES cap): parse and lower;
- a 100,000-line route file (one Express route per line, each touching a model): scan.

Each case runs in a fresh process (peak RSS is that process's own), 3 runs, best and median.
Run: .venv/bin/python bench/hostile_input.py [--runs 3] [--mb 10] [--lines 100000]
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


def child(case: str, megabytes: float, lines: int) -> None:
    sys.path.insert(0, str(REPO))
    if case == "schema":
        from audits.engine.audit import expected_schema

        text = big_schema(megabytes)
        started = time.perf_counter()
        schema = expected_schema({"schema.prisma": text})
        elapsed = time.perf_counter() - started
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
            started = time.perf_counter()
            result = scan_backend(root, ["User"])
            elapsed = time.perf_counter() - started
            detail = {"lines": lines, "endpoints": len(result.endpoints)}
        finally:
            shutil.rmtree(root)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, **detail}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--child", choices=["schema", "routes"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mb, args.lines)
        return
    import os

    print(f"load average {os.getloadavg()[0]:.1f}")
    for case in ("schema", "routes"):
        results = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--child", case, "--mb", str(args.mb),
                 "--lines", str(args.lines)], capture_output=True, text=True, check=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        times = [r["seconds"] for r in results]
        extra = {k: v for k, v in results[0].items() if k not in ("seconds", "peak_mb")}
        print(f"{case}: best {min(times):.2f} s, median {statistics.median(times):.2f} s, "
              f"peak RSS {max(r['peak_mb'] for r in results):.0f} MB, {extra}")


if __name__ == "__main__":
    main()
