"""Logic nodes: formulas, comparisons, crossovers, boolean combinators and cross-sectional rank.

Every formula-based node compiles to the expression language, so a `compare` node and the
formula `a > b` can never disagree."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from quantflow.builtin import formula as formulas
from quantflow.engine.context import RunContext
from quantflow.errors import QuantflowError
from quantflow.expr import ExpressionError, ValueKind
from quantflow.nodes import BoolSeries, Category, Frame, NodeParams, Port, PortType, Series, node
from quantflow.nodes.values import SeriesMap

OptionalSeries = Annotated[Any, Port(PortType.SERIES, "A series the formula can name.", required=False)]
OptionalFrame = Annotated[Any, Port(PortType.FRAME, "Bars whose fields the formula can name.", required=False)]


def _check_formula(text: str, kind: ValueKind) -> str:
    """Compile at validation time, so a typo is an invalid_param on the canvas, not a failed run."""
    try:
        compiled = formulas.compiled(text)
    except ExpressionError as exc:
        first = exc.diagnostics[0]
        hint = f" ({first.suggestion})" if first.suggestion else ""
        raise ValueError(f"line {first.line}, column {first.column}: {first.message}{hint}") from None
    if compiled.result_kind is not kind:
        raise ValueError(f"the formula gives a {compiled.result_kind.value} series; this node needs {kind.value}")
    return text


class _FormulaParams(NodeParams):
    """A formula param checked when the workflow is validated; `kind` is what it must yield."""

    kind: ClassVar[ValueKind]
    formula: str

    @field_validator("formula")
    @classmethod
    def formula_has_the_right_kind(cls, formula: str) -> str:
        return _check_formula(formula, cls.kind)


def _formula_field(default: str, description: str) -> Any:
    return Field(default, min_length=1, max_length=10_000, description=description,
                 json_schema_extra={"format": "quantflow-expression"})


class ExpressionParams(_FormulaParams):
    kind = ValueKind.NUMBER
    formula: str = _formula_field(
        "sma(close, 20)",
        "A number formula over bar fields (open, high, low, close, volume, value) and inputs a, b, c.",
    )


class ConditionParams(_FormulaParams):
    kind = ValueKind.BOOL
    formula: str = _formula_field(
        "crossover(sma(close, 10), sma(close, 30))", "A true/false formula over bar fields and inputs a, b, c."
    )


def _run(ctx: RunContext, text: str, frame: Any, a: Any = None, b: Any = None, c: Any = None) -> SeriesMap:
    return formulas.evaluate(ctx, formulas.compiled(text), frame, {"a": a, "b": b, "c": c})


@node("core:expression", category=Category.LOGIC, title="Expression", icon="function", stateful=True)
def expression_node(
    ctx: RunContext, params: ExpressionParams, frame: OptionalFrame = None,
    a: OptionalSeries = None, b: OptionalSeries = None, c: OptionalSeries = None,
) -> Series:
    """A number series computed by a formula, e.g. (close - close->5) / close->5."""
    return _run(ctx, params.formula, frame, a, b, c)


@node("core:condition", category=Category.LOGIC, title="Condition", icon="filter", stateful=True)
def condition_node(
    ctx: RunContext, params: ConditionParams, frame: OptionalFrame = None,
    a: OptionalSeries = None, b: OptionalSeries = None, c: OptionalSeries = None,
) -> BoolSeries:
    """A true/false series computed by a formula, e.g. rsi(close, 14) < 30 and close > sma(close, 200)."""
    return _run(ctx, params.formula, frame, a, b, c)


class CompareParams(NodeParams):
    op: Literal[">", ">=", "<", "<=", "==", "!="] = ">"
    value: float | None = Field(None, description="Compare with this number when input b is not connected.")


@node("core:compare", category=Category.LOGIC, title="Compare", icon="equal", stateful=True)
def compare_node(ctx: RunContext, params: CompareParams, a: Series, b: OptionalSeries = None) -> BoolSeries:
    """a OP b, or a OP value."""
    if b is None and params.value is None:
        raise QuantflowError("connect input b or set 'value'")
    right = "b" if b is not None else repr(float(params.value))  # type: ignore[arg-type]
    return _run(ctx, f"a {params.op} {right}", None, a, b)


class CrossParams(NodeParams):
    direction: Literal["above", "below"] = Field("above", description="a crosses above / below b.")


@node("core:crossover", category=Category.LOGIC, title="Crossover", icon="git-merge", stateful=True)
def crossover_node(ctx: RunContext, params: CrossParams, a: Series, b: Series) -> BoolSeries:
    """True on the bar where a crosses b (above: a > b now and a <= b on the bar before)."""
    function = "crossover" if params.direction == "above" else "crossunder"
    return _run(ctx, f"{function}(a, b)", None, a, b)


class ThresholdParams(NodeParams):
    above: float | None = Field(None, description="True where the series is above this level.")
    below: float | None = Field(None, description="True where the series is below this level.")

    @model_validator(mode="after")
    def needs_a_level(self) -> ThresholdParams:
        if self.above is None and self.below is None:
            raise ValueError("set 'above', 'below' or both")
        return self


@node("core:threshold", category=Category.LOGIC, title="Threshold", icon="sliders", stateful=True)
def threshold_node(ctx: RunContext, params: ThresholdParams, a: Series) -> BoolSeries:
    """True where the series is above and/or below fixed levels (both: inside the band)."""
    parts = []
    if params.above is not None:
        parts.append(f"a > {params.above!r}")
    if params.below is not None:
        parts.append(f"a < {params.below!r}")
    return _run(ctx, " and ".join(parts), None, a)


Conditions = Annotated[list[Any], Port(PortType.BOOL_SERIES, "Conditions to combine.", multiple=True)]


def _combine(conditions: list[SeriesMap], reducer: Any) -> dict[str, np.ndarray]:
    symbols = set.intersection(*(set(c) for c in conditions)) if conditions else set()
    out = {}
    for symbol in sorted(symbols):
        arrays = [np.asarray(c[symbol], dtype=bool) for c in conditions]
        if len({len(a) for a in arrays}) != 1:
            raise QuantflowError(f"conditions for {symbol} cover different bars; feed them from the same data node")
        out[symbol] = reducer(arrays)
    return out


@node("core:and", category=Category.LOGIC, title="All of", icon="and")
def and_node(conditions: Conditions) -> BoolSeries:
    """True where every connected condition is true."""
    return _combine(conditions, lambda arrays: np.logical_and.reduce(arrays))


@node("core:or", category=Category.LOGIC, title="Any of", icon="or")
def or_node(conditions: Conditions) -> BoolSeries:
    """True where at least one connected condition is true."""
    return _combine(conditions, lambda arrays: np.logical_or.reduce(arrays))


@node("core:not", category=Category.LOGIC, title="Not", icon="not")
def not_node(condition: BoolSeries) -> BoolSeries:
    """True where the condition is false."""
    return {symbol: ~np.asarray(values, dtype=bool) for symbol, values in condition.items()}


class RankParams(NodeParams):
    top_n: int = Field(5, ge=1, le=1000, description="How many symbols to keep at each bar.")
    order: Literal["highest", "lowest"] = "highest"


@node("core:rank", category=Category.LOGIC, title="Top N", icon="bar-chart")
def rank_node(params: RankParams, frame: Frame, a: Series) -> BoolSeries:
    """True for the top-N symbols by the series at each bar time (ties: alphabetical order);
    symbols with no value (NaN) at a time are never chosen."""
    symbols = sorted(s for s in a if s in frame)
    if not symbols:
        return {}
    values = {s: np.asarray(a[s], dtype=float) for s in symbols}
    # a series covers the newest len(values) bars of its symbol's frame
    own_times = {s: frame[s].time[len(frame[s]) - len(values[s]):] for s in symbols}
    times = np.unique(np.concatenate([own_times[s] for s in symbols]))
    matrix = np.full((len(symbols), len(times)), np.nan)
    positions = {s: np.searchsorted(times, own_times[s]) for s in symbols}
    for row, symbol in enumerate(symbols):
        matrix[row, positions[symbol]] = values[symbol]
    score = matrix if params.order == "highest" else -matrix
    score = np.where(np.isnan(score), -np.inf, score)
    order = np.argsort(-score, axis=0, kind="stable")  # stable: ties keep alphabetical order
    chosen = np.zeros_like(matrix, dtype=bool)
    top = order[: params.top_n]
    np.put_along_axis(chosen, top, True, axis=0)
    chosen &= ~np.isnan(matrix)
    return {symbol: chosen[row, positions[symbol]] for row, symbol in enumerate(symbols)}


NODE_TYPES = [
    expression_node, condition_node, compare_node, crossover_node, threshold_node,
    and_node, or_node, not_node, rank_node,
]
