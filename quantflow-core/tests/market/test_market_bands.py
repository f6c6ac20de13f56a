import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.domain import Exchange
from quantflow.market import ladder, price_limits, reference_from_close
from quantflow.market.bands import bands_from_closes


@pytest.mark.parametrize(
    ("exchange", "reference", "first_day", "ceiling", "floor"),
    [
        (Exchange.HOSE, 26_850, False, 28_700, 25_000),   # 28,729.5 down / 24,970.5 up to 50
        (Exchange.HOSE, 10_000, False, 10_700, 9_300),     # floor on the 10 VND grid
        (Exchange.HOSE, 9_350, False, 10_000, 8_700),      # 10,004.5 rounds down onto the boundary
        (Exchange.HOSE, 49_950, False, 53_400, 46_500),    # ceiling on the 100 grid, floor on 50
        (Exchange.HOSE, 53_500, False, 57_200, 49_800),    # 49,755 rounds up on the 50 grid
        (Exchange.HOSE, 10_700, False, 11_400, 9_960),     # 9,951 rounds up on the 10 grid
        (Exchange.HOSE, 26_850, True, 32_200, 21_500),     # first day ±20%
        (Exchange.HNX, 26_800, False, 29_400, 24_200),
        (Exchange.HNX, 26_800, True, 34_800, 18_800),
        (Exchange.UPCOM, 26_800, False, 30_800, 22_800),
        (Exchange.UPCOM, 26_800, True, 37_500, 16_100),
        (Exchange.HOSE, 100, False, 110, 90),              # band would collapse: one tick away
        (Exchange.HNX, 500, False, 600, 400),
    ],
)
def test_known_limits(exchange: Exchange, reference: int, first_day: bool, ceiling: int, floor: int) -> None:
    limits = price_limits(exchange, reference, first_day=first_day)
    assert (limits.ceiling, limits.floor) == (ceiling, floor)


def test_reference_must_be_on_grid_and_close_is_snapped() -> None:
    with pytest.raises(ValueError, match="not on the HOSE tick grid"):
        price_limits(Exchange.HOSE, 26_870)
    assert reference_from_close(26_870, "HOSE") == 26_850
    assert reference_from_close(26_830, "HNX") == 26_800


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(Exchange)), st.integers(min_value=1_000, max_value=500_000), st.booleans())
def test_limits_are_on_grid_inside_band_and_tight(exchange: Exchange, close: int, first_day: bool) -> None:
    grid = ladder(exchange.value)
    reference = reference_from_close(close, exchange.value)
    limits = price_limits(exchange, reference, first_day=first_day)
    pct = {Exchange.HOSE: (7, 20), Exchange.HNX: (10, 30), Exchange.UPCOM: (15, 40)}[exchange][first_day]
    assert grid.is_on_tick(limits.ceiling) and grid.is_on_tick(limits.floor)
    assert limits.floor < reference < limits.ceiling
    if limits.ceiling - reference > grid.tick_size(reference):  # not the collapse exception
        assert limits.ceiling * 100 <= reference * (100 + pct)  # rounded into the band
        nxt = grid.round_up(limits.ceiling + 1)
        assert nxt * 100 > reference * (100 + pct)  # and it is the highest such price
    if reference - limits.floor > grid.tick_size(limits.floor):
        assert limits.floor * 100 >= reference * (100 - pct)
        prev = grid.round_down(limits.floor - 1)
        assert prev * 100 < reference * (100 - pct)
    assert limits.contains(reference) and not limits.contains(limits.ceiling + 1)


def _scalar_band(exchange: Exchange, close: int, first_day: bool) -> tuple[bool, int, int, int]:
    try:
        reference = reference_from_close(close, exchange.value)
        limits = price_limits(exchange, reference, first_day=first_day)
    except ValueError:
        return (False, 0, 0, 0)
    return (True, reference, limits.ceiling, limits.floor)


def _array_band(exchange: Exchange, closes: list[int], first_day: bool) -> list[tuple[bool, int, int, int]]:
    found = bands_from_closes(exchange, exchange.value, np.array(closes, dtype=np.int64), first_day=first_day)
    return [(True, r, c, f) if ok else (False, 0, 0, 0)
            for ok, r, c, f in zip(*(a.tolist() for a in found), strict=True)]


@pytest.mark.parametrize("first_day", [False, True])
@pytest.mark.parametrize("exchange", list(Exchange))
def test_band_arrays_equal_the_scalar_rule_on_every_low_price(exchange: Exchange, first_day: bool) -> None:
    closes = list(range(-3, 12_000)) + list(range(48_000, 52_000))  # collapses, ladder boundaries
    assert _array_band(exchange, closes, first_day) == [_scalar_band(exchange, c, first_day) for c in closes]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(Exchange)), st.lists(st.integers(min_value=-10, max_value=2**40), min_size=1, max_size=30),
       st.booleans())
def test_band_arrays_equal_the_scalar_rule(exchange: Exchange, closes: list[int], first_day: bool) -> None:
    assert _array_band(exchange, closes, first_day) == [_scalar_band(exchange, c, first_day) for c in closes]
