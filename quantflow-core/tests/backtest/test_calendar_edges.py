"""A backtest over bars at the trading calendar's edges (before its first year, or in its last
weeks, where the next trading day is unknown): the fast path runs wherever the bar-by-bar path
does, and fails as it does, only when an order is decided on a session the calendar cannot place."""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
import numpy as np
import pytest
from quantflow.backtest import BacktestConfig, run_bar_by_bar, run_fast
from quantflow.data.bars import Bars
from quantflow.data.memory import MemorySource
from quantflow.errors import QuantflowError
from quantflow.market.calendar import default_calendar
from quantflow.testing.workflows import example, with_params

EDGES = [("2016-06-01", 500, date(2017, 1, 2), date(2017, 6, 30)),  # before the calendar's first year
         ("2027-06-01", 214, date(2027, 9, 1), date(2027, 12, 31))]  # the last session has no known next day


def test_the_edges_are_the_calendars() -> None:
    """The cases above sit at the shipped calendar's edges: once its years change, move them."""
    calendar = default_calendar()
    assert EDGES[0][3] < calendar.first and EDGES[1][3] == calendar.last


def _bars(first: str, n: int, walk: bool) -> Bars:
    time = np.arange(np.datetime64(first), np.datetime64(first) + n).astype("datetime64[ns]") + np.timedelta64(8, "h")
    price = np.round(20_000 * np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.03, n)))) if walk else np.full(n, 20_000.0)
    return Bars("AAA", time, price, price, price, price, np.full(n, 1e6))


def _run(run: Any, bars: Bars, start: date, end: date, accounts: str) -> Any:
    workflow = with_params(example("sma_crossover"), bars={"symbols": ["AAA"], "lookback": 60},
                           fast={"function": "sma", "field": "close", "args": [2]},
                           slow={"function": "sma", "field": "close", "args": [5]})
    config = BacktestConfig(start=start, end=end, accounts=accounts)
    try:
        return anyio.run(run, workflow, MemorySource({"AAA": bars}), config).model_dump_json()
    except QuantflowError as error:
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("accounts", ["shared", "per_symbol"])
@pytest.mark.parametrize(("first", "n", "start", "end"), EDGES)
def test_without_orders_both_paths_run_at_the_calendars_edges(first: str, n: int, start: date, end: date,
                                                              accounts: str) -> None:
    bars = _bars(first, n, walk=False)  # flat prices: no crossover, no order
    fast, slow = (_run(run, bars, start, end, accounts) for run in (run_fast, run_bar_by_bar))
    assert fast.startswith("{") and fast.replace('"path":"fast"', '"path":"bar_by_bar"') == slow


@pytest.mark.parametrize("accounts", ["shared", "per_symbol"])
@pytest.mark.parametrize(("first", "n", "start", "end"), EDGES)
def test_an_order_the_calendar_cannot_place_fails_alike_on_both_paths(first: str, n: int, start: date, end: date,
                                                                      accounts: str) -> None:
    bars = _bars(first, n, walk=True)
    fast, slow = (_run(run, bars, start, end, accounts) for run in (run_fast, run_bar_by_bar))
    assert not fast.startswith("{"), "a crossover at the calendar's edge should fail the run"
    assert fast.replace('"path":"fast"', '"path":"bar_by_bar"') == slow
