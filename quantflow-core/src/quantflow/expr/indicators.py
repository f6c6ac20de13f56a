"""Vectorised implementations of the built-in functions (TA-Lib where it has the indicator).

Gap rule, shared with `streaming.py`: a window function treats any non-finite input (NaN, ±inf)
as a gap. Its output is NaN on the gap, and after it the indicator starts over — warm-up
included — exactly as TA-Lib does at the start of a series. TA-Lib is therefore run on each
maximal finite stretch separately (one call in the usual case of leading NaNs only), so a single
missing bar cannot poison a running sum for the rest of history.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import talib

Array = np.ndarray
NAN = float("nan")


def by_finite_runs(compute: Callable[..., Array], *series: Array) -> Array:
    """Apply `compute` to each stretch where every series is finite; NaN elsewhere."""
    finite = np.isfinite(series[0])
    for other in series[1:]:
        finite &= np.isfinite(other)
    if finite.all():
        return np.asarray(compute(*series), dtype=np.float64)
    out = np.full(len(finite), NAN)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.view(np.int8), [0]))))
    for start, stop in zip(edges[0::2], edges[1::2], strict=True):
        out[start:stop] = compute(*(s[start:stop] for s in series))
    return out


def _ta(function: Callable[..., Array], **options: object) -> Callable[..., Array]:
    """Wrap a single-output TA-Lib function with the gap rule. With pandas or polars installed,
    TA-Lib wraps each of its functions in a check for their Series (about 2 us a call); the one
    underneath (`functools.wraps`' `__wrapped__`) is called, as only numpy arrays come here."""
    raw = getattr(function, "__wrapped__", function)

    def compute(*series: Array) -> Array:
        return by_finite_runs(lambda *s: raw(*s, **options), *series)

    return compute


def sma(x: Array, n: int) -> Array:
    return _ta(talib.SMA, timeperiod=n)(x)


def ema(x: Array, n: int) -> Array:
    return _ta(talib.EMA, timeperiod=n)(x)


def wma(x: Array, n: int) -> Array:
    return _ta(talib.WMA, timeperiod=n)(x)


def rsi(x: Array, n: int) -> Array:
    return _ta(talib.RSI, timeperiod=n)(x)


def stddev(x: Array, n: int) -> Array:
    return _ta(talib.STDDEV, timeperiod=n, nbdev=1.0)(x)


def highest(x: Array, n: int) -> Array:
    return _ta(talib.MAX, timeperiod=n)(x)


def lowest(x: Array, n: int) -> Array:
    return _ta(talib.MIN, timeperiod=n)(x)


def roc(x: Array, n: int) -> Array:
    return _ta(talib.ROC, timeperiod=n)(x)


def atr(high: Array, low: Array, close: Array, n: int) -> Array:
    return _ta(talib.ATR, timeperiod=n)(high, low, close)


def corr(a: Array, b: Array, n: int) -> Array:
    return _ta(talib.CORREL, timeperiod=n)(a, b)


def _macd_output(index: int) -> Callable[[Array, int, int, int], Array]:
    def compute(x: Array, fast: int, slow: int, signal: int) -> Array:
        def run(s: Array) -> Array:
            return talib.MACD(s, fastperiod=fast, slowperiod=slow, signalperiod=signal)[index]

        return by_finite_runs(run, x)

    return compute


macd, macd_signal, macd_hist = _macd_output(0), _macd_output(1), _macd_output(2)


def _bbands_output(index: int) -> Callable[[Array, int, float], Array]:
    def compute(x: Array, n: int, k: float) -> Array:
        def run(s: Array) -> Array:
            # talib's stub types matype as an Enum; at run time it is the int code (0 = SMA).
            return talib.BBANDS(s, timeperiod=n, nbdevup=k, nbdevdn=k, matype=0)[index]  # type: ignore[arg-type]

        return by_finite_runs(run, x)

    return compute


bbands_upper, bbands_middle, bbands_lower = _bbands_output(0), _bbands_output(1), _bbands_output(2)


def zscore(x: Array, n: int) -> Array:
    """(x - sma) / stddev over the window; NaN where the window has no spread."""

    def run(s: Array) -> Array:
        deviation = talib.STDDEV(s, timeperiod=n, nbdev=1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (s - talib.SMA(s, timeperiod=n)) / deviation
        z[deviation == 0.0] = NAN
        return z

    return by_finite_runs(run, x)


def shift(x: Array, bars: int, fill: float | bool) -> Array:
    """x->bars: the value `bars` bars ago; `fill` before the series has that much history."""
    if bars == 0:
        return x
    out = np.empty_like(x)
    out[:bars] = fill
    out[bars:] = x[:-bars] if bars < len(x) else x[:0]
    return out


def pct_change(x: Array, n: int) -> Array:
    before = shift(x, n, NAN)
    with np.errstate(divide="ignore", invalid="ignore"):
        change: Array = (x - before) / before
    return change


def crossover(a: Array, b: Array) -> Array:
    out = np.zeros(len(a), dtype=bool)
    out[1:] = (a[1:] > b[1:]) & (a[:-1] <= b[:-1])
    return out


def crossunder(a: Array, b: Array) -> Array:
    out = np.zeros(len(a), dtype=bool)
    out[1:] = (a[1:] < b[1:]) & (a[:-1] >= b[:-1])
    return out


def nz(x: Array, value: Array) -> Array:
    return np.where(np.isnan(x), value, x)


def round_(x: Array, digits: int) -> Array:
    return np.round(x, int(digits))
