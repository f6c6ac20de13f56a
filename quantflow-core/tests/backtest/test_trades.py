"""Round trips from fills (`backtest.trades`) against a plain oracle: one pass over the fills in
Python, symbol by symbol, as a reader would work them out by hand. And a trade's return is the
float nearest its exact ratio."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.backtest.config import BacktestConfig
from quantflow.backtest.metrics import compute_metrics
from quantflow.backtest.results import EquityPoint, FillRecord
from quantflow.backtest.trades import FillColumns, Trade, _trade, exact, trades_from_fills


def _oracle(fills: list[FillRecord]) -> list[dict[str, Any]]:
    open_: dict[str, list[Any]] = {}  # symbol -> [entry day, held, peak, cost, proceeds]
    done: list[dict[str, Any]] = []

    def row(symbol: str, t: list[Any], exit_day: date | None) -> dict[str, Any]:
        pnl = t[4] - t[3] if exit_day is not None else None
        return {"symbol": symbol, "entry_day": t[0], "exit_day": exit_day, "quantity": t[2], "cost": t[3],
                "proceeds": t[4], "pnl": pnl, "return_pct": float(Fraction(pnl, t[3]) * 100) if pnl is not None and t[3] else None}

    for f in fills:
        t = open_.setdefault(f.symbol, [f.day, 0, 0, 0, 0])
        if f.side == "buy":
            t[1] += f.quantity
            t[2] = max(t[2], t[1])
            t[3] += f.price * f.quantity + f.fee + f.tax
        else:
            t[1] -= f.quantity
            t[4] += f.price * f.quantity - f.fee - f.tax
        if t[1] == 0:
            done.append(row(f.symbol, t, f.day))
            del open_[f.symbol]
    return done + [row(s, t, None) for s, t in sorted(open_.items())]


@st.composite
def fill_lists(draw: st.DrawFn) -> list[FillRecord]:
    """Fills of a few symbols in time order: mostly long only (sells within what is held), now and
    then a sell beyond it (no broker here sends one, but the rule must still hold), and now and then
    numbers too large for int64 sums."""
    huge = draw(st.booleans())
    money = st.integers(1, 10**15 if huge else 10**6)
    held: dict[str, int] = {}
    fills = []
    day = date(2024, 1, 2)
    for n in range(draw(st.integers(0, 40))):
        symbol = draw(st.sampled_from(["AAA", "BBB", "CCC"]))
        short = draw(st.integers(0, 9)) == 0
        sell = short or (held.get(symbol, 0) > 0 and draw(st.booleans()))
        if sell:
            quantity = draw(st.integers(1, 100 if short else held[symbol]))
        else:
            quantity = draw(st.integers(1, 10**7 if huge else 10**4))
        held[symbol] = held.get(symbol, 0) + (-quantity if sell else quantity)
        day += timedelta(days=draw(st.integers(0, 2)))
        fills.append(FillRecord(client_order_id=f"o{n}", symbol=symbol, side="sell" if sell else "buy", quantity=quantity,
                                price=draw(money), fee=draw(st.integers(0, 10**4)), tax=draw(st.integers(0, 10**4)) if sell else 0,
                                day=day))
    return fills


@settings(max_examples=300, deadline=None)
@given(fill_lists())
def test_round_trips_are_the_oracles(fills: list[FillRecord]) -> None:
    trades = trades_from_fills(FillColumns.of(fills))
    assert [t.model_dump() for t in trades] == _oracle(fills)


@settings(max_examples=100, deadline=None)
@given(fill_lists())
def test_columns_from_a_simulation_give_the_same_trades_and_metrics(fills: list[FillRecord]) -> None:
    """A simulation's own int64 columns (`checked`) and the records' (`of`) agree, whatever the size."""
    names = ("CCC", "AAA", "BBB")  # another numbering than the records' first-seen order
    code = {s: i for i, s in enumerate(names)}
    values = [f.price * f.quantity for f in fills]
    if any(v >= 2**63 for v in values):  # a simulation holds int64 columns: beyond, it hands the symbol back
        return
    given_columns = FillColumns.checked(names, np.array([code[f.symbol] for f in fills], dtype=np.int64),
                                        np.array([f.side == "buy" for f in fills], dtype=bool),
                                        np.array([f.quantity for f in fills], dtype=np.int64), np.array(values, dtype=np.int64),
                                        np.array([f.fee for f in fills], dtype=np.int64), np.array([f.tax for f in fills], dtype=np.int64),
                                        [f.day for f in fills])
    a, b = trades_from_fills(given_columns), trades_from_fills(FillColumns.of(fills))
    assert a == b
    config = BacktestConfig(start=date(2024, 1, 2), end=date(2024, 12, 31), initial_cash=10**9)
    equity = [EquityPoint(day=date(2024, 1, 2), cash=10**9, equity=10**9 + 5)]
    metrics = compute_metrics(config, equity, a, given_columns)
    assert metrics == compute_metrics(config, equity, b, FillColumns.of(fills))
    assert (metrics.fees, metrics.taxes) == (sum(f.fee for f in fills), sum(f.tax for f in fills))
    closed = [t.pnl for t in a if t.pnl is not None]
    assert metrics.trades == len(closed)
    assert metrics.profit_factor == (sum(p for p in closed if p > 0) / -sum(p for p in closed if p < 0)
                                     if any(p < 0 for p in closed) else None)


def test_exact_columns_switch_to_python_ints_where_int64_sums_could_overflow() -> None:
    assert exact([2**40, -(2**40)]).dtype == np.int64
    big = exact([2**61, 2**61, 1])
    assert big.dtype == object and big.sum() == 2**62 + 1
    assert exact(np.array([2**61, 2**61], dtype=np.int64)).dtype == object


@settings(max_examples=3000, deadline=None)
@given(st.integers(0, 10**15), st.integers(1, 10**15))
def test_a_closed_trades_return_is_the_exact_ratio_rounded(proceeds: int, cost: int) -> None:
    trade = Trade(**_trade("HPG", date(2024, 1, 2), date(2024, 2, 1), 100, cost, proceeds))  # validated
    assert trade.pnl == proceeds - cost
    assert trade.return_pct == float(Fraction(proceeds - cost, cost) * 100)


def test_an_open_trade_has_no_return() -> None:
    trade = Trade(**_trade("HPG", date(2024, 1, 2), None, 100, 2_000_000, 0))
    assert trade.pnl is None and trade.return_pct is None
