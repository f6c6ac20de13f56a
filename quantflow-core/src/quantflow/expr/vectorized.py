"""Evaluate typed IR over whole numpy series at once (backtests).

Literals stay numpy scalars and broadcast; each distinct node is computed once. Every operation
here has its per-bar twin in `incremental.py`; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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


def evaluate(
    order: Sequence[ir.Node], columns: Mapping[str, np.ndarray], others: Mapping[str, Mapping[str, np.ndarray]], length: int
) -> np.ndarray:
    """Run the linearised program; `others` holds each looked-up symbol's columns."""
    values: dict[ir.Node, Value] = {}
    with np.errstate(all="ignore"):
        for node in order:
            values[node] = _compute(node, values, columns, others, length)
        return _full(values[order[-1]], order[-1].kind, length).copy()


def _compute(
    node: ir.Node,
    values: dict[ir.Node, Value],
    columns: Mapping[str, np.ndarray],
    others: Mapping[str, Mapping[str, np.ndarray]],
    length: int,
) -> Value:
    match node:
        case ir.Const(value=value):
            return value
        case ir.Column(name=name, symbol=None):
            return columns[name]
        case ir.Column(name=name, symbol=symbol):
            return others[symbol][name]  # type: ignore[index]
        case ir.Shift(operand=operand, bars=bars, kind=kind):
            fill = np.nan if kind is ValueKind.NUMBER else False
            return indicators.shift(_full(values[operand], kind, length), bars, fill)
        case ir.Op(op=op, operands=operands):
            return _OPERATORS[op](*(values[o] for o in operands))
        case ir.Choose(condition=condition, then=then, otherwise=otherwise):
            return np.where(values[condition], values[then], values[otherwise])
        case ir.Apply():
            return _apply(node, values, length)
    raise AssertionError(f"unhandled IR node {node!r}")


def _apply(node: ir.Apply, values: dict[ir.Node, Value], length: int) -> np.ndarray:
    spec = node.function
    # A series parameter always binds a node: only literal parameters take numbers (and defaults).
    args = [
        _full(values[cast(ir.Node, arg)], ValueKind.NUMBER if param.kind is ParamKind.NUMBER else ValueKind.BOOL, length)
        if param.kind.is_series
        else arg
        for param, arg in zip(spec.params, node.args, strict=True)
    ]
    result = np.asarray(spec.vectorized(*args))
    if result.shape != (length,):
        raise EvaluationError(f"function {spec.name}() returned shape {result.shape}, expected ({length},)")
    return result.astype(np.float64 if spec.result is ValueKind.NUMBER else bool, copy=False)


def _full(value: Value, kind: ValueKind, length: int) -> np.ndarray:
    """`value` as an array of `length` bars of the kind's dtype (broadcasting literals)."""
    dtype = np.float64 if kind is ValueKind.NUMBER else bool
    array = np.asarray(value, dtype=dtype)
    if array.shape == (length,):
        return array
    return np.full(length, array, dtype=dtype)
