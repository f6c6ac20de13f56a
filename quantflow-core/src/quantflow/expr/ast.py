"""The syntax tree the parser produces: small frozen dataclasses, each with its source span.

Spans are 0-based character offsets [start, end) into the expression text; diagnostics turn them
into 1-based line/column. The tree says nothing about types yet — see `checker.py`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    is_integer: bool  # written without a fraction or exponent, e.g. `20` or `1_000`
    span: Span


@dataclass(frozen=True, slots=True)
class Boolean:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class String:
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "not"
    operand: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / % ** < <= > >= == != and or
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Lag:
    """`operand->bars`: the operand's value `bars` bars ago."""

    operand: Expr
    bars: int
    span: Span


@dataclass(frozen=True, slots=True)
class Keyword:
    name: str
    value: Expr
    span: Span  # covers `name=value`


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    keywords: tuple[Keyword, ...]
    span: Span
    name_span: Span


Expr = Number | Boolean | String | Name | Unary | Binary | Lag | Call


def children(node: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions, in source order."""
    match node:
        case Unary(operand=operand) | Lag(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Call(args=args, keywords=keywords):
            return args + tuple(k.value for k in keywords)
        case _:
            return ()
