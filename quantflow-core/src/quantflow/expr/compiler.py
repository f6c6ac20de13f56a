"""compile_expression: text → checked program with a vectorised and an incremental evaluator."""

from __future__ import annotations

import functools
import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from quantflow.expr import ir, vectorized
from quantflow.expr.batch import BatchEvaluator
from quantflow.expr.checker import BAR_FIELDS, check
from quantflow.expr.errors import EvaluationError
from quantflow.expr.functions import RESERVED_NAMES, FunctionRegistry, default_registry
from quantflow.expr.incremental import IncrementalEvaluator
from quantflow.expr.kinds import ValueKind
from quantflow.expr.parser import parse

Columns = vectorized.Columns
_DTYPE = {ValueKind.NUMBER: np.dtype(np.float64), ValueKind.BOOL: np.dtype(bool)}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@functools.cache
def _builtin_registry() -> FunctionRegistry:
    return default_registry()


@dataclass(frozen=True)
class CompiledExpression:
    """A checked expression. `columns` are the bar fields/inputs it reads from the main
    instrument; `lookups` maps each looked-up symbol to the bar fields read from it."""

    text: str
    result_kind: ValueKind
    columns: frozenset[str]
    lookups: Mapping[str, frozenset[str]]
    _order: tuple[ir.Node, ...]

    def evaluate(self, columns: Columns, lookup: Callable[[str], Columns] | None = None) -> np.ndarray:
        """Values for every bar: float64 (NaN during warm-up) or bool. `lookup(symbol)` must
        return that instrument's columns already aligned on the same timestamps as `columns`."""
        dtypes = self._dtypes
        main = _prepare(columns, dtypes[None], "columns")
        length = _length(main, columns)
        others: dict[str, Columns] = {}
        for symbol in self.lookups:
            if lookup is None:
                raise EvaluationError(f"expression uses lookup({symbol!r}) but no lookup was given")
            others[symbol] = _prepare(lookup(symbol), dtypes[symbol], f"lookup({symbol!r})")
            if _length(others[symbol], None, length) != length:
                raise EvaluationError(f"lookup({symbol!r}) columns are not aligned: lengths differ from the main series")
        return vectorized.evaluate(self._program, main, others, length)

    def incremental(self) -> IncrementalEvaluator:
        """A fresh bar-by-bar evaluator whose n-th update equals `evaluate(...)[n-1]`."""
        return IncrementalEvaluator(self._order, sorted(self.lookups))

    def batch(self) -> BatchEvaluator:
        """A fresh evaluator advancing many symbols (rows) one bar per update; row r's k-th value
        equals `incremental()`'s k-th update fed that symbol's bars. Not for lookup() expressions."""
        return BatchEvaluator(self._order)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the evaluation caches (its steps are closures): made again on first use."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_program", "_dtypes")}

    @functools.cached_property
    def _program(self) -> vectorized.Program:
        return vectorized.program(self._order)

    @functools.cached_property
    def _dtypes(self) -> dict[str | None, dict[str, np.dtype[Any]]]:
        """Symbol (None: the main instrument) -> each column it reads -> the dtype it is read as."""
        found: dict[str | None, dict[str, np.dtype[Any]]] = {None: {}, **{s: {} for s in self.lookups}}
        for node in self._order:
            if isinstance(node, ir.Column):
                found[node.symbol][node.name] = _DTYPE[node.kind]
        return found


def compile_expression(
    text: str,
    inputs: Mapping[str, ValueKind | str] | None = None,
    registry: FunctionRegistry | None = None,
) -> CompiledExpression:
    """Parse, type-check and compile `text`; raise ExpressionError listing every problem.

    `inputs` names the node's extra input series and their kinds; bar fields
    (open, high, low, close, volume, value) are always available.
    """
    kinds = {name: ValueKind(kind) for name, kind in (inputs or {}).items()}
    for name in kinds:
        if not _IDENTIFIER.match(name) or keyword.iskeyword(name) or name in RESERVED_NAMES:
            raise ValueError(f"input name {name!r} is not a usable identifier")
        if name in BAR_FIELDS:
            raise ValueError(f"input name {name!r} collides with the bar field of that name")
    root = check(text, parse(text), kinds, registry or _builtin_registry())
    order = tuple(ir.linearize(root))
    main = frozenset(n.name for n in order if isinstance(n, ir.Column) and n.symbol is None)
    lookups: dict[str, set[str]] = {}
    for node in order:
        if isinstance(node, ir.Column) and node.symbol is not None:
            lookups.setdefault(node.symbol, set()).add(node.name)
    return CompiledExpression(
        text, root.kind, main, {s: frozenset(f) for s, f in sorted(lookups.items())}, order
    )


def _prepare(columns: Columns, dtypes: Mapping[str, np.dtype[Any]], what: str) -> dict[str, np.ndarray]:
    missing = sorted(dtypes.keys() - columns.keys())
    if missing:
        raise EvaluationError(f"{what} lacks {', '.join(missing)}")
    prepared = {}
    for name, dtype in dtypes.items():
        array = columns[name]
        if type(array) is not np.ndarray or array.dtype is not dtype:  # as given when it already is
            array = np.asarray(array).astype(dtype, copy=False)
        if array.ndim != 1:
            raise EvaluationError(f"{what}[{name!r}] must be one-dimensional")
        prepared[name] = array
    return prepared


def _length(prepared: Mapping[str, np.ndarray], given: Columns | None, default: int | None = None) -> int:
    lengths = {len(a) for a in prepared.values()}
    if len(lengths) > 1:
        raise EvaluationError(f"columns have different lengths: {sorted(lengths)}")
    if lengths:
        return lengths.pop()
    if given:
        return len(np.asarray(next(iter(given.values()))))
    if default is not None:
        return default
    raise EvaluationError("cannot tell the number of bars: the expression reads no column and none was given")
