"""Pratt parser: tokens to the syntax tree in `ast.py`.

Precedence, loosest first: `or`, `and`, `not`, comparisons (not chainable), `+ -`, `* / %`,
unary `-`, `**` (right-associative, so `-2**2 == -4` and `2**-1 == 0.5`), postfix lag `x->n`.
Parsing stops at the first syntax error; the type checker then reports every type error at once.
"""

from __future__ import annotations

from quantflow.expr import ast
from quantflow.expr.ast import Span
from quantflow.expr.errors import ExpressionError, diagnostic_at
from quantflow.expr.lexer import Token, TokenType, tokenize
from quantflow.expr.limits import MAX_DEPTH, MAX_LENGTH, MAX_WINDOW

# Left binding power of each infix/postfix operator.
_INFIX_POWER = {
    "or": 10,
    "and": 20,
    "<": 40, "<=": 40, ">": 40, ">=": 40, "==": 40, "!=": 40,
    "+": 50, "-": 50,
    "*": 60, "/": 60, "%": 60,
    "**": 80,
    "->": 90,
}
_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})
_NOT_OPERAND_POWER = 30  # `not a < b` is `not (a < b)`; `not a and b` is `(not a) and b`
_NEGATE_OPERAND_POWER = 70  # `-a * b` is `(-a) * b`, but `-a ** b` is `-(a ** b)`
_KEYWORDS = frozenset({"and", "or", "not", "true", "false"})


def parse(text: str) -> ast.Expr:
    """Parse expression text into a syntax tree; raise ExpressionError on the first syntax error."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            [
                diagnostic_at(
                    text, 0, 1,
                    f"expression is too long ({len(text):,} characters; the limit is {MAX_LENGTH:,})",
                )
            ]
        )
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    # -- token helpers ---------------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.type is not TokenType.EOF:
            self.pos += 1
        return token

    def at_op(self, op: str) -> bool:
        return self.current.type is TokenType.OP and self.current.text == op

    def error(self, span: Span, message: str) -> ExpressionError:
        return ExpressionError([diagnostic_at(self.text, span.start, span.end, message)])

    def describe(self, token: Token) -> str:
        return "end of expression" if token.type is TokenType.EOF else f"'{token.text}'"

    # -- grammar ---------------------------------------------------------------------------------

    def parse(self) -> ast.Expr:
        if self.current.type is TokenType.EOF:
            raise self.error(self.current.span, "expression is empty")
        node = self.expression(0)
        token = self.current  # a new token: `expression` has moved on since the check above
        if token.type is not TokenType.EOF:
            hint = "; use '==' to compare" if token.text == "=" else " — is an operator missing?"
            raise self.error(token.span, f"unexpected {self.describe(token)} after a complete expression{hint}")
        _check_depth(self.text, node)
        return node

    def expression(self, min_power: int) -> ast.Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(self.current.span, f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        left = self.prefix()
        while True:
            token = self.current
            op = token.text if token.type in (TokenType.OP, TokenType.NAME) else ""
            power = _INFIX_POWER.get(op)
            if power is None or power <= min_power:
                break
            self.advance()
            if op == "->":
                left = self.lag(left)
                continue
            # `**` is right-associative: its right operand may contain another `**`.
            right = self.expression(power - 1 if op == "**" else power)
            if op in _COMPARISONS and self.current.type is TokenType.OP and self.current.text in _COMPARISONS:
                raise self.error(
                    self.current.span,
                    "comparisons cannot be chained; write 'a < b and b < c'",
                )
            left = ast.Binary(op, left, right, Span(_start(left), _end(right)))
        self.depth -= 1
        return left

    def prefix(self) -> ast.Expr:
        token = self.advance()
        span = token.span
        if token.type is TokenType.NUMBER:
            return self.number(token)
        if token.type is TokenType.STRING:
            return ast.String(token.text, span)
        if token.type is TokenType.NAME:
            if token.text in ("true", "false"):
                return ast.Boolean(token.text == "true", span)
            if token.text == "not":
                operand = self.expression(_NOT_OPERAND_POWER)
                return ast.Unary("not", operand, Span(span.start, _end(operand)))
            if token.text in _KEYWORDS:
                raise self.error(span, f"'{token.text}' is an operator; expected a value before it")
            if self.at_op("("):
                return self.call(token)
            return ast.Name(token.text, span)
        if token.type is TokenType.OP:
            if token.text == "-":
                operand = self.expression(_NEGATE_OPERAND_POWER)
                return ast.Unary("-", operand, Span(span.start, _end(operand)))
            if token.text == "+":
                raise self.error(span, "unary '+' is not supported; drop it")
            if token.text == "(":
                inner = self.expression(0)
                self.expect_close(token)
                return inner
        raise self.error(span, f"expected a value, found {self.describe(token)}")

    def number(self, token: Token) -> ast.Number:
        digits = token.text.replace("_", "")
        is_integer = digits.isdigit()
        value = float(digits)
        if value == float("inf"):
            raise self.error(token.span, "number is too large")
        return ast.Number(value, is_integer, token.span)

    def lag(self, operand: ast.Expr) -> ast.Lag:
        token = self.advance()
        if token.type is not TokenType.NUMBER or not token.text.replace("_", "").isdigit():
            raise self.error(token.span, "'->' must be followed by a whole number of bars, e.g. close->1")
        bars = int(token.text.replace("_", ""))
        if bars > MAX_WINDOW:
            raise self.error(token.span, f"lag of {bars:,} bars exceeds the limit of {MAX_WINDOW:,}")
        return ast.Lag(operand, bars, Span(_start(operand), token.span.end))

    def call(self, name: Token) -> ast.Call:
        open_paren = self.advance()
        args: list[ast.Expr] = []
        keywords: list[ast.Keyword] = []
        while not self.at_op(")"):
            if self.current.type is TokenType.EOF:
                break
            if self.current.type is TokenType.NAME and self.tokens[self.pos + 1].text == "=":
                key = self.advance()
                self.advance()
                value = self.expression(0)
                keywords.append(ast.Keyword(key.text, value, Span(key.span.start, _end(value))))
            else:
                value = self.expression(0)
                if keywords:
                    raise self.error(_span(value), "positional argument follows a keyword argument")
                args.append(value)
            if not self.at_op(","):
                break
            self.advance()
        self.expect_close(open_paren)
        end = self.tokens[self.pos - 1].span.end
        return ast.Call(name.text, tuple(args), tuple(keywords), Span(name.span.start, end), name.span)

    def expect_close(self, opener: Token) -> None:
        if self.at_op(")"):
            self.advance()
            return
        found = self.describe(self.current)
        line_col = diagnostic_at(self.text, opener.span.start, opener.span.end, "")
        raise self.error(
            self.current.span,
            f"expected ')' to close the '(' at line {line_col.line}, column {line_col.column}, found {found}",
        )


def _start(node: ast.Expr) -> int:
    return node.span.start


def _end(node: ast.Expr) -> int:
    return node.span.end


def _span(node: ast.Expr) -> Span:
    return node.span


def _check_depth(text: str, root: ast.Expr) -> None:
    """Reject trees deeper than MAX_DEPTH (long operator chains), iteratively so it cannot overflow."""
    stack: list[tuple[ast.Expr, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                [
                    diagnostic_at(
                        text, node.span.start, node.span.end,
                        f"expression is nested too deeply (more than {MAX_DEPTH} levels)",
                    )
                ]
            )
        stack.extend((child, depth + 1) for child in ast.children(node))
