"""The endpoint scanner on hostile source files: an answer or an EngineError, nothing else."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from audits.engine.endpoints import scan_backend
from audits.engine.endpoints.lexer import tokenize
from audits.engine.errors import EngineError
from tests.fuzz.conftest import FUZZ

MODELS = ("User", "Order", "SupplierProfile")
FRAGMENTS = st.sampled_from([
    "export async function GET(req) {", "export const POST = async () => {", "}", "{", "(", ")",
    "prisma.user.findMany(", "prisma.order.create({ data })", "await db.$queryRaw`SELECT 1`",
    "router.get('/users/:id', ", "app.post(\"/orders\", ", "import { x } from './lib';",
    "import * as s from '../service'", "require('./a')", "export default router;",
    "class A extends B { constructor(private s: S) { super(); } m() { this.s.f(); } }",
    "@Get(':id')", "@Controller('users')", "`${a}`", "'unterminated", "\"", "/* ", "*/", "//",
    "/re[gex]/g", "=>", ";", "\n", "\r\n", " ", "\\", "\x00", "\u2028", "é", "</", "<div>",
])
SOURCE = st.one_of(st.text(max_size=400),
                   st.lists(FRAGMENTS, max_size=60).map("".join))
LAYOUT = ["app/api/users/[id]/route.ts", "src/routes/index.ts", "src/services/user.service.ts",
          "pages/api/orders.js", "src/users.controller.ts"]


@FUZZ
@given(sources=st.lists(SOURCE, min_size=1, max_size=len(LAYOUT)))
def test_any_source_tree_scans_or_fails_cleanly(sources: list[str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="dw_fuzz_scan_"))
    try:
        for name, text in zip(LAYOUT, sources, strict=False):
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            result = scan_backend(root, MODELS)
        except EngineError:
            return
        for endpoint in result.endpoints:
            assert endpoint.route.startswith("/")
            assert set(endpoint.models) <= set(MODELS)
    finally:
        shutil.rmtree(root)


@FUZZ
@given(source=SOURCE)
def test_the_lexer_takes_any_text(source: str) -> None:
    tokens = tokenize(source)
    assert isinstance(tokens, list)


def test_a_route_file_past_the_cap_fails_the_scan_up_front(tmp_path: Path) -> None:
    from audits.engine.endpoints.scan import MAX_SOURCE_BYTES

    routes = tmp_path / "src" / "routes.ts"
    routes.parent.mkdir()
    line = "router.get('/r', async (req, res) => res.json(await prisma.user.findMany()));\n"
    routes.write_text(line * (MAX_SOURCE_BYTES // len(line) + 1))
    try:
        scan_backend(tmp_path, MODELS)
    except EngineError as error:
        assert str(error) == "src/routes.ts is larger than 10,485,760 bytes: too large to scan"
    else:
        raise AssertionError("a route file past the cap was scanned")


@FUZZ
@given(source=SOURCE)
def test_the_bracket_table_agrees_with_a_forward_scan(source: str) -> None:
    from audits.engine.endpoints.lexer import _scan_close, matching_close

    tokens = tokenize(source)
    for index, token in enumerate(tokens):
        if token.kind.value == "punct" and token.value in ("(", "[", "{", "${"):
            assert matching_close(tokens, index) == _scan_close(list(tokens), index)
