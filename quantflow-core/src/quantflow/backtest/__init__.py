"""Backtests: a workflow over history through the same engine, data interface, risk engine and
paper broker as paper trading (`run_bar_by_bar`), plus a vectorised fast path (`run_fast`) that
gives identical orders, fills and equity for workflows whose signals depend on data only.

Imports are lazy: `quantflow.builtin.action_nodes` uses `quantflow.backtest.rules` while the plugin
host is still loading, so this package must not pull in the engine at import time.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "BacktestConfig": "quantflow.backtest.config",
    "BacktestError": "quantflow.backtest.setup",
    "BacktestResult": "quantflow.backtest.results",
    "run_bar_by_bar": "quantflow.backtest.bar_runner",
    "run_fast": "quantflow.backtest.fast",
    "render_html": "quantflow.backtest.report",
}

__all__ = ["BacktestConfig", "BacktestError", "BacktestResult", "render_html", "run_bar_by_bar", "run_fast"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'quantflow.backtest' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
