"""How fast is reading a big schema: parse, validate and lower the 2,000-model schema that
``bench/drift_speed.py`` builds (a benchmark, not a test; the numbers go in the README).

    .venv/bin/python bench/schema_parse_speed.py [--models 2000] [--runs 7]

Prints the median CPU time of ``--runs`` runs of each step and of the whole of
``expected_schema`` (what an audit does before it reads the database). No database is needed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.drift_speed import schema_text  # noqa: E402


def median_seconds(step: Callable[[], object], runs: int) -> float:
    """CPU time (other jobs on the machine move wall time a lot), with the cyclic garbage
    collector paused as ``manage.py drift`` pauses it."""
    times = []
    for _ in range(runs):
        gc.disable()
        started = time.process_time()
        step()
        times.append(time.process_time() - started)
        gc.enable()
        gc.collect()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from audits.engine.audit import expected_schema
    from audits.engine.prisma.lowering import lower
    from audits.engine.prisma.parser import parse_schema

    text = schema_text(args.models)
    parsed = parse_schema(text)
    steps: dict[str, Callable[[], object]] = {
        "parse": lambda: parse_schema(text),
        "lower": lambda: lower(parsed),
    }
    try:
        from audits.engine.prisma.validate import validate
    except ImportError:
        pass
    else:
        steps["validate"] = lambda: validate(parsed)
    steps["expected_schema (all of it)"] = lambda: expected_schema(text)
    print(f"{args.models} models, {len(text.splitlines())} lines, "
          f"median CPU time of {args.runs} runs")
    for name, step in steps.items():
        print(f"  {name:30s} {median_seconds(step, args.runs) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
