"""How long the endpoint scanner takes on a generated Next.js tree.

The tree has ROUTES App Router route files (two methods each) and SERVICES service modules;
each route imports two services through the ``@/`` alias and a barrel file, and each service
uses a few models with nested includes, a transaction and some commented-out and string noise.

    .venv/bin/python bench/scan_speed.py [--routes 500] [--services 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.engine.endpoints import scan_backend  # noqa: E402

MODELS = [f"Model{i}" for i in range(60)] + ["User", "Order", "OrderItem", "Product"]
RELATIONS = {
    "Order": {"user": "User", "items": "OrderItem"},
    "OrderItem": {"product": "Product"},
}

SERVICE = """\
import {{ prisma }} from '@/lib/prisma'
import type {{ Prisma }} from '@prisma/client'

// prisma.user.deleteMany() was removed in 7baa291
const NOTE = "prisma.order.findMany() is paginated"

export async function list{n}(take = 20) {{
  return prisma.{a}.findMany({{ take, orderBy: {{ createdAt: 'desc' }} }})
}}

export async function get{n}(id: string) {{
  const order = await prisma.order.findUnique({{
    where: {{ id }},
    include: {{ user: true, items: {{ include: {{ product: true }} }} }},
  }})
  return {{ order, label: `${{NOTE}}: ${{await prisma.{b}.count()}}` }}
}}

export async function write{n}(data: Prisma.InputJsonValue) {{
  return prisma.$transaction(async (tx) => {{
    await tx.{a}.create({{ data: {{ payload: data }} }})
    return tx.{c}.update({{ where: {{ id: 1 }}, data: {{}} }})
  }})
}}
"""

ROUTE = """\
import {{ NextRequest, NextResponse }} from 'next/server'
import {{ list{s1}, get{s1} }} from '@/services'
import {{ write{s2} }} from '@/services/service{s2}'

/* GET lists, POST writes: see docs/api.md */
export async function GET(req: NextRequest) {{
  const id = req.nextUrl.searchParams.get('id')
  return NextResponse.json(id ? await get{s1}(id) : await list{s1}())
}}

export const POST = async (req: NextRequest) => NextResponse.json(await write{s2}(await req.json()))
"""


def accessor(model: str) -> str:
    return model[:1].lower() + model[1:]


def generate(root: Path, routes: int, services: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "lib").mkdir(parents=True)
    (root / "services").mkdir()
    (root / "tsconfig.json").write_text('{"compilerOptions": {"paths": {"@/*": ["./*"]}}}')
    (root / "lib/prisma.ts").write_text(
        "import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n")
    barrel = []
    for n in range(services):
        a, b, c = (accessor(rng.choice(MODELS)) for _ in range(3))
        (root / f"services/service{n}.ts").write_text(SERVICE.format(n=n, a=a, b=b, c=c))
        barrel.append(f"export * from './service{n}'\n")
    (root / "services/index.ts").write_text("".join(barrel))
    for n in range(routes):
        folder = root / "app" / "api" / f"area{n % 20}" / f"res{n}" / "[id]"
        folder.mkdir(parents=True)
        s1, s2 = rng.randrange(services), rng.randrange(services)
        (folder / "route.ts").write_text(ROUTE.format(s1=s1, s2=s2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=500)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root, options.routes, options.services)
        files = sum(1 for _ in root.rglob("*.ts"))
        size = sum(path.stat().st_size for path in root.rglob("*.ts"))
        timings = []
        for _ in range(options.repeat):
            started = time.perf_counter()
            result = scan_backend(root, MODELS, RELATIONS)
            timings.append(time.perf_counter() - started)
        endpoints = len(result.endpoints)
        with_models = sum(1 for endpoint in result.endpoints if endpoint.models)
    print(f"tree: {options.routes} route files + {options.services} services "
          f"({files} files, {size / 1024:.0f} KiB)")
    print(f"endpoints: {endpoints} ({with_models} touching models), "
          f"unresolved imports: {len(result.unresolved)}")
    print(f"scan: best {min(timings):.2f}s, median {statistics.median(timings):.2f}s "
          f"over {options.repeat} runs ({endpoints / min(timings):.0f} endpoints/s)")


if __name__ == "__main__":
    main()
