"""Shared by the benchmark scripts: best-of-N timing and the one-line JSON result."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    """The fastest of `repeat` runs, in seconds: the least disturbed by a shared, noisy machine."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def emit(name: str, **fields: Any) -> None:
    print(json.dumps({"bench": name, **fields}), flush=True)
