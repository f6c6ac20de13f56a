"""The checked, typed form of an expression that both evaluators run.

Nodes are frozen and hashable *without* source positions, so equal sub-expressions (the two
`sma(close, 20)` in a formula) compare equal and are computed once — and, live, hold one state.
`lookup()` leaves no node of its own: it only stamps its symbol on the columns it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from quantflow.expr.functions import FunctionSpec
from quantflow.expr.kinds import ValueKind


@dataclass(frozen=True, slots=True)
class Const:
    value: float | bool
    kind: ValueKind


@dataclass(frozen=True, slots=True)
class Column:
    """A bar field or named input; `symbol` is set for another instrument's field (lookup)."""

    name: str
    kind: ValueKind
    symbol: str | None = None


@dataclass(frozen=True, slots=True)
class Shift:
    operand: Node
    bars: int
    kind: ValueKind


@dataclass(frozen=True, slots=True)
class Op:
    """An operator: `neg`, `not`, arithmetic, comparison, `and`, `or`."""

    op: str
    operands: tuple[Node, ...]
    kind: ValueKind


@dataclass(frozen=True, slots=True)
class Choose:
    """if(condition, then, otherwise)."""

    condition: Node
    then: Node
    otherwise: Node
    kind: ValueKind


@dataclass(frozen=True, slots=True)
class Apply:
    """A registered function; `args` are in parameter order, literals as plain numbers."""

    function: FunctionSpec
    args: tuple[Node | float | int, ...]
    kind: ValueKind


Node = Const | Column | Shift | Op | Choose | Apply


def inputs_of(node: Node) -> tuple[Node, ...]:
    match node:
        case Shift(operand=operand):
            return (operand,)
        case Op(operands=operands):
            return operands
        case Choose(condition=c, then=t, otherwise=o):
            return (c, t, o)
        case Apply(args=args):
            return tuple(a for a in args if isinstance(a, Const | Column | Shift | Op | Choose | Apply))
        case _:
            return ()


def linearize(root: Node) -> list[Node]:
    """Distinct nodes in dependency order (inputs before users), root last."""
    order: list[Node] = []
    seen: set[Node] = set()

    def visit(node: Node) -> None:
        if node in seen:
            return
        for child in inputs_of(node):
            visit(child)
        seen.add(node)
        order.append(node)

    visit(root)
    return order
