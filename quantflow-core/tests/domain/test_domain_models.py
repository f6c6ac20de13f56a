from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from pydantic import ValidationError
from quantflow.domain import (
    Account,
    Bar,
    Exchange,
    Fill,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    Position,
    Quote,
    Side,
    Tick,
)

T0 = datetime(2025, 3, 3, 2, 30, tzinfo=UTC)


def _fields(err: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in err.errors()}


def request(**over: object) -> OrderRequest:
    data: dict[str, object] = dict(
        client_order_id="c-1", symbol="HPG", side="buy", order_type="LO", quantity=100,
        price=26_850, created_at=T0,
    )
    data.update(over)
    return OrderRequest(**data)  # type: ignore[arg-type]


def test_models_are_frozen_and_forbid_extra_fields() -> None:
    r = request()
    with pytest.raises(ValidationError):
        r.quantity = 200  # type: ignore[misc]
    with pytest.raises(ValidationError) as e:
        request(colour="red")
    assert "colour" in _fields(e.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("created_at", datetime(2025, 3, 3, 9, 30)), ("price", 26.85), ("price", "26850"),
     ("quantity", 0), ("quantity", True), ("symbol", "hpg"), ("client_order_id", "")],
)
def test_invalid_order_fields_are_named(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as e:
        request(**{field: value})
    assert field in _fields(e.value)


def test_price_presence_follows_order_type() -> None:
    with pytest.raises(ValidationError, match="price is required for LO"):
        request(price=None)
    with pytest.raises(ValidationError, match="price must be omitted for ATO"):
        request(order_type="ATO")
    assert request(order_type="ATC", price=None).price is None


def test_order_fill_state_invariants_and_exact_average() -> None:
    o = Order.from_request(request(quantity=300))
    assert o.status is OrderStatus.PENDING_NEW and o.remaining_quantity == 300
    assert o.avg_fill_price is None
    filled = o.model_copy(update={"filled_quantity": 300, "filled_notional": 100 * 26_850 + 200 * 26_900})
    assert filled.avg_fill_price == Fraction(26_850 + 2 * 26_900, 3)
    with pytest.raises(ValidationError, match="exceeds quantity"):
        Order(**{**o.model_dump(), "filled_quantity": 400, "filled_notional": 1})
    with pytest.raises(ValidationError, match="filled_notional"):
        Order(**{**o.model_dump(), "filled_quantity": 100, "filled_notional": 0})
    assert o.request == request(quantity=300)


def test_bar_ohlc_consistency_and_aware_times() -> None:
    ok = dict(symbol="HPG", start=T0, end=T0 + timedelta(days=1), open=100, high=120, low=90,
              close=110, volume=1000)
    Bar(**ok)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="high"):
        Bar(**{**ok, "high": 105})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="low"):
        Bar(**{**ok, "low": 101})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="end"):
        Bar(**{**ok, "end": T0})  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as e:
        Bar(**{**ok, "start": datetime(2025, 1, 1)})  # type: ignore[arg-type]
    assert "start" in _fields(e.value)


def test_tick_and_quote() -> None:
    assert Tick(symbol="HPG", ts=T0, price=26_850, quantity=100).auction is None
    with pytest.raises(ValidationError, match="crossed"):
        Quote(symbol="HPG", ts=T0, bid_price=26_900, bid_quantity=1, ask_price=26_850, ask_quantity=1)


def test_fill_cash_flow_includes_costs() -> None:
    buy = Fill(fill_id="f", client_order_id="c", symbol="HPG", side=Side.BUY, quantity=100,
               price=26_850, fee=4_028, ts=T0)
    sell = buy.model_copy(update={"side": Side.SELL, "tax": 2_685})
    assert buy.cash_flow == -(2_685_000 + 4_028)
    assert sell.cash_flow == 2_685_000 - 4_028 - 2_685


def test_position_and_account_invariants() -> None:
    p = Position(symbol="HPG", quantity=300, sellable_quantity=100, cost_basis=8_000_000)
    assert p.avg_cost == Fraction(80_000, 3)
    with pytest.raises(ValidationError, match="sellable_quantity"):
        Position(symbol="HPG", quantity=100, sellable_quantity=200, cost_basis=1)
    Account(account_id="a", cash=1_000, reserved_cash=400, buying_power=600)
    with pytest.raises(ValidationError, match="buying_power"):
        Account(account_id="a", cash=1_000, reserved_cash=400, buying_power=1_000)


def test_instrument() -> None:
    i = Instrument(symbol="HPG", exchange="HOSE", listing_date=date(2007, 11, 15))  # type: ignore[arg-type]
    assert i.exchange is Exchange.HOSE and i.lot_size == 100 and i.tick_ladder_id == "HOSE"
    with pytest.raises(ValidationError) as e:
        Instrument(symbol="HPG", exchange="NYSE")  # type: ignore[arg-type]
    assert "exchange" in _fields(e.value)


def test_tick_ladder_id_is_the_exchange_value_as_a_plain_str() -> None:
    for exchange in Exchange:  # (a plain str: it keys caches and ladder tables as `.value` did)
        ladder_id = Instrument(symbol="HPG", exchange=exchange).tick_ladder_id
        assert ladder_id == exchange.value and type(ladder_id) is str
    assert Instrument(symbol="HPG", exchange=Exchange.HNX, tick_ladder="HOSE").tick_ladder_id == "HOSE"
