"""Per-bar arithmetic with numpy's semantics, for the incremental evaluator.

Python raises on `x / 0`, `x % 0` and overflowing or complex `**`; numpy returns inf/NaN. The live
path must give what the vectorised path gives, so these helpers follow IEEE 754 (as numpy does),
and `power`/`log`/`sqrt` call the very numpy ufuncs the vectorised path uses.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

import numpy as np

NAN = float("nan")
INF = float("inf")


def divide(a: float, b: float) -> float:
    if b != 0.0:
        return a / b
    if a != a or a == 0.0 or b != b:
        return NAN
    return math.copysign(INF, a) * math.copysign(1.0, b)


def remainder(a: float, b: float) -> float:
    if b == 0.0 or b != b:
        return NAN
    return a % b


def power(a: float, b: float) -> float:
    return float(np.power(a, b))  # callers run under np.errstate(all="ignore")


def not_equal(a: float, b: float) -> bool:
    """`!=` is false when either side is NaN, like every other comparison."""
    return a < b or a > b


class Stateless:
    """Incremental form of an element-wise function: apply it to the newest values."""

    def __init__(self, function: Callable[..., float | bool]) -> None:
        self.function = function

    def update(self, *values: float) -> float | bool:
        return self.function(*values)


def elementwise(function: Callable[..., float | bool]) -> Callable[..., Stateless]:
    """Factory for FunctionSpec.incremental of a function with no literal parameters."""
    return lambda: Stateless(function)


class Delay:
    """The value `bars` bars ago (`fill` until there is that much history)."""

    def __init__(self, bars: int, fill: float | bool) -> None:
        self.bars = bars
        self.window: deque[float | bool] = deque([fill] * bars)

    def update(self, value: float | bool) -> float | bool:
        if self.bars == 0:
            return value
        self.window.append(value)
        return self.window.popleft()


class Cross:
    """crossover (above=True) / crossunder: true on the bar where a moves across b."""

    def __init__(self, above: bool) -> None:
        self.above = above
        self.previous: tuple[float, float] | None = None

    def update(self, a: float, b: float) -> bool:
        previous, self.previous = self.previous, (a, b)
        if previous is None:
            return False
        pa, pb = previous
        if self.above:
            return a > b and pa <= pb
        return a < b and pa >= pb


class PctChange:
    def __init__(self, n: int) -> None:
        self.delay = Delay(n, NAN)

    def update(self, x: float) -> float:
        before = float(self.delay.update(x))
        return divide(x - before, before)


def clip(x: float, low: float, high: float) -> float:
    return float(np.clip(x, low, high))


def nz(x: float, value: float) -> float:
    return value if x != x else x
