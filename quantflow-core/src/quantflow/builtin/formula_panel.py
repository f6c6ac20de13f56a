"""The incremental formula step when every input is a panel value (`nodes/panel.py`) of one layout:
the columns for all symbols are gathered with one indexing operation per bar field, advanced in one
`BatchEvaluator.update` per bar position, and returned as a `SeriesPanel` of the same layout.

It gives exactly what `formula._batched` gives for the same inputs (same rows, same float
operations); when the inputs are not aligned panels it declines (`None`) and the caller takes the
general path, which also produces that path's errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from quantflow.expr import CompiledExpression, ValueKind
from quantflow.nodes.panel import Layout, PanelFrame, SeriesPanel, Shape

BAR_FIELDS = frozenset({"open", "high", "low", "close", "volume", "value"})
_PANELS = (PanelFrame, SeriesPanel)


def evaluate_panel(state: dict[str, Any], formula: CompiledExpression, frame: Any,
                   given: Mapping[str, Any]) -> SeriesPanel | None:
    memo = state.get("_panel")  # what depends on the formula alone, worked out on its first run
    if memo is None or memo[0] is not formula:
        fields = formula.columns & BAR_FIELDS
        memo = state["_panel"] = (formula, fields, formula.columns - fields,
                                  bool if formula.result_kind is ValueKind.BOOL else np.float64)
    _, fields, inputs, dtype = memo
    if fields and not isinstance(frame, PanelFrame):
        return None
    layout, shape = _aligned(frame if fields or not given else None, given)
    if layout is None or shape is None:
        return None
    lengths = shape.lengths
    if not fields and frame and getattr(frame, "layout", None) is not layout:
        return None  # the frame names the symbols: it must be the same list
    if not inputs <= given.keys():
        return None  # a column nobody provides: the general path reports it
    batch = state.get("batch")
    if batch is None:
        batch = state["batch"] = formula.batch()
        state["rows"] = {}
    rows = _rows(state, layout, batch)
    frame_at = frame.positions() if fields else None
    series_at = {name: (s.flat, s.positions()) for name, s in given.items() if name in formula.columns}
    longest = shape.longest
    if longest == 1:  # the usual session: at most one bar per symbol, so the values lie in symbol order
        live = shape.live
        session = {}
        if frame_at is not None:
            at = frame_at if live is None else frame_at[live]
            session = {name: frame.column(name, at) for name in fields}
        count = len(lengths) if live is None else len(live)
        for name, (values, starts) in series_at.items():
            if len(values) != count or (count and starts[0] != 0):  # not just the live values in order
                values = values[starts if live is None else starts[live]]
            session[name] = values.astype(np.float64, copy=False)
        out = batch.update(session, rows if live is None else rows[live], grown=True).astype(dtype, copy=False)
        return SeriesPanel(layout, out, shape.offsets, shape=shape)
    offsets = shape.offsets
    out = np.empty(int(offsets[-1]), dtype=dtype)
    for i in range(longest):
        live = np.flatnonzero(lengths > i)
        columns: dict[str, np.ndarray] = {}
        if frame_at is not None:
            at = frame_at[live] + i
            columns.update({name: frame.column(name, at) for name in fields})
        for name, (values, starts) in series_at.items():
            columns[name] = values[starts[live] + i].astype(np.float64, copy=False)
        out[offsets[live] + i] = batch.update(columns, rows[live], grown=True)
    return SeriesPanel(layout, out, offsets, shape=shape)


def _aligned(frame: Any, given: Mapping[str, Any]) -> tuple[Layout | None, Shape | None]:
    """The shared layout and shape (per-symbol lengths) of all inputs, or (None, None) if they differ."""
    values = [frame, *given.values()] if frame is not None else list(given.values())
    if not values or not isinstance(values[0], _PANELS):
        return None, None
    layout = values[0].layout
    shape = values[0].shape
    for other in values[1:]:
        if not isinstance(other, _PANELS) or other.layout is not layout:
            return None, None
        more = other.shape
        if more is not shape and not np.array_equal(more.lengths, shape.lengths):
            return None, None
    return layout, shape


def _rows(state: dict[str, Any], layout: Layout, batch: Any) -> np.ndarray:
    """The evaluator rows of `layout`'s symbols (shared with the general path's `rows`), each
    made in `batch` once, so updates need not look for new rows."""
    cached = state.get("panel_rows")
    if cached is None or cached[0] is not layout:
        row_of: dict[str, int] = state["rows"]
        rows = np.array([row_of.setdefault(s, len(row_of)) for s in layout.symbols], dtype=np.int64)
        batch.grow(int(rows.max()) + 1 if len(rows) else 0)
        cached = state["panel_rows"] = (layout, rows)
    rows_: np.ndarray = cached[1]
    return rows_
