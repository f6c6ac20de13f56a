"""Evaluate typed IR one bar at a time (live and paper trading).

The program is compiled once into a list of small steps, one per distinct IR node, each writing
its slot from slots computed before it. Every stateful step is updated on every bar — both sides
of `and`/`or` and both branches of `if()` — so its state never depends on earlier results.
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from quantflow.expr import ir, scalar
from quantflow.expr.errors import EvaluationError
from quantflow.expr.functions import FunctionSpec, IncrementalFunction
from quantflow.expr.kinds import ParamKind, ValueKind

Bar = Mapping[str, float]
LookupBar = Callable[[str], Bar]
Step = Callable[[list[Any], Bar, dict[str, Bar]], Any]

_OPERATORS: dict[str, Callable[..., Any]] = {
    "neg": operator.neg,
    "not": operator.not_,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": scalar.divide,
    "%": scalar.remainder,
    "**": scalar.power,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": scalar.not_equal,
    "and": lambda a, b: bool(a and b),
    "or": lambda a, b: bool(a or b),
}


class IncrementalEvaluator:
    """Feed bars oldest first with `update`; each call returns the expression's newest value."""

    def __init__(self, order: Sequence[ir.Node], symbols: Sequence[str]) -> None:
        self._symbols = tuple(symbols)
        slot = {node: index for index, node in enumerate(order)}
        self._values: list[Any] = [None] * len(order)
        self._steps: list[tuple[int, Step]] = []
        for index, node in enumerate(order):
            if isinstance(node, ir.Const):
                self._values[index] = node.value
            else:
                self._steps.append((index, _step(node, slot)))
        self._result_kind = order[-1].kind
        self.bars = 0

    def update(self, bar: Bar, lookup_bar: LookupBar | None = None) -> float | bool:
        """Advance one bar; `lookup_bar(symbol)` must return that symbol's bar at the same time."""
        others: dict[str, Bar] = {}
        if self._symbols:
            if lookup_bar is None:
                raise EvaluationError(f"expression uses lookup({', '.join(map(repr, self._symbols))}) but no lookup_bar was given")
            others = {symbol: lookup_bar(symbol) for symbol in self._symbols}
        values = self._values
        try:
            with np.errstate(all="ignore"):
                for index, step in self._steps:
                    values[index] = step(values, bar, others)
        except KeyError as missing:
            raise EvaluationError(f"bar has no column {missing}") from None
        self.bars += 1
        result = values[-1]
        return float(result) if self._result_kind is ValueKind.NUMBER else bool(result)


def _step(node: ir.Node, slot: Mapping[ir.Node, int]) -> Step:
    match node:
        case ir.Column(name=name, kind=kind, symbol=symbol):
            convert = float if kind is ValueKind.NUMBER else bool
            if symbol is None:
                return lambda values, bar, others: convert(bar[name])
            return lambda values, bar, others: convert(others[symbol][name])
        case ir.Shift(operand=operand, bars=bars, kind=kind):
            delay = scalar.Delay(bars, float("nan") if kind is ValueKind.NUMBER else False)
            source = slot[operand]
            return lambda values, bar, others: delay.update(values[source])
        case ir.Op(op=op, operands=(only,)):
            unary, source = _OPERATORS[op], slot[only]
            return lambda values, bar, others: unary(values[source])
        case ir.Op(op=op, operands=(left, right)):
            binary, a, b = _OPERATORS[op], slot[left], slot[right]
            return lambda values, bar, others: binary(values[a], values[b])
        case ir.Choose(condition=condition, then=then, otherwise=otherwise):
            c, t, o = slot[condition], slot[then], slot[otherwise]
            return lambda values, bar, others: values[t] if values[c] else values[o]
        case ir.Apply(function=spec, args=args):
            return _apply_step(spec, args, slot)
    raise AssertionError(f"unhandled IR node {node!r}")


def _apply_step(spec: FunctionSpec, args: tuple[Any, ...], slot: Mapping[ir.Node, int]) -> Step:
    literals = [arg for param, arg in zip(spec.params, args, strict=True) if not param.kind.is_series]
    sources = [slot[arg] for param, arg in zip(spec.params, args, strict=True) if param.kind.is_series]
    state: IncrementalFunction = (
        spec.incremental(*literals) if spec.incremental is not None else _History(spec, args)
    )
    update = state.update
    if len(sources) == 1:
        (only,) = sources
        return lambda values, bar, others: update(values[only])
    if len(sources) == 2:
        a, b = sources
        return lambda values, bar, others: update(values[a], values[b])
    return lambda values, bar, others: update(*(values[s] for s in sources))


class _History:
    """Generic fallback for functions without incremental state: keep recent input values and
    re-run the vectorised implementation on them each bar (the last `history` bars, or all)."""

    def __init__(self, spec: FunctionSpec, args: tuple[Any, ...]) -> None:
        self.spec = spec
        self.args = args
        literals = [a for p, a in zip(spec.params, args, strict=True) if not p.kind.is_series]
        keep = spec.history(*literals) if spec.history is not None else None
        self.buffers = [deque[Any](maxlen=keep) for p in spec.params if p.kind.is_series]

    def update(self, *values: Any) -> Any:
        for buffer, value in zip(self.buffers, values, strict=True):
            buffer.append(value)
        series = iter(self.buffers)
        call_args = [
            np.array(next(series), dtype=np.float64 if p.kind is ParamKind.NUMBER else bool) if p.kind.is_series else a
            for p, a in zip(self.spec.params, self.args, strict=True)
        ]
        return np.asarray(self.spec.vectorized(*call_args))[-1]
