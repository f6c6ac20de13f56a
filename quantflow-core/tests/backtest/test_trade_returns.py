"""A trade's return is the float nearest its exact ratio: int / int in Python is correctly rounded,
so `pnl * 100 / cost` (what `results._trade` computes) equals the Fraction-based value."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=3000, deadline=None)
@given(st.integers(-(10**15), 10**15), st.integers(1, 10**15))
def test_integer_true_division_is_the_exact_ratio_rounded(pnl: int, cost: int) -> None:
    assert pnl * 100 / cost == float(Fraction(pnl, cost) * 100)
