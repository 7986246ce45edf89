"""Big and pathological input costs memory in proportion to its size (traced allocations, not
time: bench/hostile_input.py has the timings), and what is past the caps is refused by name
before it is read. The workers and the CLI accept a 10 MB schema and a 100,000-line route
file; these tests hold the per-byte cost that makes that safe, on inputs small enough to run
in a few seconds."""

from __future__ import annotations

import contextlib
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from audits.engine.audit import expected_schema
from audits.engine.endpoints import modules, scan_backend
from audits.engine.endpoints.scan import MAX_SOURCE_BYTES
from audits.engine.errors import EngineError, SchemaError
from bench.hostile_input import big_schema, route_file

HEAD = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n'


def peak_bytes(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def scan_text(tmp_path: Path, text: str) -> Callable[[], object]:
    code = tmp_path / "code"
    (code / "src").mkdir(parents=True, exist_ok=True)
    (code / "src" / "db.ts").write_text("export const prisma = new PrismaClient();\n")
    (code / "src" / "routes.ts").write_text(text)
    return lambda: scan_backend(code, ["User"])


def test_a_schema_costs_memory_in_proportion_to_its_size() -> None:
    small, large = big_schema(0.1), big_schema(0.4)
    small_peak = peak_bytes(lambda: expected_schema({"schema.prisma": small}))
    large_peak = peak_bytes(lambda: expected_schema({"schema.prisma": large}))
    # 37-44 bytes of memory per byte of schema (10 MB: 413 MB peak RSS), growing no faster
    assert large_peak < 50 * len(large), large_peak / len(large)
    # four times the input, at most five times the memory (tables and lists grow in steps);
    # anything quadratic would be sixteen
    assert large_peak / small_peak < 5 * len(large) / len(small) / 4, large_peak / small_peak


@pytest.mark.parametrize("literal", [
    '  s String @default("' + "a" * 400_000 + '")\n',  # one long string
    "  /* " + "a" * 400_000 + " */\n",  # one long block comment
])
def test_a_long_literal_costs_no_memory_per_character(literal: str) -> None:
    text = HEAD + "model A {\n  id Int @id\n" + literal + "}\n"
    # the string alternative of the lexer's regex once kept a backtracking frame per
    # character: 62 MB to lex a 400 KB string
    peak = peak_bytes(lambda: _parse_quietly(text))
    assert peak < 8 * len(text), peak / len(text)


def _parse_quietly(text: str) -> None:
    # a block comment inside a model is an error, as in Prisma; its cost is the point
    with contextlib.suppress(SchemaError):
        expected_schema({"schema.prisma": text})


def test_a_deeply_nested_value_is_refused_at_a_fixed_depth() -> None:
    text = HEAD + "model A {\n  id Int @id @default(" + "[" * 50_000 + "]" * 50_000 + ")\n}\n"
    with pytest.raises(SchemaError, match=r"nesting too deep \(expected at most 64 nested"):
        expected_schema({"schema.prisma": text})


def test_a_route_file_costs_memory_in_proportion_to_its_lines(tmp_path: Path) -> None:
    small, large = route_file(400), route_file(1_600)
    small_peak = peak_bytes(scan_text(tmp_path / "small", small))
    large_peak = peak_bytes(scan_text(tmp_path / "large", large))
    # about 60 bytes per byte (100,000 lines, 8.5 MB: 555 MB peak RSS), growing no faster
    assert large_peak < 75 * len(large), large_peak / len(large)
    assert large_peak / small_peak < 5, large_peak / small_peak


@pytest.mark.parametrize("shape", [
    lambda n: "(" * n,  # never closed
    lambda n: "f(" * (n // 2) + ")" * (n // 2),  # nested n deep
    lambda n: "`${" * (n // 3) + "}`" * (n // 3),  # template literals nested n deep
    lambda n: "'x\n" * (n // 3),  # unterminated strings
])
def test_pathological_source_stays_linear_in_memory(tmp_path: Path,
                                                    shape: Callable[[int], str]) -> None:
    head = "const router = express.Router();\nrouter.get('/a', (q, s) => q);\n"
    small_peak = peak_bytes(scan_text(tmp_path / "small", head + shape(5_000)))
    large_peak = peak_bytes(scan_text(tmp_path / "large", head + shape(20_000)))
    assert large_peak / small_peak < 5, large_peak / small_peak


def test_a_source_file_past_the_byte_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    with (code / "routes.ts").open("wb") as file:
        file.truncate(MAX_SOURCE_BYTES + 1)  # sparse: its size is all the check reads
    with pytest.raises(EngineError) as error:
        scan_backend(code, ["User"])
    assert str(error.value) == "routes.ts is larger than 10,485,760 bytes: too large to scan"


def test_a_source_file_past_the_token_cap_is_refused_by_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modules, "MAX_SOURCE_TOKENS", 1_000)
    with pytest.raises(EngineError) as error:
        scan_text(tmp_path, route_file(100))()
    assert str(error.value) == "src/routes.ts holds more than 1,000 tokens: too large to scan"


def test_the_100000_line_route_file_is_within_both_caps() -> None:
    text = route_file(100_000)
    assert len(text.encode()) == 8_288_677 <= MAX_SOURCE_BYTES
    # every line has the same tokens: 1,000 lines measure them all
    tokens_per_line = (len(modules.tokenize(route_file(2_000)))
                       - len(modules.tokenize(route_file(1_000)))) / 1_000
    assert tokens_per_line * 100_000 <= modules.MAX_SOURCE_TOKENS


def test_route_calls_that_never_close_are_no_endpoints_and_cost_linear_memory(
        tmp_path: Path) -> None:
    def unclosed(n: int) -> str:
        # each handler used to run to the end of the file: 250 of them took 17 s
        return "const router = express.Router();\n" + "".join(
            f"router.get('/r{i}', (q, s) => prisma.user.findMany(\n" for i in range(n))

    assert scan_text(tmp_path / "one", unclosed(50))().endpoints == ()
    small_peak = peak_bytes(scan_text(tmp_path / "small", unclosed(500)))
    large_peak = peak_bytes(scan_text(tmp_path / "large", unclosed(2_000)))
    assert large_peak / small_peak < 5, large_peak / small_peak


def test_route_registrations_nested_past_the_cap_are_refused_by_name(tmp_path: Path) -> None:
    def nested(n: int) -> str:
        return "const router = express.Router();\n" + "".join(
            f"router.get('/r{i}', (q, s) => {{ prisma.user.findMany();\n" for i in range(n)) + \
            "})" * n + ";\n"

    result = scan_text(tmp_path / "ok", nested(16))()
    assert len(result.endpoints) == 16
    with pytest.raises(EngineError) as error:
        scan_text(tmp_path / "deep", nested(17))()
    assert str(error.value) == ("src/routes.ts nests route registrations more than 16 deep "
                                "inside each other's handlers: too deep to scan")
