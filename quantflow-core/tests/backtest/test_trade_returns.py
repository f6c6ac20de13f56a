"""A trade's return is the float nearest its exact ratio: `results._trade` computes `pnl * 100 / cost`
(int / int is correctly rounded in Python), which must equal the Fraction-based value."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.backtest.results import Trade, _trade


@settings(max_examples=3000, deadline=None)
@given(st.integers(0, 10**15), st.integers(1, 10**15))
def test_a_closed_trades_return_is_the_exact_ratio_rounded(proceeds: int, cost: int) -> None:
    trade = Trade(**_trade("HPG", [date(2024, 1, 2), 0, 100, cost, proceeds], date(2024, 2, 1)))  # validated
    assert trade.pnl == proceeds - cost
    assert trade.return_pct == float(Fraction(proceeds - cost, cost) * 100)


def test_an_open_trade_has_no_return() -> None:
    trade = Trade(**_trade("HPG", [date(2024, 1, 2), 100, 100, 2_000_000, 0], None))
    assert trade.pnl is None and trade.return_pct is None
