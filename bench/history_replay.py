"""How long does replaying a real migration history take, and does the cache skip it?
(a benchmark, not a test)

Replays langfuse's 434 migrations (``/work/shared/fixtures/real-world/langfuse/migrations``)
on the shadow server, cold: no cached replay and no template database of any prefix of the
history (the benchmark drops those first). Then asks again for the same folder, which the
cache must serve without replaying (the second call is given an unreachable shadow server to
prove it). Then "one more migration": the history without its last migration is replayed
(untimed, into a second cache folder), and the whole history is timed again, which starts from
that replay's template database and runs only the last migration; its result must equal the
cold one. ``--step-by-step`` also introspects after each migration, as the three-way view
needs; ``--templates 0`` keeps no template (each replay drops its database, as before).

    .venv/bin/python bench/history_replay.py [--step-by-step] [--migrations DIR]
        [--shadow-dsn postgresql://postgres@127.0.0.1:5432/postgres] [--templates N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits.engine.history import clear_memory_cache, read_folder, replay  # noqa: E402
from audits.engine.history.shadow import (  # noqa: E402
    TEMPLATES_KEPT,
    drop_templates,
    template_names,
)

DEFAULT_FOLDER = Path("/work/shared/fixtures/real-world/langfuse/migrations")
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/postgres"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--shadow-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--step-by-step", action="store_true")
    parser.add_argument("--templates", type=int, default=TEMPLATES_KEPT)
    args = parser.parse_args()
    options = {"step_by_step": args.step_by_step, "templates": args.templates}

    started = time.perf_counter()
    folder = read_folder(args.migrations)
    read_s = time.perf_counter() - started
    chain = template_names(folder.migrations)
    with tempfile.TemporaryDirectory(prefix="dw-history-bench-") as cache, \
            tempfile.TemporaryDirectory(prefix="dw-history-bench-") as shorter_cache:
        drop_templates(args.shadow_dsn, chain)  # cold: no template of any prefix either
        started = time.perf_counter()
        first = replay(folder, args.shadow_dsn, cache_dir=cache, **options)
        first_s = time.perf_counter() - started

        started = time.perf_counter()
        memory = replay(read_folder(args.migrations), UNREACHABLE, cache_dir=cache, **options)
        memory_s = time.perf_counter() - started

        clear_memory_cache()  # a new worker process: only the disk cache is left
        started = time.perf_counter()
        disk = replay(read_folder(args.migrations), UNREACHABLE, cache_dir=cache, **options)
        disk_s = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(cache).glob("*.json"))

        grown_s = None
        if args.templates > 0 and len(folder.migrations) > 1:
            drop_templates(args.shadow_dsn, chain)
            replay(folder, args.shadow_dsn, names=folder.names[:-1], cache_dir=shorter_cache,
                   **options)
            clear_memory_cache()
            started = time.perf_counter()
            grown = replay(folder, args.shadow_dsn, cache_dir=shorter_cache, **options)
            grown_s = time.perf_counter() - started
            assert not grown.cached and grown.schema == first.schema
            assert grown.attribution == first.attribution

    assert not first.cached and memory.cached and disk.cached
    assert first.schema == memory.schema == disk.schema
    owners = "" if first.attribution is None else f", {len(first.attribution)} objects attributed"
    print(f"{args.migrations}: {len(folder.migrations)} migrations, "
          f"{len(first.schema.tables)} tables{owners}")
    print(f"read folder + checksums:      {read_s * 1000:9.1f} ms")
    print(f"cold replay{' step by step' if args.step_by_step else ''}:"
          f"{' ' * (18 - (13 if args.step_by_step else 0))}{first_s * 1000:9.1f} ms")
    print(f"second call, memory cache:    {memory_s * 1000:9.1f} ms (read folder included)")
    print(f"second call, disk cache:      {disk_s * 1000:9.1f} ms ({size / 1024:.0f} KiB JSON)")
    if grown_s is not None:
        print(f"one more migration, template: {grown_s * 1000:9.1f} ms (the first "
              f"{len(folder.migrations) - 1} from the template of an earlier replay)")


if __name__ == "__main__":
    main()
