"""Evaluate typed IR over whole numpy series at once (backtests).

Literals stay numpy scalars and broadcast; each distinct node is computed once. Every operation
here has its per-bar twin in `incremental.py`; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from quantflow.expr import indicators, ir
from quantflow.expr.errors import EvaluationError
from quantflow.expr.kinds import ParamKind, ValueKind

Value = np.ndarray | float | bool

_OPERATORS: dict[str, Callable[..., Value]] = {
    "neg": np.negative,
    "not": np.logical_not,
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "%": np.remainder,
    "**": np.power,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": lambda a, b: np.logical_or(np.less(a, b), np.greater(a, b)),  # false with NaN
    "and": np.logical_and,
    "or": np.logical_or,
}


Columns = Mapping[str, np.ndarray]
Others = Mapping[str, Columns]
#: one node's computation: (values of the nodes before it, columns, other symbols' columns, bars)
Step = Callable[[list[Value], Columns, Others, int], Value]


@dataclass(frozen=True, slots=True)
class Program:
    """The linearised IR as steps that read earlier values by position: a formula evaluated per
    symbol does not hash its IR trees on every call."""

    steps: tuple[Step, ...]
    kind: ValueKind


def program(order: Sequence[ir.Node]) -> Program:
    """`order` (dependency order, root last, as `ir.linearize` gives it) made runnable."""
    position = {node: i for i, node in enumerate(order)}
    return Program(tuple(_step(node, position) for node in order), order[-1].kind)


def evaluate(program: Program, columns: Columns, others: Others, length: int) -> np.ndarray:
    """Run the program; `others` holds each looked-up symbol's columns."""
    values: list[Value] = []
    with np.errstate(all="ignore"):
        for step in program.steps:
            values.append(step(values, columns, others, length))
        return _full(values[-1], program.kind, length).copy()


def _step(node: ir.Node, position: Mapping[ir.Node, int]) -> Step:
    match node:
        case ir.Const(value=value):
            return lambda values, columns, others, length: value
        case ir.Column(name=name, symbol=None):
            return lambda values, columns, others, length: columns[name]
        case ir.Column(name=name, symbol=symbol):
            return lambda values, columns, others, length: others[symbol][name]  # type: ignore[index]
        case ir.Shift(operand=operand, bars=bars, kind=kind):
            at, fill = position[operand], (np.nan if kind is ValueKind.NUMBER else False)
            return lambda values, columns, others, length: indicators.shift(_full(values[at], kind, length), bars, fill)
        case ir.Op(op=op, operands=(only,)):
            unary, at = _OPERATORS[op], position[only]
            return lambda values, columns, others, length: unary(values[at])
        case ir.Op(op=op, operands=(left, right)):
            binary, a, b = _OPERATORS[op], position[left], position[right]
            return lambda values, columns, others, length: binary(values[a], values[b])
        case ir.Choose(condition=condition, then=then, otherwise=otherwise):
            c, t, o = position[condition], position[then], position[otherwise]
            return lambda values, columns, others, length: np.where(values[c], values[t], values[o])
        case ir.Apply():
            return _apply(node, position)
    raise AssertionError(f"unhandled IR node {node!r}")


def _apply(node: ir.Apply, position: Mapping[ir.Node, int]) -> Step:
    spec = node.function
    # (position, kind) of a series argument, (None, the number) of a literal: a series parameter
    # always binds a node, only literal parameters take numbers (and defaults)
    args = [(position[cast(ir.Node, arg)], ValueKind.NUMBER if param.kind is ParamKind.NUMBER else ValueKind.BOOL)
            if param.kind.is_series else (None, arg)
            for param, arg in zip(spec.params, node.args, strict=True)]
    dtype = np.float64 if spec.result is ValueKind.NUMBER else bool

    def apply(values: list[Value], columns: Columns, others: Others, length: int) -> np.ndarray:
        result = np.asarray(spec.vectorized(*[x if at is None else _full(values[at], cast(ValueKind, x), length) for at, x in args]))
        if result.shape != (length,):
            raise EvaluationError(f"function {spec.name}() returned shape {result.shape}, expected ({length},)")
        return result.astype(dtype, copy=False)

    return apply


def _full(value: Value, kind: ValueKind, length: int) -> np.ndarray:
    """`value` as an array of `length` bars of the kind's dtype (broadcasting literals)."""
    dtype = np.float64 if kind is ValueKind.NUMBER else bool
    array = np.asarray(value, dtype=dtype)
    if array.shape == (length,):
        return array
    return np.full(length, array, dtype=dtype)
