"""Per-symbol accounts (`BacktestConfig.accounts="per_symbol"`): one run over a universe gives what
one backtest per symbol gives, on both paths."""

from __future__ import annotations

from datetime import date

import anyio
from quantflow.backtest import BacktestConfig, BacktestResult, run_bar_by_bar, run_fast

from .conftest import Source, needs_data, sma_cross

pytestmark = needs_data
SYMBOLS = ["FPT", "HPG", "SSI", "VCB"]
CONFIG = BacktestConfig(start=date(2022, 1, 4), end=date(2024, 12, 31), initial_cash=500_000_000,
                        accounts="per_symbol")
ORDER = {"sizing": "percent_equity", "percent": 100, "order_type": "LO", "limit_at": "band"}


def _run(runner: object, symbols: list[str], config: BacktestConfig) -> BacktestResult:
    return anyio.run(lambda: runner(sma_cross(symbols, order=ORDER), Source(*symbols), config))  # type: ignore[operator]


def test_one_run_with_per_symbol_accounts_equals_one_run_per_symbol() -> None:
    together = _run(run_bar_by_bar, SYMBOLS, CONFIG)
    alone = {s: _run(run_bar_by_bar, [s], CONFIG.model_copy(update={"accounts": "shared"})) for s in SYMBOLS}
    assert len(together.fills) > 40
    for symbol, result in alone.items():
        assert [f for f in together.fills if f.symbol == symbol] == list(result.fills)
        assert [o for o in together.orders if o.symbol == symbol] == list(result.orders)
        assert [p for p in together.positions if p.symbol == symbol] == list(result.positions)
    # the accounts together: cash and equity add up, day by day
    assert together.equity[0].equity == CONFIG.initial_cash * len(SYMBOLS)
    final = sum(r.equity[-1].equity for r in alone.values())
    assert together.equity[-1].equity == final


def test_per_symbol_accounts_fast_path_equals_bar_by_bar() -> None:
    slow, fast = _run(run_bar_by_bar, SYMBOLS, CONFIG), _run(run_fast, SYMBOLS, CONFIG)
    assert slow.orders == fast.orders
    assert slow.fills == fast.fills
    assert slow.equity == fast.equity
    assert slow.positions == fast.positions
    assert slow.metrics == fast.metrics
