"""The endpoint scanner's tokenizer: comments, strings and template text never look like code."""

from __future__ import annotations

from audits.engine.endpoints.lexer import PLACEHOLDER, Kind, Token, matching_close, tokenize


def values(tokens: list[Token]) -> list[str]:
    return [token.value for token in tokens]


def test_line_and_block_comments_disappear_and_lines_are_kept() -> None:
    tokens = tokenize("a // prisma.user.findMany()\n/* prisma.order\n.findMany() */ b")
    assert values(tokens) == ["a", "b"]
    assert [token.line for token in tokens] == [1, 3]


def test_strings_are_one_token_with_the_unescaped_value() -> None:
    tokens = tokenize("""x = 'it\\'s' + "prisma.user.count()" """)
    assert [(t.kind, t.value) for t in tokens] == [
        (Kind.IDENT, "x"), (Kind.PUNCT, "="), (Kind.STRING, "it's"), (Kind.PUNCT, "+"),
        (Kind.STRING, "prisma.user.count()"),
    ]


def test_a_string_never_spans_lines() -> None:
    tokens = tokenize("a = 'unterminated\nb()")
    assert values(tokens) == ["a", "=", "unterminated", "b", "(", ")"]
    assert tokens[-3].line == 2


def test_template_text_is_one_token_and_substitutions_are_code() -> None:
    tokens = tokenize("`total ${prisma.user.count()} prisma.order.findMany() ${n}`;")
    assert tokens[0].kind is Kind.TEMPLATE
    assert tokens[0].value == f"total {PLACEHOLDER} prisma.order.findMany() {PLACEHOLDER}"
    assert tokens[0].substitutions == 2
    assert values(tokens[1:]) == [
        "${", "prisma", ".", "user", ".", "count", "(", ")", "}", "${", "n", "}", ";",
    ]


def test_nested_templates_and_object_literals_inside_substitutions() -> None:
    tokens = tokenize("`a ${ f({ k: `b ${c} d` }) } e`\nnext")
    kinds = [t.kind for t in tokens]
    assert kinds.count(Kind.TEMPLATE) == 2
    assert tokens[0].value == f"a {PLACEHOLDER} e"
    inner = [t for t in tokens if t.kind is Kind.TEMPLATE][1]
    assert inner.value == f"b {PLACEHOLDER} d"
    assert tokens[-1].value == "next" and tokens[-1].line == 2
    assert matching_close(tokens, 1) == len(tokens) - 2  # "${" ... "}" balance


def test_multiline_template_counts_lines() -> None:
    tokens = tokenize("`line1\nline2\n${x}`\ny")
    assert [(t.value, t.line) for t in tokens[1:]] == [("${", 3), ("x", 3), ("}", 3), ("y", 4)]


def test_regex_literals_hide_quotes_and_comment_starts() -> None:
    tokens = tokenize("const r = /'\\/*\"/g; const q = a / b / c; // x")
    assert (tokens[3].kind, tokens[3].value) == (Kind.REGEX, "/'\\/*\"/g")
    assert values(tokens[5:]) == ["const", "q", "=", "a", "/", "b", "/", "c", ";"]


def test_division_after_closing_paren_and_regex_after_return() -> None:
    tokens = tokenize("x = (a) / 2 / 3\nreturn /ab'c/.test(s)")
    assert [t.kind for t in tokens[:9]] == [
        Kind.IDENT, Kind.PUNCT, Kind.PUNCT, Kind.IDENT, Kind.PUNCT, Kind.PUNCT, Kind.NUMBER,
        Kind.PUNCT, Kind.NUMBER,
    ]
    assert tokens[10].kind is Kind.REGEX and tokens[10].value == "/ab'c/"


def test_punctuation_is_read_longest_first() -> None:
    tokens = tokenize("a?.b ?? c === d => ...e")
    assert values(tokens) == ["a", "?.", "b", "??", "c", "===", "d", "=>", "...", "e"]


def test_matching_close_finds_the_partner_bracket() -> None:
    tokens = tokenize("f(a, [b, {c: (d)}], `${e}`) + 1")
    assert tokens[matching_close(tokens, 1)].value == ")"
    assert matching_close(tokens, 1) == len(tokens) - 3


TRICKY = r"""
import type { NextRequest } from 'next/server'
type Route = `/api/${string}`
const re = /[/'"`]+\/\*(?:x|y)*/giu, half = total / 2 / count
const url = `${base}/users/${encodeURIComponent(id)}?q=${q ?? ''}`
const esc = 'it\'s "quoted" // not a comment', dq = "a /* b */ c"
function generic<T,>(value: T): T[] { return [value] }
const n = a! / b!, m = (x as number) / 3, k = arr[0] / 2
export function View({ user }: Props) {
  return <div className="card" onClick={() => go(`/u/${user.id}`)}>{user.name}{/* note */}</div>
}
label: for (const x of xs) { if (x) continue label; else break }
const big = 1_000n + 0x1F + .5e-3
const obj = { 'key': `${ { nested: `${deep}` }.nested }` }
"""


def test_tricky_code_stays_balanced_and_only_real_code_is_code() -> None:
    tokens = tokenize(TRICKY)
    depth = 0
    for token in tokens:
        if token.kind is Kind.PUNCT and token.value in ("(", "[", "{", "${"):
            depth += 1
        elif token.kind is Kind.PUNCT and token.value in (")", "]", "}"):
            depth -= 1
        assert depth >= 0, token
    assert depth == 0
    idents = {token.value for token in tokens if token.kind is Kind.IDENT}
    assert {"half", "total", "count", "encodeURIComponent", "deep", "big", "View"} <= idents
    assert not {"quoted", "comment", "note"} & idents
    regexes = [t.value for t in tokens if t.kind is Kind.REGEX]
    # the one regex; JSX's "</div>" also reads as one, which only hides the rest of its line
    assert regexes == ["/[/'\"`]+\\/\\*(?:x|y)*/giu", "/div>"]
    assert tokens[-1].line == TRICKY.count("\n")


def test_non_null_assertion_divides_but_prefix_not_starts_a_regex() -> None:
    assert [t.kind for t in tokenize("a! / b")] == [Kind.IDENT, Kind.PUNCT, Kind.PUNCT,
                                                    Kind.IDENT]
    tokens = tokenize("if (!/a'b/.test(s)) x = 'y'")
    assert [t.value for t in tokens if t.kind is Kind.REGEX] == ["/a'b/"]
    assert tokens[-1].kind is Kind.STRING and tokens[-1].value == "y"
