"""Incremental (one bar at a time) state for the built-in window functions.

Each class follows its TA-Lib counterpart operation for operation — same seeding (SMA seed for
EMA/MACD, Wilder's average for RSI/ATR), same running sums, fused multiply-adds where the C
library fuses them (see `fma.py`) — with O(window) memory and O(1) work per bar (O(window) only
when a seed is formed). SMA, EMA, MACD, highest/lowest, ROC and the middle band equal TA-Lib 0.8.1
bit for bit (tests assert it). WMA, RSI, ATR, stddev/zscore, the outer bands and corr differ by a
few ulps of TA-Lib 0.8.1's internal sums — below 1e-9 relative on real prices, but a variance
near zero (a flat window) amplifies it. The gap rule of `indicators.py` applies: a non-finite
input resets the state and yields NaN.
"""

from __future__ import annotations

import math
from collections import deque

from quantflow.expr.fma import fma

NAN = float("nan")


class _Windowed:
    """Base: route finite bars to `step`, reset on a gap."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, *values: float) -> float:
        for value in values:
            if not math.isfinite(value):
                self.reset()
                return NAN
        return self.step(*values)

    def step(self, *values: float) -> float:
        raise NotImplementedError


class Sma(_Windowed):
    def __init__(self, n: int) -> None:
        self.n = n
        super().__init__()

    def reset(self) -> None:
        self.window: deque[float] = deque()
        self.total = 0.0

    def step(self, x: float) -> float:  # type: ignore[override]
        self.window.append(x)
        self.total += x
        if len(self.window) < self.n:
            return NAN
        mean = self.total / self.n
        self.total -= self.window.popleft()
        return mean


class Ema(_Windowed):
    """EMA with k = 2/(n+1), seeded by the SMA of the first n values (TA-Lib's default)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.k = 2.0 / (n + 1)
        super().__init__()

    def reset(self) -> None:
        self.count = 0
        self.value = 0.0

    def step(self, x: float) -> float:  # type: ignore[override]
        if self.count < self.n:
            self.count += 1
            self.value += x
            if self.count < self.n:
                return NAN
            self.value /= self.n
            return self.value
        self.value = fma(x - self.value, self.k, self.value)
        return self.value


class Wma(_Windowed):
    """Linearly weighted average, with TA-Lib's running weighted sum and plain sum."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.divider = float((n * (n + 1)) >> 1)
        super().__init__()

    def reset(self) -> None:
        self.window: deque[float] = deque()
        self.weighted = 0.0
        self.plain = 0.0
        self.trailing = 0.0

    def step(self, x: float) -> float:  # type: ignore[override]
        self.window.append(x)
        if len(self.window) < self.n:
            self.plain += x
            self.weighted = fma(x, len(self.window), self.weighted)
            return NAN
        self.plain += x
        self.plain -= self.trailing
        self.weighted = fma(x, self.n, self.weighted)
        self.trailing = self.window.popleft()
        out = self.weighted / self.divider
        self.weighted -= self.plain
        return out


class Rsi(_Windowed):
    """Wilder's RSI: average gain/loss seeded over the first n changes, then smoothed."""

    def __init__(self, n: int) -> None:
        self.n = n
        super().__init__()

    def reset(self) -> None:
        self.previous: float | None = None
        self.changes = 0
        self.gain = 0.0
        self.loss = 0.0

    def step(self, x: float) -> float:  # type: ignore[override]
        if self.previous is None:
            self.previous = x
            return NAN
        change = x - self.previous
        self.previous = x
        if self.changes < self.n:
            self.changes += 1
            self._add(change)
            if self.changes < self.n:
                return NAN
        elif change < 0.0:
            self.loss = fma(self.loss, self.n - 1, -change)
            self.gain *= self.n - 1
        else:
            self.gain = fma(self.gain, self.n - 1, change)
            self.loss *= self.n - 1
        self.loss /= self.n
        self.gain /= self.n
        total = self.gain + self.loss
        return 100.0 * (self.gain / total) if total != 0.0 else 0.0

    def _add(self, change: float) -> None:
        if change < 0.0:
            self.loss -= change
        else:
            self.gain += change


class Atr(_Windowed):
    """Average true range: SMA of the first n true ranges, then Wilder smoothing."""

    def __init__(self, n: int) -> None:
        self.n = n
        super().__init__()

    def reset(self) -> None:
        self.previous_close: float | None = None
        self.count = 0
        self.value = 0.0

    def step(self, high: float, low: float, close: float) -> float:  # type: ignore[override]
        previous, self.previous_close = self.previous_close, close
        if previous is None:
            return NAN
        true_range = max(high - low, abs(previous - high), abs(previous - low))
        if self.count < self.n:
            self.count += 1
            self.value += true_range
            if self.count < self.n:
                return NAN
            self.value /= self.n
            return self.value
        self.value = fma(self.value, self.n - 1, true_range) / self.n
        return self.value


class _Moments(_Windowed):
    """Running sum and sum of squares over the last n values, in TA-Lib's VAR order of
    operations (so the results match it to the last bit where TA-Lib allows)."""

    n: int

    def reset(self) -> None:
        self.window: deque[float] = deque()
        self.total = 0.0
        self.total_squares = 0.0

    def moments(self, x: float) -> tuple[float, float] | None:
        """(mean, population variance) of the window ending at x, or None while warming up."""
        self.window.append(x)
        self.total += x
        self.total_squares = fma(x, x, self.total_squares)
        if len(self.window) < self.n:
            return None
        mean = self.total / self.n
        mean_squares = self.total_squares / self.n
        oldest = self.window.popleft()
        self.total -= oldest
        self.total_squares = fma(-oldest, oldest, self.total_squares)
        return mean, fma(-mean, mean, mean_squares)


class Variance(_Moments):
    """Population standard deviation (TA-Lib STDDEV) or z-score, chosen by `output`."""

    def __init__(self, n: int, output: str = "stddev") -> None:
        self.n = n
        self.output = output
        super().__init__()

    def step(self, x: float) -> float:  # type: ignore[override]
        found = self.moments(x)
        if found is None:
            return NAN
        mean, variance = found
        deviation = math.sqrt(variance) if variance > 0.0 else 0.0
        if self.output == "stddev":
            return deviation
        return (x - mean) / deviation if deviation != 0.0 else NAN  # zscore


class Bbands(_Moments):
    """Bollinger bands around the SMA; deviation from the precomputed mean as TA-Lib does."""

    def __init__(self, n: int, k: float, output: str) -> None:
        self.n = n
        self.k = k
        self.output = output
        super().__init__()

    def step(self, x: float) -> float:  # type: ignore[override]
        found = self.moments(x)
        if found is None:
            return NAN
        middle, variance = found
        if self.output == "middle":
            return middle
        deviation = math.sqrt(variance) if variance > 0.0 else 0.0
        if self.output == "upper":
            return fma(deviation, self.k, middle)
        return fma(-deviation, self.k, middle)


class Macd(_Windowed):
    """MACD as TA-Lib computes it: both EMAs start at bar slow-1 (the fast one seeded with the
    SMA of the `fast` bars ending there) and every output waits for the signal line's warm-up."""

    def __init__(self, fast: int, slow: int, signal: int, output: str) -> None:
        self.fast, self.slow = min(fast, slow), max(fast, slow)
        self.signal = signal
        self.k_fast, self.k_slow, self.k_signal = (2.0 / (p + 1) for p in (self.fast, self.slow, signal))
        self.output = output
        super().__init__()

    def reset(self) -> None:
        self.recent: deque[float] = deque(maxlen=self.fast)
        self.count = 0
        self.slow_ema = 0.0
        self.fast_ema = 0.0
        self.signal_count = 0
        self.signal_ema = 0.0

    def step(self, x: float) -> float:  # type: ignore[override]
        if self.count < self.slow:
            self.count += 1
            self.slow_ema += x
            self.recent.append(x)
            if self.count < self.slow:
                return NAN
            self.slow_ema /= self.slow
            fast_total = 0.0
            for value in self.recent:
                fast_total += value
            self.fast_ema = fast_total / self.fast
        else:
            self.slow_ema = fma(x - self.slow_ema, self.k_slow, self.slow_ema)
            self.fast_ema = fma(x - self.fast_ema, self.k_fast, self.fast_ema)
        line = self.fast_ema - self.slow_ema
        if self.signal_count < self.signal:
            self.signal_count += 1
            self.signal_ema += line
            if self.signal_count < self.signal:
                return NAN
            self.signal_ema /= self.signal
        else:
            self.signal_ema = fma(line - self.signal_ema, self.k_signal, self.signal_ema)
        if self.output == "line":
            return line
        return self.signal_ema if self.output == "signal" else line - self.signal_ema


class Extreme(_Windowed):
    """Rolling maximum (or minimum) with a monotonic deque: O(1) amortised per bar."""

    def __init__(self, n: int, largest: bool) -> None:
        self.n = n
        self.largest = largest
        super().__init__()

    def reset(self) -> None:
        self.index = 0
        self.candidates: deque[tuple[int, float]] = deque()

    def step(self, x: float) -> float:  # type: ignore[override]
        candidates = self.candidates
        if self.largest:
            while candidates and candidates[-1][1] <= x:
                candidates.pop()
        else:
            while candidates and candidates[-1][1] >= x:
                candidates.pop()
        candidates.append((self.index, x))
        if candidates[0][0] <= self.index - self.n:
            candidates.popleft()
        self.index += 1
        return candidates[0][1] if self.index >= self.n else NAN


class Roc(_Windowed):
    """Rate of change in percent, 0 when the old value is 0 (TA-Lib's convention)."""

    def __init__(self, n: int) -> None:
        self.n = n
        super().__init__()

    def reset(self) -> None:
        self.window: deque[float] = deque(maxlen=self.n + 1)

    def step(self, x: float) -> float:  # type: ignore[override]
        self.window.append(x)
        if len(self.window) <= self.n:
            return NAN
        before = self.window[0]
        return ((x / before) - 1.0) * 100.0 if before != 0.0 else 0.0


class Correlation(_Windowed):
    """Pearson correlation from running sums (TA-Lib CORREL); 0 when a window has no spread."""

    def __init__(self, n: int) -> None:
        self.n = n
        super().__init__()

    def reset(self) -> None:
        self.window: deque[tuple[float, float]] = deque()
        self.sx = self.sy = self.sxx = self.syy = self.sxy = 0.0

    def step(self, x: float, y: float) -> float:  # type: ignore[override]
        self.window.append((x, y))
        if len(self.window) > self.n:
            tx, ty = self.window.popleft()
            self.sx -= tx
            self.sxx = fma(-tx, tx, self.sxx)
            self.sxy = fma(-tx, ty, self.sxy)
            self.sy -= ty
            self.syy = fma(-ty, ty, self.syy)
        self.sx += x
        self.sxx = fma(x, x, self.sxx)
        self.sxy = fma(x, y, self.sxy)
        self.sy += y
        self.syy = fma(y, y, self.syy)
        if len(self.window) < self.n:
            return NAN
        n = self.n
        spread = (self.sxx - (self.sx * self.sx) / n) * (self.syy - (self.sy * self.sy) / n)
        if spread > 0.0:
            return (self.sxy - (self.sx * self.sy) / n) / math.sqrt(spread)
        return 0.0
