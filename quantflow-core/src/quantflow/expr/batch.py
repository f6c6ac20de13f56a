"""Evaluate typed IR one bar at a time for many symbols at once (bar-by-bar sessions).

A session over a universe advances every symbol by one bar per run. Instead of one
`IncrementalEvaluator` (and one Python call per step) per symbol, `BatchEvaluator` keeps each
step's state as arrays with one row per symbol and advances any subset of rows with a few numpy
operations. Row r's k-th value equals `IncrementalEvaluator`'s k-th update for that symbol, bit
for bit: the vector kernels (`batch_state.py`) repeat the scalar operations in the same order, and
every function without a vector kernel runs its own scalar state per row.

Expressions with `lookup()` are not batched (they need other symbols at the same time); the caller
keeps the per-symbol evaluator for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import numpy as np

from quantflow.expr import ir
from quantflow.expr.batch_state import Cross, RowState, vector_state
from quantflow.expr.errors import EvaluationError
from quantflow.expr.kinds import ValueKind

Vector = Any  # np.ndarray over the updated rows, or a Python scalar (constants broadcast)
Kernel = Callable[[list[Vector], Mapping[str, np.ndarray], np.ndarray], Vector]

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power,
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
    "!=": lambda a, b: np.less(a, b) | np.greater(a, b),  # false when either side is NaN
    "and": lambda a, b: np.logical_and(a, b), "or": lambda a, b: np.logical_or(a, b),
}
_UNARY: dict[str, Callable[[Any], Any]] = {"neg": np.negative, "not": np.logical_not}


class BatchEvaluator:
    """`update(columns, rows)` advances `rows` (symbol row numbers, each at most once) by one bar;
    `columns[name][j]` is the value of row `rows[j]`. Rows are created on first use."""

    def __init__(self, order: Sequence[ir.Node]) -> None:
        if any(isinstance(n, ir.Column) and n.symbol is not None for n in order):
            raise EvaluationError("expressions with lookup() cannot be batched across symbols")
        slot = {node: index for index, node in enumerate(order)}
        self._values: list[Vector] = [None] * len(order)
        self._states: list[RowState] = []
        self._steps: list[tuple[int, Kernel]] = []
        for index, node in enumerate(order):
            if isinstance(node, ir.Const):
                self._values[index] = node.value
            else:
                self._steps.append((index, self._kernel(node, slot)))
        self._kind = order[-1].kind
        self.rows = 0
        last = order[-1]
        # A result is a fresh array unless the last step hands out an input column (or `x->0`).
        self._copy_result = isinstance(last, ir.Column) or (isinstance(last, ir.Shift) and last.bars == 0)
        # Columns and crossings only compare floats, which never raises a floating-point flag:
        # such an expression needs no `np.errstate` (entered on every update otherwise).
        only_columns = all(isinstance(n, ir.Column | ir.Const) for n in order[:-1])
        crossing = isinstance(last, ir.Apply) and len(self._states) == 1 and isinstance(self._states[0], Cross)
        self._quiet = only_columns and (isinstance(last, ir.Column) or crossing)

    def grow(self, rows: int) -> None:
        """Make rows 0 .. rows - 1 exist (new rows start fresh)."""
        if rows > self.rows:
            for state in self._states:
                state.grow(rows)
            self.rows = rows

    def update(self, columns: Mapping[str, np.ndarray], rows: np.ndarray, *, grown: bool = False) -> np.ndarray:
        """`grown=True`: the caller made every row in `rows` already (`grow`)."""
        if not grown:
            self.grow(int(rows.max()) + 1 if len(rows) else 0)
        values = self._values
        try:
            if self._quiet:
                for index, kernel in self._steps:
                    values[index] = kernel(values, columns, rows)
            else:
                with np.errstate(all="ignore"):  # IEEE results (inf/NaN), as the vectorised path
                    for index, kernel in self._steps:
                        values[index] = kernel(values, columns, rows)
        except KeyError as missing:
            raise EvaluationError(f"bar has no column {missing}") from None
        dtype = np.float64 if self._kind is ValueKind.NUMBER else bool
        result = values[-1]
        if type(result) is np.ndarray and result.shape == rows.shape:
            # never aliasing an input or a state: copied when the last step could hand one out
            return result.astype(dtype, copy=self._copy_result)
        return np.broadcast_to(np.asarray(result, dtype=dtype), (len(rows),)).copy()

    def _kernel(self, node: ir.Node, slot: Mapping[ir.Node, int]) -> Kernel:
        match node:
            case ir.Column(name=name, kind=kind):
                dtype = np.float64 if kind is ValueKind.NUMBER else bool
                return lambda values, columns, rows: np.asarray(columns[name], dtype=dtype)
            case ir.Shift(operand=operand, bars=bars, kind=kind):
                return self._stateful(vector_state("shift", bars, kind), [slot[operand]])
            case ir.Op(op=op, operands=(only,)):
                unary, source = _UNARY[op], slot[only]
                return lambda values, columns, rows: unary(values[source])
            case ir.Op(op="%", operands=(left, right)):
                a, b = slot[left], slot[right]
                return lambda values, columns, rows: _remainder(values[a], values[b], len(rows))
            case ir.Op(op=op, operands=(left, right)):
                binary, a, b = _BINARY[op], slot[left], slot[right]
                return lambda values, columns, rows: binary(values[a], values[b])
            case ir.Choose(condition=condition, then=then, otherwise=otherwise):
                c, t, o = slot[condition], slot[then], slot[otherwise]
                return lambda values, columns, rows: np.where(values[c], values[t], values[o])
            case ir.Apply(function=spec, args=args):
                # A series parameter always binds a node: only literal parameters take numbers.
                sources = [slot[cast(ir.Node, a)] for p, a in zip(spec.params, args, strict=True) if p.kind.is_series]
                return self._stateful(vector_state("apply", spec, args), sources)
        raise AssertionError(f"unhandled IR node {node!r}")

    def _stateful(self, state: RowState, sources: list[int]) -> Kernel:
        self._states.append(state)
        update = state.update
        return lambda values, columns, rows: update(rows, [values[s] for s in sources])


def _remainder(a: Any, b: Any, n: int) -> np.ndarray:
    """Python's float `%` per row (with NaN for a zero or NaN divisor), as `scalar.remainder`."""
    from quantflow.expr.scalar import remainder

    left = np.broadcast_to(np.asarray(a, dtype=np.float64), (n,))
    right = np.broadcast_to(np.asarray(b, dtype=np.float64), (n,))
    return np.array([remainder(float(x), float(y)) for x, y in zip(left, right, strict=True)], dtype=np.float64)
