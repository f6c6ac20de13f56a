"""Per-row state of the batch evaluator's stateful steps (`batch.py`).

Vector kernels exist for `x->n` (Delay), `sma` and `crossover`/`crossunder`: each repeats its
scalar twin's float operations in the same order (so results are bit-identical), on arrays with
one row per symbol. Every other function keeps one scalar state object per row (`PerRow`): exact
by construction, and only as fast as the scalar evaluator.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from quantflow.expr import scalar, streaming
from quantflow.expr.functions import FunctionSpec
from quantflow.expr.kinds import ValueKind

NAN = float("nan")


class RowState(Protocol):
    def grow(self, rows: int) -> None:
        """Make room for `rows` rows (new rows start fresh)."""

    def update(self, rows: np.ndarray, args: list[Any]) -> Any:
        """Advance `rows` by one bar with `args[i][j]` for row `rows[j]`; return the new values."""


def _column(value: Any, n: int, dtype: Any = np.float64) -> np.ndarray:
    if type(value) is np.ndarray and value.shape == (n,) and (dtype is None or value.dtype == dtype):
        return value  # already one value per row (the usual case): no broadcast view to build
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,))


def _all(mask: np.ndarray) -> bool:
    """`mask.all()` for a 1-d bool array, at a fraction of the reduction's call cost on a short
    array (a session's rows): run on every update."""
    return int(np.count_nonzero(mask)) == len(mask)


def _grown(array: np.ndarray, rows: int, fill: Any) -> np.ndarray:
    extra = np.full((rows - array.shape[0], *array.shape[1:]), fill, dtype=array.dtype)
    return np.concatenate([array, extra])


class Delay:
    """`x->n`: a ring of the last n values per row, pre-filled with `fill` (scalar.Delay)."""

    def __init__(self, bars: int, fill: float | bool) -> None:
        self.bars, self.fill = bars, fill
        self.dtype = np.float64 if isinstance(fill, float) else bool
        self.ring = np.full((0, max(bars, 1)), fill, dtype=self.dtype)
        self.head = np.zeros(0, dtype=np.int64)

    def grow(self, rows: int) -> None:
        self.ring, self.head = _grown(self.ring, rows, self.fill), _grown(self.head, rows, 0)

    def update(self, rows: np.ndarray, args: list[Any]) -> Any:
        value = _column(args[0], len(rows), self.dtype)
        if self.bars == 0:
            return value
        head = self.head[rows]
        out = self.ring[rows, head]
        self.ring[rows, head] = value
        self.head[rows] = (head + 1) % self.bars
        return out


class Sma:
    """streaming.Sma per row: running total, a window of up to n values, reset on a gap."""

    def __init__(self, n: float) -> None:
        self.n = n
        self.size = int(n)
        self.ring = np.zeros((0, self.size))
        self.head = np.zeros(0, dtype=np.int64)
        self.count = np.zeros(0, dtype=np.int64)
        self.total = np.zeros(0)
        slots = np.arange(self.size, dtype=np.int64)
        # each ring slot's successor and predecessor (mod size): a lookup instead of `%` per update
        self._ahead, self._behind = (slots + 1) % self.size, (slots + self.size - 1) % self.size

    def grow(self, rows: int) -> None:
        self.ring = _grown(self.ring, rows, 0.0)
        self.head, self.count = _grown(self.head, rows, 0), _grown(self.count, rows, 0)
        self.total = _grown(self.total, rows, 0.0)

    def update(self, rows: np.ndarray, args: list[Any]) -> np.ndarray:
        x = _column(args[0], len(rows))
        finite = np.isfinite(x)
        out = None
        if not _all(finite):  # a gap: forget the window (streaming._Windowed.update)
            out = np.full(len(rows), NAN)
            gone = rows[~finite]
            self.head[gone], self.count[gone], self.total[gone] = 0, 0, 0.0
            rows, x, keep = rows[finite], x[finite], np.flatnonzero(finite)
        else:
            keep = None
        head, count = self.head[rows], self.count[rows]
        size = self.size
        if keep is None and _all(count == size - 1):
            # Every window is one value short of full (the steady state): the steps below with
            # `full` true everywhere, written out (same float operations, fewer array passes).
            self.ring[rows, self._behind[head]] = x  # slot (head + size - 1) % size
            total = self.total[rows] + x
            means: np.ndarray = total / self.n
            total -= self.ring[rows, head]
            self.total[rows], self.head[rows] = total, self._ahead[head]
            return means
        self.ring[rows, (head + count) % self.size] = x
        total = self.total[rows] + x
        count += 1
        full = count == self.size
        means = np.where(full, total / self.n, NAN)
        # Full windows drop their oldest value; the others subtract +0.0 (leaves any float as it
        # is, -0.0 included) and keep head and count: streaming.Sma's steps, without masks.
        total -= np.where(full, self.ring[rows, head], 0.0)
        self.total[rows], self.count[rows], self.head[rows] = total, count - full, (head + full) % self.size
        if keep is None or out is None:
            return means
        out[keep] = means
        return out


class Cross:
    """scalar.Cross per row: true where a moved above (below) b since the row's previous bar."""

    def __init__(self, above: bool) -> None:
        self.above = above
        self.a, self.b = np.zeros(0), np.zeros(0)
        self.seen = np.zeros(0, dtype=bool)

    def grow(self, rows: int) -> None:
        self.a, self.b = _grown(self.a, rows, NAN), _grown(self.b, rows, NAN)
        self.seen = _grown(self.seen, rows, False)

    def update(self, rows: np.ndarray, args: list[Any]) -> np.ndarray:
        a, b = _column(args[0], len(rows)), _column(args[1], len(rows))
        pa, pb, seen = self.a[rows], self.b[rows], self.seen[rows]
        out: np.ndarray
        if self.above:
            out = seen & (a > b) & (pa <= pb)
        else:
            out = seen & (a < b) & (pa >= pb)
        self.a[rows], self.b[rows], self.seen[rows] = a, b, True
        return out


class PerRow:
    """Any function: one scalar incremental state per row, made by `make()`."""

    def __init__(self, make: Any, kind: ValueKind) -> None:
        self.make = make
        self.dtype = np.float64 if kind is ValueKind.NUMBER else bool
        self.states: list[Any] = []

    def grow(self, rows: int) -> None:
        self.states.extend(self.make() for _ in range(rows - len(self.states)))

    def update(self, rows: np.ndarray, args: list[Any]) -> np.ndarray:
        n, states = len(rows), self.states
        columns = [_column(a, n, None).tolist() if np.ndim(a) else [a] * n for a in args]
        return np.array([states[r].update(*values) for r, *values in zip(rows.tolist(), *columns, strict=True)],
                        dtype=self.dtype)


def vector_state(what: str, *spec: Any) -> RowState:
    """The row state of a Shift (`"shift", bars, kind`) or an Apply (`"apply", spec, args`)."""
    if what == "shift":
        bars, kind = spec
        return Delay(bars, NAN if kind is ValueKind.NUMBER else False)
    function, args = spec
    return _apply_state(function, args)


def _apply_state(spec: FunctionSpec, args: tuple[Any, ...]) -> RowState:
    from quantflow.expr.incremental import _History

    literals = [a for p, a in zip(spec.params, args, strict=True) if not p.kind.is_series]

    def make() -> Any:
        return spec.incremental(*literals) if spec.incremental is not None else _History(spec, args)

    probe = make()
    if type(probe) is streaming.Sma and float(probe.n).is_integer() and probe.n >= 1:
        return Sma(probe.n)
    if type(probe) is scalar.Cross:
        return Cross(probe.above)
    return PerRow(make, spec.result)
