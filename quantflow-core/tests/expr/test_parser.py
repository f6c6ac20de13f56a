from __future__ import annotations

import pytest
from quantflow.expr import ExpressionError, ast, parse
from quantflow.expr.limits import MAX_DEPTH, MAX_LENGTH


def shape(node: ast.Expr) -> object:
    """Compact structural view of a tree, ignoring spans."""
    match node:
        case ast.Number(value=v):
            return v
        case ast.Boolean(value=v):
            return v
        case ast.String(value=v):
            return f"'{v}'"
        case ast.Name(name=n):
            return n
        case ast.Unary(op=op, operand=o):
            return (op, shape(o))
        case ast.Binary(op=op, left=l, right=r):
            return (op, shape(l), shape(r))
        case ast.Lag(operand=o, bars=b):
            return ("->", shape(o), b)
        case ast.Call(name=n, args=a, keywords=k):
            return (n, *[shape(x) for x in a], *[(kw.name, shape(kw.value)) for kw in k])
    raise AssertionError(node)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1_000 + 1.5e3", ("+", 1000.0, 1500.0)),
        ("1 + 2 * 3", ("+", 1.0, ("*", 2.0, 3.0))),
        ("(1 + 2) * 3", ("*", ("+", 1.0, 2.0), 3.0)),
        ("10 - 4 - 3", ("-", ("-", 10.0, 4.0), 3.0)),
        ("2 ** 3 ** 2", ("**", 2.0, ("**", 3.0, 2.0))),
        ("-2 ** 2", ("-", ("**", 2.0, 2.0))),
        ("2 ** -1", ("**", 2.0, ("-", 1.0))),
        ("-a * b", ("*", ("-", "a"), "b")),
        ("a % 3 / 2", ("/", ("%", "a", 3.0), 2.0)),
        ("not a < b and c or d", ("or", ("and", ("not", ("<", "a", "b")), "c"), "d")),
        ("a or b and c", ("or", "a", ("and", "b", "c"))),
        ("close->5 * 2", ("*", ("->", "close", 5), 2.0)),
        ("-close->1", ("-", ("->", "close", 1))),
        ("sma(close, 3)->2", ("->", ("sma", "close", 3.0), 2)),
        ("x->1->2", ("->", ("->", "x", 1), 2)),
        ('lookup("VNINDEX", close)', ("lookup", "'VNINDEX'", "close")),
        ("rsi(close, n=14)", ("rsi", "close", ("n", 14.0))),
        ("f()", ("f",)),
        ("true != false", ("!=", True, False)),
        ("a >= 1 == (b <= 2)", None),  # chained comparison: rejected
    ],
)
def test_precedence_and_shapes(text: str, expected: object) -> None:
    if expected is None:
        with pytest.raises(ExpressionError, match="cannot be chained"):
            parse(text)
    else:
        assert shape(parse(text)) == expected


def test_integer_literals_are_flagged() -> None:
    assert isinstance(n := parse("1_000"), ast.Number) and n.is_integer
    assert isinstance(n := parse("20.0"), ast.Number) and not n.is_integer
    assert isinstance(n := parse("2e3"), ast.Number) and not n.is_integer


def test_spans_cover_the_source() -> None:
    tree = parse("sma(close, 20)")
    assert isinstance(tree, ast.Call)
    assert (tree.span.start, tree.span.end) == (0, 14)
    assert (tree.name_span.start, tree.name_span.end) == (0, 3)


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("close.shift(1)", 1, 6, "attribute access"),
        ("close +", 1, 8, "expected a value"),
        ("sma(close, 3", 1, 13, "expected ')'"),
        ("close = 3", 1, 7, "use '=='"),
        ("close\n  + $", 2, 5, "unexpected character '$'"),
        ("close->x", 1, 8, "whole number of bars"),
        ("close->1.5", 1, 8, "whole number of bars"),
        ("1__0", 1, 1, "malformed number"),
        ("'VNINDEX", 1, 1, "not closed"),
        ("", 1, 1, "empty"),
        ("a and", 1, 6, "expected a value"),
        ("and b", 1, 1, "is an operator"),
        ("sma(n=1, close)", 1, 10, "positional argument follows"),
        ("close[1]", 1, 6, "x->n"),
        ("+close", 1, 1, "unary '+'"),
    ],
)
def test_syntax_errors_are_located(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.column) == (line, column)
    assert fragment in diagnostic.message
    assert "^" in diagnostic.excerpt.splitlines()[-1]


def test_caret_sits_under_the_offending_text() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("close > 1 $ 2")
    source, caret = caught.value.diagnostics[0].excerpt.splitlines()
    assert source[caret.index("^")] == "$"


def test_length_limit() -> None:
    with pytest.raises(ExpressionError, match="too long"):
        parse("1+" * (MAX_LENGTH // 2) + "1")


@pytest.mark.parametrize(
    "text",
    [
        "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
        "-" * 5000 + "1",
        "not " * 2000 + "true",
        "1" + "**1" * 3000,
        "a" + "+a" * 3000,  # a long left-leaning chain: no recursion, still bounded
        "f(" * 3000 + ")" * 3000,
    ],
)
def test_nesting_limit(text: str) -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse(text)


def test_nesting_within_limit_parses() -> None:
    depth = MAX_DEPTH - 2
    assert shape(parse("(" * depth + "1" + ")" * depth)) == 1.0
