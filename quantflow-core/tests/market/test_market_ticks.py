import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.market import TICK_LADDERS, TickLadder, ladder

HOSE = ladder("HOSE")
prices = st.integers(min_value=100, max_value=2_000_000)
ladders = st.sampled_from(sorted(TICK_LADDERS))
SETTINGS = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize(
    ("price", "tick"),
    [(9_990, 10), (10_000, 50), (26_850, 50), (49_950, 50), (49_999, 50), (50_000, 100), (120_000, 100)],
)
def test_hose_ladder(price: int, tick: int) -> None:
    assert HOSE.tick_size(price) == tick


@pytest.mark.parametrize("name", ["HNX", "UPCOM"])
def test_hnx_upcom_tick_is_100(name: str) -> None:
    assert ladder(name).tick_size(5_000) == ladder(name).tick_size(80_000) == 100
    assert not ladder(name).is_on_tick(26_850)


def test_validity_examples() -> None:
    assert HOSE.is_on_tick(26_850) and HOSE.is_on_tick(9_990) and HOSE.is_on_tick(50_000)
    assert not HOSE.is_on_tick(26_870) and not HOSE.is_on_tick(50_050) and not HOSE.is_on_tick(9_995)
    assert HOSE.round_down(26_870) == 26_850 and HOSE.round_up(26_870) == 26_900
    assert HOSE.round_up(49_960) == 50_000 and HOSE.round_down(50_099) == 50_000
    assert HOSE.round_down(10_049) == 10_000 and HOSE.round_up(9_995) == 10_000
    assert HOSE.round_nearest(26_874) == 26_850 and HOSE.round_nearest(26_875) == 26_900


def test_bad_inputs() -> None:
    with pytest.raises(ValueError):
        HOSE.round_down(5)
    with pytest.raises(ValueError):
        HOSE.tick_size(0)
    with pytest.raises(TypeError):
        HOSE.tick_size(26.85)  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="unknown tick ladder"):
        ladder("NYSE")
    with pytest.raises(ValueError, match="multiple"):
        TickLadder("bad", ((0, 10), (10_005, 50)))


def test_describe_row_names_the_range() -> None:
    assert HOSE.describe_row(26_870) == "50 VND tick grid for prices 10,000–49,950"
    assert HOSE.describe_row(5_000) == "10 VND tick grid for prices below 10,000"
    assert HOSE.describe_row(60_000) == "100 VND tick grid for prices from 50,000"
    assert ladder("HNX").describe_row(60_000) == "100 VND tick grid"


@SETTINGS
@given(ladders, prices)
def test_rounding_brackets_the_price_on_the_grid(name: str, price: int) -> None:
    grid = ladder(name)
    down, up, near = grid.round_down(price), grid.round_up(price), grid.round_nearest(price)
    assert grid.is_on_tick(down) and grid.is_on_tick(up) and grid.is_on_tick(near)
    assert down <= price <= up and near in (down, up)
    assert (down == price == up) == grid.is_on_tick(price)
    # nothing valid strictly between down and up
    assert up - down <= max(grid.tick_size(down), grid.tick_size(up))
    assert all(not grid.is_on_tick(p) for p in range(down + 1, up, 10))


@SETTINGS
@given(ladders, prices)
def test_valid_prices_are_exactly_multiples_of_their_tick(name: str, price: int) -> None:
    grid = ladder(name)
    assert grid.is_on_tick(price) == (price % grid.tick_size(price) == 0)
    if grid.is_on_tick(price):
        assert grid.round_down(price) == grid.round_up(price) == grid.round_nearest(price) == price
