"""Backtest and paper runs: the core's bar-by-bar runner (or its fast path) over the operator's
market data, or over the seeded synthetic market when none is configured (labelled synthetic).

The runner is CPU-bound and holds the GIL, so it runs in a worker process (runs/worker.py, started by
runs/processes.py): in a thread it would starve the server's event loop. The helpers below are
shared by the worker (which runs) and the server (which records).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from quantflow.backtest import BacktestConfig, BacktestResult, run_bar_by_bar, run_fast
from quantflow.backtest.setup import prepare
from quantflow.data import DirectoryConfig, DirectorySource, MemorySource
from quantflow.data.synthetic import SyntheticConfig, generate_market
from quantflow.engine import RunMode
from quantflow.plugins.host import PluginHost

from quantflow_server.audit.chain import AuditEvent
from quantflow_server.runs.schemas import RunRequest

BARS_TYPE = "core:bars"
PROGRESS_EVERY = 20  # sessions between progress events


def config_for(request: RunRequest) -> BacktestConfig:
    assert request.start is not None and request.end is not None
    return BacktestConfig(
        start=request.start, end=request.end, initial_cash=request.initial_cash, symbols=tuple(request.symbols)
    )


def with_symbols(document: dict[str, Any], symbols: list[str]) -> dict[str, Any]:
    """The document with every bars node asking for the run's symbols (none given: unchanged)."""
    if not symbols:
        return document
    nodes = [
        {**n, "params": {**n.get("params", {}), "symbols": list(symbols)}} if n.get("type") == BARS_TYPE else n
        for n in document.get("nodes", [])
    ]
    return {**document, "nodes": nodes}


def make_source(
    market_data_dir: Path | None, host: PluginHost, document: dict[str, Any], config: BacktestConfig
) -> Any:
    """The operator's data directory, else a synthetic market covering the warm-up and the period."""
    if market_data_dir is not None:
        return DirectorySource(DirectoryConfig(path=market_data_dir, end=config.end, policy="repair"))
    prepared = prepare(document, config, host.registry.node_types)
    first = config.start - timedelta(days=int(prepared.warmup * 1.6) + 30)  # trading days -> calendar days
    market = generate_market(SyntheticConfig(symbols=prepared.symbols, start=first, end=max(config.end, first)))
    return MemorySource(market, synthetic=True)


def is_synthetic(source: Any) -> bool:
    return bool(getattr(source, "synthetic", False) or getattr(source, "metadata", {}).get("synthetic"))


def run_blocking(
    document: dict[str, Any],
    source: Any,
    config: BacktestConfig,
    host: PluginHost,
    *,
    mode: str,
    fast: bool,
    progress: Callable[[int, int], None],
) -> BacktestResult:
    """The whole run on a private event loop (the caller is a worker process, not the server)."""
    types = host.registry.node_types
    if fast:
        return asyncio.run(run_fast(document, source, config, types=types))
    run_mode = RunMode.PAPER if mode == "paper" else RunMode.BACKTEST
    return asyncio.run(run_bar_by_bar(document, source, config, types=types, mode=run_mode, progress=progress))


def order_records(result: BacktestResult, run_id: str, mode: str) -> list[tuple[str, dict[str, Any]]]:
    """Every order and fill of a run as (action, details), for the run's events and the audit ledger."""
    records = [("order_placed", {"run": run_id, "mode": mode, **o.model_dump(mode="json")}) for o in result.orders]
    records += [("order_filled", {"run": run_id, "mode": mode, **f.model_dump(mode="json")}) for f in result.fills]
    return records


def audit_events(records: list[tuple[str, dict[str, Any]]], actor: str | None) -> list[AuditEvent]:
    return [AuditEvent(action, actor, details) for action, details in records]


def summary_of(result: BacktestResult, synthetic: bool) -> dict[str, Any]:
    return {
        "synthetic": synthetic,
        "data": "synthetic market (seeded random walks, NOT real prices)" if synthetic else "market data directory",
        "orders": len(result.orders),
        "fills": len(result.fills),
        "metrics": result.metrics.model_dump(mode="json"),
    }


def pace_problem(request: RunRequest) -> str | None:
    if request.pace_ms and request.mode != "paper":
        return "only a paper run can be paced"
    return None


def period_problem(start: date | None, end: date | None) -> str | None:
    if start is None or end is None:
        return "a backtest or paper run needs start and end dates"
    if end < start:
        return "end is before start"
    if (end - start).days > 366 * 30:
        return "the period is longer than 30 years"
    return None
