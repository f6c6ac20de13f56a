"""Benchmark the expression language; prints one JSON line per measurement.

    .venv/bin/python bench/bench_expr.py

1. incremental: one new bar through `sma(close,20) > sma(close,50) and rsi(close,14) < 70`
   (goal < 50 µs), after a warm-up history of real HPG bars (synthetic if the data is absent).
2. vectorised: the same over 1,000,000 bars (goal < 30 ms), with the ratio against plain pandas
   computing the same signal (Wilder RSI via ewm), measured in the same run.
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from quantflow.expr import compile_expression

EXPRESSION = "sma(close,20) > sma(close,50) and rsi(close,14) < 70"
HPG = Path("/work/shared/data/vn/daily/vci_adjusted_2019_2025/HPG.csv")


def closes() -> tuple[np.ndarray, str]:
    if HPG.exists():
        with HPG.open(newline="") as handle:
            return np.array([float(r["close"]) for r in list(csv.DictReader(handle))[:-1]]), "HPG daily"
    return 20 + np.cumsum(np.random.default_rng(0).normal(0, 0.3, 1500)), "synthetic random walk"


def best_of(function: object, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings)


def bench_incremental(compiled: object, history: np.ndarray, source: str) -> None:
    bars = [{"close": float(v)} for v in history[200:]]
    per_bar = []
    for _ in range(5):
        evaluator = compiled.incremental()  # type: ignore[attr-defined]
        for value in history[:200]:
            evaluator.update({"close": float(value)})
        start = time.perf_counter()
        for bar in bars:
            evaluator.update(bar)
        per_bar.append((time.perf_counter() - start) / len(bars))
    print(json.dumps({
        "bench": "expr_incremental_one_bar", "expression": EXPRESSION, "data": source, "bars_timed": len(bars),
        "us_per_bar_best": round(min(per_bar) * 1e6, 2), "us_per_bar_median": round(statistics.median(per_bar) * 1e6, 2),
        "goal_us": 50,
    }))


def pandas_signal(close: pd.Series) -> pd.Series:
    change = close.diff()
    gain = change.clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
    loss = (-change).clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
    rsi = 100 * gain / (gain + loss)
    return (close.rolling(20).mean() > close.rolling(50).mean()) & (rsi < 70)


def bench_vectorised(compiled: object) -> None:
    rng = np.random.default_rng(42)
    close = 25 * np.exp(np.cumsum(rng.normal(0, 0.01, 1_000_000)))
    columns = {"close": close}
    series = pd.Series(close)
    ours = best_of(lambda: compiled.evaluate(columns), 7)  # type: ignore[attr-defined]
    theirs = best_of(lambda: pandas_signal(series), 7)
    print(json.dumps({
        "bench": "expr_vectorised_1m_bars", "expression": EXPRESSION, "bars": len(close),
        "ms_best": round(ours * 1e3, 2), "pandas_ms_best": round(theirs * 1e3, 2),
        "ratio_vs_pandas": round(ours / theirs, 3), "goal_ms": 30,
    }))


def main() -> None:
    compiled = compile_expression(EXPRESSION)
    history, source = closes()
    bench_incremental(compiled, history, source)
    bench_vectorised(compiled)


if __name__ == "__main__":
    main()
