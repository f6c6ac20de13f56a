"""The lockstep simulation of per-symbol accounts (`backtest.lockstep`) gives exactly what the fast
path's event loop gives (itself held equal to the bar-by-bar path by the parity tests), on random
histories that exercise its edges: partial fills under a volume cap, orders still working when a
symbol fires again, missing sessions, bars on days the calendar does not trade, rejections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import anyio
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.backtest import BacktestConfig, BacktestResult, lockstep, run_fast
from quantflow.data.bars import Bars
from quantflow.data.memory import MemorySource
from quantflow.domain import Exchange
from quantflow.market import default_calendar
from quantflow.testing.workflows import example, with_params

from .conftest import Source, needs_data, sma_cross

START, END = date(2022, 3, 1), date(2023, 6, 30)


def _history(seed: int, symbols: list[str]) -> dict[str, Bars]:
    """Random-walk daily bars on the trading calendar, with gaps, the odd bar on a closed day, and
    volumes that are often too thin for a whole order."""
    rng = np.random.default_rng(seed)
    calendar = default_calendar()
    days = [date.fromordinal(d) for d in range(date(2021, 6, 1).toordinal(), END.toordinal() + 1)]
    out = {}
    for symbol in symbols:
        chosen = [d for d in days if (calendar.is_trading_day(d) and rng.random() > 0.03)
                  or (d.weekday() < 5 and not calendar.is_trading_day(d) and rng.random() < 0.03)]
        n = len(chosen)
        close = np.maximum(1_000, np.round(rng.uniform(8_000, 60_000) * np.exp(np.cumsum(rng.normal(0, 0.03, n)))))
        opening = np.maximum(1_000, np.round(close * np.exp(rng.normal(0, 0.01, n))))
        high = np.maximum(opening, close) * (1 + rng.uniform(0, 0.03, n))
        low = np.minimum(opening, close) * (1 - rng.uniform(0, 0.03, n))
        volume = np.where(rng.random(n) < 0.3, rng.integers(0, 3_000, n), rng.integers(10_000, 2_000_000, n))
        time = np.array([np.datetime64(d, "ns") + np.timedelta64(8, "h") for d in chosen])
        out[symbol] = Bars(symbol, time, opening, np.round(high), np.round(low), close, volume.astype(float))
    return out


def _workflow(symbols: list[str], order: dict[str, Any]) -> dict[str, Any]:
    """The SMA crossover on short averages: many signals, often on consecutive bars."""
    return with_params(example("sma_crossover"), bars={"symbols": symbols, "lookback": 60}, trade=order,
                       fast={"function": "sma", "field": "close", "args": [2]},
                       slow={"function": "sma", "field": "close", "args": [5]})


def _both(workflow: dict[str, Any], source: Any, config: BacktestConfig,
          monkeypatch: pytest.MonkeyPatch) -> tuple[BacktestResult, BacktestResult, lockstep.Outcome]:
    seen: list[lockstep.Outcome] = []
    simulate = lockstep.simulate

    def spy(*args: Any, **kwargs: Any) -> lockstep.Outcome:
        seen.append(simulate(*args, **kwargs))
        return seen[-1]

    with monkeypatch.context() as patch:
        patch.setattr(lockstep, "simulate", spy)
        fast = anyio.run(lambda: run_fast(workflow, source, config))
    with monkeypatch.context() as patch:
        patch.setattr(lockstep, "eligible", lambda *args: False)
        loop = anyio.run(lambda: run_fast(workflow, source, config))
    assert len(seen) == 1, "the lockstep simulation did not run"
    return fast, loop, seen[0]


ORDERS = [
    {"sizing": "percent_equity", "percent": 100, "order_type": "LO", "limit_at": "band"},
    {"sizing": "percent_equity", "percent": 40, "order_type": "ATO"},
    {"sizing": "quantity", "quantity": 3_000, "order_type": "ATC"},
    {"sizing": "percent_equity", "percent": 12.5, "order_type": "LO", "limit_at": "band"},
]


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**31), order=st.sampled_from(ORDERS), cash=st.sampled_from([50_000_000, 2_000_000_000]),
       participation=st.sampled_from([Decimal(1), Decimal("0.01")]))
def test_lockstep_equals_the_event_loop_on_random_histories(seed: int, order: dict[str, Any], cash: int,
                                                            participation: Decimal) -> None:
    symbols = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
    exchanges = {"BBB": Exchange.HNX, "CCC": Exchange.UPCOM}
    config = BacktestConfig(start=START, end=END, initial_cash=cash, accounts="per_symbol", exchanges=exchanges,
                            max_participation=participation)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, loop, outcome = _both(_workflow(symbols, order), MemorySource(_history(seed, symbols)), config, monkeypatch)
    assert fast.model_dump_json() == loop.model_dump_json()
    assert len(outcome.handed_back) < len(symbols)  # it really simulated some symbols itself


@needs_data
@pytest.mark.parametrize("order", ORDERS)
def test_lockstep_equals_the_event_loop_on_real_data(order: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    symbols = ["FPT", "HPG", "SSI", "VCB"]
    config = BacktestConfig(start=date(2022, 1, 4), end=date(2024, 12, 31), initial_cash=500_000_000,
                            accounts="per_symbol", max_participation=Decimal("0.002"))
    fast, loop, outcome = _both(sma_cross(symbols, order=order), Source(*symbols), config, monkeypatch)
    assert fast.model_dump_json() == loop.model_dump_json()
    assert not outcome.handed_back and len(fast.fills) > 40


def test_only_the_common_case_is_simulated_in_lockstep() -> None:
    from quantflow.backtest.decide import SizingRule
    from quantflow.domain import Instrument
    from quantflow.domain.orders import OrderType
    from quantflow.market import FeeSchedule
    from quantflow.trading.risk import RiskLimits

    hpg = [Instrument(symbol="HPG", exchange=Exchange.HOSE)]
    band = SizingRule("percent_equity", 0, 100.0, 1.0, 1.0, "LO", 0, "band")
    limits = RiskLimits(check_sessions=False)
    assert lockstep.eligible(band, OrderType.LO, FeeSchedule(), Decimal(1), limits, hpg)
    close = SizingRule("percent_equity", 0, 100.0, 1.0, 1.0, "LO", 0, "close")
    assert not lockstep.eligible(close, OrderType.LO, FeeSchedule(), Decimal(1), limits, hpg)
    target = SizingRule("target_percent", 0, 20.0, 1.0, 1.0, "ATO", 0, "band")
    assert not lockstep.eligible(target, OrderType.ATO, FeeSchedule(), Decimal(1), limits, hpg)
    mtl = SizingRule("percent_equity", 0, 100.0, 1.0, 1.0, "MTL", 0, "band")
    assert not lockstep.eligible(mtl, OrderType.MTL, FeeSchedule(), Decimal(1), limits, hpg)
    assert not lockstep.eligible(band, OrderType.LO, FeeSchedule(), Decimal(1), RiskLimits(max_order_value=10**9,
                                                                                          check_sessions=False), hpg)


def test_numbers_beyond_safe_integer_arithmetic_go_to_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    symbols = ["AAA", "BBB"]
    config = BacktestConfig(start=START, end=END, initial_cash=10**14, accounts="per_symbol")
    order = {"sizing": "quantity", "quantity": 100_000, "order_type": "ATO"}
    fast, loop, outcome = _both(_workflow(symbols, order), MemorySource(_history(7, symbols)), config, monkeypatch)
    assert fast.model_dump_json() == loop.model_dump_json()
    assert set(outcome.handed_back.values()) == {lockstep.REASONS[2]}


def test_a_bar_volume_beyond_safe_integer_arithmetic_goes_to_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fill whose bar has a volume at or above lockstep's bound hands its symbol back; the others stay."""
    symbols = ["AAA", "BBB", "CCC"]
    history = _history(11, symbols)
    bars = history["BBB"]
    history["BBB"] = Bars("BBB", bars.time, bars.open, bars.high, bars.low, bars.close, np.full(len(bars), 2.0**46))
    config = BacktestConfig(start=START, end=END, initial_cash=2_000_000_000, accounts="per_symbol")
    order = {"sizing": "percent_equity", "percent": 40, "order_type": "ATO"}
    fast, loop, outcome = _both(_workflow(symbols, order), MemorySource(history), config, monkeypatch)
    assert fast.model_dump_json() == loop.model_dump_json()
    assert outcome.handed_back == {1: lockstep.REASONS[2]}  # BBB, the market's second row


@pytest.mark.parametrize("order", [{"sizing": "percent_equity", "percent": 100, "order_type": "LO", "limit_at": "band"},
                                   {"sizing": "quantity", "quantity": 600_000, "order_type": "ATO"}])
def test_orders_above_the_exchange_maximum_are_refused_in_lockstep(order: dict[str, Any],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An order above HOSE's 500,000-share maximum fails the risk engine's quantity rule before any
    rule that reads the account: lockstep records the same refusal instead of handing it back."""
    symbols = ["AAA", "BBB", "CCC"]
    config = BacktestConfig(start=START, end=END, initial_cash=40_000_000_000, accounts="per_symbol",
                            exchanges={"BBB": Exchange.HNX})
    fast, loop, outcome = _both(_workflow(symbols, order), MemorySource(_history(11, symbols)), config, monkeypatch)
    assert fast.model_dump_json() == loop.model_dump_json()
    refused = {(o.symbol, o.reject_code) for o in fast.orders if o.status == "rejected" and o.symbol != "BBB"}
    assert refused == {("AAA", "quantity_above_maximum"), ("CCC", "quantity_above_maximum")}
    assert 0 not in outcome.handed_back and 2 not in outcome.handed_back  # the HOSE rows: kept in lockstep
