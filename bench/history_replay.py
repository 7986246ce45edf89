"""How long does replaying a real migration history take, and does the cache skip it?
(a benchmark, not a test)

Replays langfuse's 434 migrations (``/work/shared/fixtures/real-world/langfuse/migrations``)
on the shadow server into a scratch database that is dropped afterwards, with a fresh cache
folder; then asks again for the same folder, which the cache must serve without replaying
(the second call is given an unreachable shadow server to prove it). ``--step-by-step`` also
introspects after each migration, as the three-way view needs.

    .venv/bin/python bench/history_replay.py [--step-by-step] [--migrations DIR]
        [--shadow-dsn postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits.engine.history import clear_memory_cache, read_folder, replay  # noqa: E402

DEFAULT_FOLDER = Path("/work/shared/fixtures/real-world/langfuse/migrations")
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/postgres"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--shadow-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--step-by-step", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    folder = read_folder(args.migrations)
    read_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="dw-history-bench-") as cache:
        started = time.perf_counter()
        first = replay(folder, args.shadow_dsn, step_by_step=args.step_by_step, cache_dir=cache)
        first_s = time.perf_counter() - started

        started = time.perf_counter()
        memory = replay(read_folder(args.migrations), UNREACHABLE,
                        step_by_step=args.step_by_step, cache_dir=cache)
        memory_s = time.perf_counter() - started

        clear_memory_cache()  # a new worker process: only the disk cache is left
        started = time.perf_counter()
        disk = replay(read_folder(args.migrations), UNREACHABLE,
                      step_by_step=args.step_by_step, cache_dir=cache)
        disk_s = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(cache).glob("*.json"))

    assert not first.cached and memory.cached and disk.cached
    assert first.schema == memory.schema == disk.schema
    owners = "" if first.attribution is None else f", {len(first.attribution)} objects attributed"
    print(f"{args.migrations}: {len(folder.migrations)} migrations, "
          f"{len(first.schema.tables)} tables{owners}")
    print(f"read folder + checksums:      {read_s * 1000:9.1f} ms")
    print(f"replay{' step by step' if args.step_by_step else ''}:"
          f"{' ' * (23 - (13 if args.step_by_step else 0))}{first_s * 1000:9.1f} ms")
    print(f"second call, memory cache:    {memory_s * 1000:9.1f} ms (read folder included)")
    print(f"second call, disk cache:      {disk_s * 1000:9.1f} ms ({size / 1024:.0f} KiB JSON)")


if __name__ == "__main__":
    main()
