"""The built-in function table: one `FunctionSpec` per function, vectorised and incremental.

Multi-output indicators are separate functions, so every call has one result and one type:
`macd` (the MACD line), `macd_signal`, `macd_hist`; `bbands_upper`, `bbands_middle`,
`bbands_lower`. Parameters with defaults may be given by keyword, e.g. `rsi(close, n=9)`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from quantflow.expr import indicators as ind
from quantflow.expr import scalar
from quantflow.expr import streaming as st
from quantflow.expr.functions import FunctionSpec, Param
from quantflow.expr.kinds import ParamKind, ValueKind

N = ValueKind.NUMBER
B = ValueKind.BOOL


def _series(name: str = "x", doc: str = "input series") -> Param:
    return Param(name, ParamKind.NUMBER, doc=doc)


def _window(name: str = "n", default: int | None = None, minimum: int = 2, doc: str = "bars in the window") -> Param:
    return Param(name, ParamKind.WINDOW, default=default, minimum=minimum, doc=doc)


def _number_fn(name: str, vectorized: Callable[..., np.ndarray], scalar_fn: Callable[..., float], doc: str,
               params: tuple[Param, ...] = (_series(),)) -> FunctionSpec:
    """An element-wise number function whose incremental form applies `scalar_fn` per bar."""
    return FunctionSpec(name, params, N, vectorized, scalar.elementwise(scalar_fn), doc=doc)


def _windowed(name: str, vectorized: Callable[..., np.ndarray], state: Callable[..., object], doc: str,
              params: tuple[Param, ...] | None = None) -> FunctionSpec:
    return FunctionSpec(name, params or (_series(), _window()), N, vectorized, state, doc=doc)  # type: ignore[arg-type]


_MACD_PARAMS = (
    _series(),
    _window("fast", 12, doc="fast EMA period"),
    _window("slow", 26, doc="slow EMA period (swapped with fast if smaller)"),
    _window("signal", 9, minimum=1, doc="signal EMA period"),
)
_BBANDS_PARAMS = (
    _series(),
    _window("n", 20),
    Param("k", ParamKind.CONSTANT, default=2.0, minimum=0.0, maximum=100.0, doc="band width in standard deviations"),
)


def _macd(output: str) -> Callable[[int, int, int], st.Macd]:
    return lambda fast, slow, signal: st.Macd(fast, slow, signal, output)


def _bbands(output: str) -> Callable[[int, float], st.Bbands]:
    return lambda n, k: st.Bbands(n, k, output)


BUILTINS: tuple[FunctionSpec, ...] = (
    _windowed("sma", ind.sma, st.Sma, "Simple moving average of the last n bars."),
    _windowed("ema", ind.ema, st.Ema, "Exponential moving average, k = 2/(n+1), seeded with the SMA of the first n bars."),
    _windowed("wma", ind.wma, st.Wma, "Linearly weighted moving average (newest bar weighs n)."),
    _windowed("rsi", ind.rsi, st.Rsi, "Wilder's relative strength index, 0-100.", (_series(), _window("n", 14))),
    _windowed("macd", ind.macd, _macd("line"), "MACD line: EMA(fast) - EMA(slow), TA-Lib alignment.", _MACD_PARAMS),
    _windowed("macd_signal", ind.macd_signal, _macd("signal"), "MACD signal line: EMA(signal) of the MACD line.", _MACD_PARAMS),
    _windowed("macd_hist", ind.macd_hist, _macd("hist"), "MACD histogram: line - signal.", _MACD_PARAMS),
    _windowed("bbands_upper", ind.bbands_upper, _bbands("upper"), "Upper Bollinger band: SMA + k * stddev.", _BBANDS_PARAMS),
    _windowed("bbands_middle", ind.bbands_middle, _bbands("middle"), "Middle Bollinger band: the SMA.", _BBANDS_PARAMS),
    _windowed("bbands_lower", ind.bbands_lower, _bbands("lower"), "Lower Bollinger band: SMA - k * stddev.", _BBANDS_PARAMS),
    _windowed(
        "atr", ind.atr, st.Atr, "Average true range (Wilder), from high, low and close.",
        (_series("high"), _series("low"), _series("close"), _window("n", 14, minimum=1)),
    ),
    _windowed("stddev", ind.stddev, st.Variance, "Population standard deviation over the window."),
    _windowed("highest", ind.highest, lambda n: st.Extreme(n, True), "Highest value of the last n bars."),
    _windowed("lowest", ind.lowest, lambda n: st.Extreme(n, False), "Lowest value of the last n bars."),
    _windowed(
        "roc", ind.roc, st.Roc, "Rate of change in percent: (x / x->n - 1) * 100; 0 when x->n is 0.",
        (_series(), _window("n", 10, minimum=1)),
    ),
    FunctionSpec(
        "pct_change", (_series(), _window("n", 1, minimum=1)), N, ind.pct_change, scalar.PctChange,
        doc="Fractional change over n bars: (x - x->n) / x->n.",
    ),
    _windowed("zscore", ind.zscore, lambda n: st.Variance(n, "zscore"), "(x - sma) / stddev over the window; NaN without spread."),
    _windowed(
        "corr", ind.corr, st.Correlation, "Rolling Pearson correlation of a and b (0 when a window has no spread).",
        (_series("a"), _series("b"), _window()),
    ),
    FunctionSpec(
        "crossover", (_series("a"), _series("b")), B, ind.crossover, lambda: scalar.Cross(True),
        doc="True on bar t when a[t] > b[t] and a[t-1] <= b[t-1]; false on the first bar and with NaN.",
    ),
    FunctionSpec(
        "crossunder", (_series("a"), _series("b")), B, ind.crossunder, lambda: scalar.Cross(False),
        doc="True on bar t when a[t] < b[t] and a[t-1] >= b[t-1]; false on the first bar and with NaN.",
    ),
    _number_fn("abs", np.abs, abs, "Absolute value."),
    _number_fn("min", np.minimum, lambda a, b: float(np.minimum(a, b)), "Smaller of a and b (NaN if either is NaN).",
               (_series("a"), _series("b"))),
    _number_fn("max", np.maximum, lambda a, b: float(np.maximum(a, b)), "Larger of a and b (NaN if either is NaN).",
               (_series("a"), _series("b"))),
    _number_fn("log", np.log, lambda x: float(np.log(x)), "Natural logarithm (NaN for negative x, -inf at 0)."),
    _number_fn("sqrt", np.sqrt, lambda x: float(np.sqrt(x)), "Square root (NaN for negative x)."),
    FunctionSpec(
        "round", (_series(), Param("digits", ParamKind.INTEGER, default=0, minimum=0, maximum=15)), N,
        ind.round_, lambda digits: scalar.Stateless(lambda x: float(np.round(x, digits))),
        doc="Round to `digits` decimals, halves to even (numpy's rule).",
    ),
    _number_fn("clip", np.clip, scalar.clip, "x limited to [low, high].",
               (_series(), _series("low"), _series("high"))),
    FunctionSpec(
        "nz", (_series(), Param("value", ParamKind.CONSTANT, default=0.0)), N,
        ind.nz, lambda value: scalar.Stateless(lambda x: scalar.nz(x, value)),
        doc="x, with NaN replaced by the literal `value` (default 0).",
    ),
)
