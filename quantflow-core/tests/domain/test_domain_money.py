from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.domain import UnitError, format_vnd, thousands_from_vnd, vnd_from_thousands


@pytest.mark.parametrize(
    ("feed", "vnd"),
    [(26.85, 26_850), (24.35, 24_350), ("26.85", 26_850), (Decimal("0.01"), 10), (100, 100_000),
     (0.1, 100), (1.005, 1_005)],
)
def test_vnd_from_thousands_is_exact(feed: object, vnd: int) -> None:
    assert vnd_from_thousands(feed) == vnd  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [26.8505, "26.8505", Decimal("0.0001"), float("nan"), float("inf"), True, "abc"])
def test_vnd_from_thousands_rejects_non_whole_vnd(bad: object) -> None:
    with pytest.raises(UnitError):
        vnd_from_thousands(bad)  # type: ignore[arg-type]


def test_unit_error_is_a_quantflow_error_and_value_error() -> None:
    from quantflow.errors import QuantflowError

    with pytest.raises(QuantflowError):
        vnd_from_thousands(26.8505)
    with pytest.raises(ValueError, match="not a whole number of VND"):
        vnd_from_thousands(26.8505)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip(vnd: int) -> None:
    assert vnd_from_thousands(thousands_from_vnd(vnd)) == vnd
    assert vnd_from_thousands(float(thousands_from_vnd(vnd))) == vnd


def test_format_vnd() -> None:
    assert format_vnd(26_870) == "26,870"
    assert format_vnd(1_234_567) == "1,234,567"
