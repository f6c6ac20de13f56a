"""Metrics helpers against plain oracles."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from quantflow.backtest.metrics import _drawdown


def _oracle(equity: list[float]) -> tuple[float, int]:
    peak, deepest, run, longest = equity[0], 0.0, 0, 0
    for value in equity:
        peak = max(peak, value)
        depth = 1 - value / peak
        deepest = max(deepest, depth)
        run = run + 1 if depth > 0 else 0
        longest = max(longest, run)
    return deepest * 100, longest


@given(st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=60))
def test_drawdown_depth_and_longest_run_below_the_peak(values: list[int]) -> None:
    equity = [float(v) for v in values]
    assert _drawdown(np.array(equity)) == _oracle(equity)


def test_drawdown_examples() -> None:
    depth, longest = _drawdown(np.array([100.0, 90.0, 95.0, 100.0, 80.0, 120.0]))
    assert abs(depth - 20.0) < 1e-9 and longest == 2
    assert _drawdown(np.array([1.0, 2.0, 3.0])) == (0.0, 0)
