"""Evaluates one compiled formula over a frame and named input series, for every symbol: as whole
arrays in a one-shot run; in an incremental run through one cross-symbol `BatchEvaluator` (or
per-symbol incremental evaluators for formulas with lookup()). Every
formula-based node (expression, condition, compare, crossover, indicator, …) runs through here,
so they all share one definition of warm-up, NaN and lookup alignment."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from quantflow.builtin.formula_panel import evaluate_panel
from quantflow.data.bars import Bars
from quantflow.engine.context import RunContext
from quantflow.errors import QuantflowError
from quantflow.expr import CompiledExpression, EvaluationError, ValueKind, compile_expression
from quantflow.nodes.values import Frame, SeriesMap
from quantflow.plugins import get_host

INPUT_NAMES = ("a", "b", "c")
BAR_FIELDS = frozenset({"open", "high", "low", "close", "volume", "value"})


@lru_cache(maxsize=1024)
def compiled(formula: str, inputs: tuple[str, ...] = INPUT_NAMES) -> CompiledExpression:
    """Compile once per distinct formula; raises ExpressionError with positions."""
    return compile_expression(
        formula,
        inputs={name: ValueKind.NUMBER for name in inputs},
        registry=get_host().expression_registry(),
    )


def evaluate(
    ctx: RunContext, formula: CompiledExpression, frame: Frame | None, inputs: Mapping[str, SeriesMap | None]
) -> Mapping[str, np.ndarray]:
    given = {name: series for name, series in inputs.items() if series is not None}
    state = ctx.node_state() if ctx.incremental else None
    if state is not None and not formula.lookups:
        panel = evaluate_panel(state, formula, frame, given)
        if panel is not None:
            return panel
        return _batched(state, formula, frame, given, _symbols(frame, given))
    symbols = _symbols(frame, given)
    out: dict[str, np.ndarray] = {}
    for symbol in symbols:
        bars = frame.get(symbol) if frame else None
        columns = _columns(formula, bars, given, symbol)
        if not columns:
            continue
        if state is None:
            out[symbol] = formula.evaluate(columns, lookup=_aligned_lookup(frame, bars))
        else:
            evaluator = state.get(symbol)
            if evaluator is None:
                evaluator = state[symbol] = formula.incremental()
            n = len(next(iter(columns.values())))
            lookups = _bar_lookups(frame, bars)
            values = [
                evaluator.update(
                    {name: column[i] for name, column in columns.items()},
                    lookup_bar=lookups(i) if lookups else None,
                )
                for i in range(n)
            ]
            dtype = bool if formula.result_kind is ValueKind.BOOL else float
            out[symbol] = np.asarray(values, dtype=dtype)
    return out


def _symbols(frame: Frame | None, given: Mapping[str, SeriesMap]) -> list[str]:
    return list(frame) if frame else sorted({s for series in given.values() for s in series})


def _columns(formula: CompiledExpression, bars: Bars | None, given: Mapping[str, SeriesMap],
             symbol: str, fields: frozenset[str] | None = None) -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = {}
    if bars is not None:
        columns.update({name: bars.column(name) for name in (fields if fields is not None else formula.columns & BAR_FIELDS)})
    for name, series in given.items():
        if symbol in series:
            columns[name] = np.asarray(series[symbol], dtype=float)
    return columns


def _batched(state: dict[str, Any], formula: CompiledExpression, frame: Frame | None,
             given: Mapping[str, SeriesMap], symbols: list[str]) -> dict[str, np.ndarray]:
    """An incremental run through one `BatchEvaluator` for all symbols: the i-th new bar of every
    symbol that has one advances in the same update (symbols are independent without lookup()).
    Gives exactly what a per-symbol incremental evaluator gives."""
    batch = state.get("batch")
    if batch is None:
        batch = state["batch"] = formula.batch()
        state["rows"] = {}
    row_of: dict[str, int] = state["rows"]
    dtype = bool if formula.result_kind is ValueKind.BOOL else np.float64
    names: list[str] = []
    rows: list[int] = []
    per_symbol: list[dict[str, np.ndarray]] = []
    lengths: list[int] = []
    out: dict[str, np.ndarray] = {}
    fields = formula.columns & BAR_FIELDS
    for symbol in symbols:
        columns = _columns(formula, frame.get(symbol) if frame else None, given, symbol, fields)
        if not columns:
            continue
        if not len(next(iter(columns.values()))):  # no new bar for this symbol in this run
            out[symbol] = np.empty(0, dtype=dtype)
            continue
        missing = formula.columns - columns.keys()
        if missing:
            raise EvaluationError(f"bar has no column {', '.join(sorted(missing))!r} for {symbol}")
        n = {len(c) for c in columns.values()}
        if len(n) != 1:
            raise QuantflowError(f"inputs for {symbol} cover different bars; feed them from the same data node")
        names.append(symbol)
        rows.append(row_of.setdefault(symbol, len(row_of)))
        per_symbol.append(columns)
        lengths.append(n.pop())
    if not names:
        return out
    out.update(_batched_rows(batch, formula, names, rows, per_symbol, lengths, dtype))
    return out


def _batched_rows(batch: Any, formula: CompiledExpression, names: list[str], rows: list[int],
                  per_symbol: list[dict[str, np.ndarray]], lengths: list[int], dtype: Any) -> dict[str, np.ndarray]:
    if all(k == 1 for k in lengths):  # the usual per-bar run: one update, no per-bar loop
        columns = {name: np.concatenate([c[name] for c in per_symbol]).astype(np.float64, copy=False)
                   for name in formula.columns}
        values = batch.update(columns, np.array(rows, dtype=np.int64)).astype(dtype, copy=False)
        return {symbol: values[j:j + 1] for j, symbol in enumerate(names)}
    results = [np.empty(k, dtype=dtype) for k in lengths]
    for i in range(max(lengths)):
        live = [j for j, k in enumerate(lengths) if k > i]
        columns = {name: np.array([per_symbol[j][name][i] for j in live], dtype=np.float64) for name in formula.columns}
        values = batch.update(columns, np.array([rows[j] for j in live], dtype=np.int64))
        for position, j in enumerate(live):
            results[j][i] = values[position]
    return dict(zip(names, results, strict=True))


def _aligned_lookup(frame: Frame | None, bars: Bars | None) -> Any:
    """lookup("SYM", …) in a one-shot run: SYM's columns re-indexed on this symbol's bar times
    (NaN where SYM has no bar at that time)."""
    if not frame or bars is None:
        return None

    def lookup(symbol: str) -> Mapping[str, np.ndarray]:
        other = frame.get(symbol)
        if other is None:
            raise KeyError(f"lookup({symbol!r}): the frame has no bars for {symbol}; add it to the data node's symbols")
        index = np.searchsorted(other.time, bars.time)
        clipped = np.minimum(index, max(len(other) - 1, 0))
        found = (index < len(other)) & (other.time[clipped] == bars.time) if len(other) else np.zeros(len(bars), bool)
        return {
            name: np.where(found, other.column(name)[clipped], np.nan) if len(other) else np.full(len(bars), np.nan)
            for name in ("open", "high", "low", "close", "volume", "value")
        }

    return lookup


def _bar_lookups(frame: Frame | None, bars: Bars | None) -> Any:
    """lookup("SYM", …) in an incremental run: SYM's bar at the same time in this run's frame."""
    if not frame or bars is None or len(frame) < 2:
        return None
    aligned = _aligned_lookup(frame, bars)
    cache: dict[str, Mapping[str, np.ndarray]] = {}

    def at(i: int) -> Any:
        def lookup_bar(symbol: str) -> Mapping[str, float]:
            if symbol not in cache:
                cache[symbol] = aligned(symbol)
            return {name: column[i] for name, column in cache[symbol].items()}

        return lookup_bar

    return at
