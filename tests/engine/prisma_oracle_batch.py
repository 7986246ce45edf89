"""Prisma's verdict (accept with its tables and columns, or refuse with its message) on many
schemas through one node process: ``prisma_oracle_batch.cjs`` over the prisma-oracle's own
WebAssembly build. Not a test module: the differential tests and bench scripts import it."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

DRIVER = Path(__file__).with_name("prisma_oracle_batch.cjs")
_PROBE = 'datasource db {\n  provider = "sqlite"\n}\nmodel A {\n  id Int @id\n}\n'


@dataclass(frozen=True)
class OracleVerdict:
    ok: bool
    tables: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""


def oracle_home() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return Path(os.environ.get("PRISMA_ORACLE_HOME", cache / "prisma-oracle"))


def ensure_installed(oracle: Path, scratch: Path) -> Path:
    """One ``prisma-oracle dmmf`` call: it installs the pinned packages on first use and copies
    its helpers into its home, which the batch driver then requires."""
    probe = scratch / "probe.prisma"
    probe.write_text(_PROBE)
    done = subprocess.run([str(oracle), "dmmf", str(probe)], capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"prisma-oracle dmmf failed: {done.stderr[-2000:]}")
    return oracle_home()


class OracleProcess:
    """One long-lived node process answering one schema at a time (a line in, a line out), so
    that a hypothesis test can ask per example and still pay node's start-up once."""

    def __init__(self, home: Path) -> None:
        self.process = subprocess.Popen(
            ["node", str(DRIVER), str(home)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, bufsize=1, env={**os.environ, "NODE_OPTIONS": "--no-warnings"})
        self.asked = 0

    def verdict(self, files: Mapping[str, str]) -> OracleVerdict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"id": self.asked, "files": list(files.items())})
                                 + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the oracle batch driver stopped")
        self.asked += 1
        answer = json.loads(line)
        return OracleVerdict(answer["ok"], answer.get("tables", {}), answer.get("message", ""))

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def verdicts(home: Path, schemas: Iterable[Mapping[str, str]]) -> list[OracleVerdict]:
    """Prisma's verdict on each multi-file schema ``{file name: text}``, in order."""
    lines = [json.dumps({"id": number, "files": list(files.items())})
             for number, files in enumerate(schemas)]
    done = subprocess.run(["node", str(DRIVER), str(home)], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "NODE_OPTIONS": "--no-warnings"})
    if done.returncode != 0:
        raise RuntimeError(f"the oracle batch driver failed: {done.stderr[-2000:]}")
    answers = {answer["id"]: answer for answer in map(json.loads, done.stdout.splitlines())}
    return [OracleVerdict(answers[n]["ok"], answers[n].get("tables", {}),
                          answers[n].get("message", "")) for n in range(len(lines))]
