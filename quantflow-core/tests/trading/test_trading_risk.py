from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.domain import Account, Exchange, Instrument, OrderRequest, Position
from quantflow.market import VN_TZ, FeeSchedule, ladder, price_limits
from quantflow.trading.risk import (
    RejectReason,
    RiskContext,
    RiskDecision,
    RiskEngine,
    RiskLimits,
    TradingState,
)

from .conftest import T0, make_request

R = RejectReason
HPG = Instrument(symbol="HPG", exchange=Exchange.HOSE)
RICH = Account(account_id="acc", cash=10**12, buying_power=10**12)
SETTINGS = settings(max_examples=150, deadline=None)


def ctx(**over: object) -> RiskContext:
    data: dict[str, object] = dict(
        instrument=HPG, now=T0, account=RICH, price_limits=price_limits(Exchange.HOSE, 26_850),
        position=Position(symbol="HPG", quantity=1_000, sellable_quantity=600, cost_basis=26_000_000),
    )
    data.update(over)
    return RiskContext(**data)  # type: ignore[arg-type]


def check(req: OrderRequest, engine: RiskEngine | None = None, **over: object) -> RejectReason | None:
    return (engine or RiskEngine()).check(req, ctx(**over)).reason


def test_accepts_a_plain_valid_order() -> None:
    decision = RiskEngine().check(make_request(), ctx())
    assert decision.accepted and decision.reason is None


def test_off_tick_message_tells_a_person_what_to_do() -> None:
    decision = RiskEngine().check(make_request(price=26_870), ctx())
    assert decision.reason is R.PRICE_OFF_TICK
    assert decision.message == (
        "price 26,870 is not on HOSE's 50 VND tick grid for prices 10,000–49,950; "
        "nearest valid: 26,850 or 26,900"
    )


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        (dict(price=28_750), R.PRICE_ABOVE_CEILING),  # ceiling 28,700
        (dict(price=24_950), R.PRICE_BELOW_FLOOR),  # floor 25,000
        (dict(quantity=150), R.INVALID_LOT_SIZE),
        (dict(quantity=600_000), R.QUANTITY_ABOVE_MAXIMUM),
        (dict(order_type="MAK", price=None), R.ORDER_TYPE_NOT_ALLOWED),  # not on HOSE
        (dict(order_type="ATO", price=None), R.ORDER_TYPE_NOT_ALLOWED_IN_SESSION),  # 10:00
        (dict(quantity=50, order_type="MTL", price=None), R.ODD_LOT_RULE),
        (dict(side="sell", quantity=700), R.INSUFFICIENT_SELLABLE_QUANTITY),
        (dict(symbol="VCB"), R.SYMBOL_MISMATCH),
    ],
)
def test_rule_violations(over: dict[str, object], reason: RejectReason) -> None:
    assert check(make_request(**over)) is reason


def test_lot_message_suggests_a_split() -> None:
    msg = RiskEngine().check(make_request(quantity=150), ctx()).message
    assert "100 + 50" in msg


def test_sessions() -> None:
    at = lambda h, m: datetime(2025, 3, 4, h, m, tzinfo=VN_TZ)  # noqa: E731
    assert check(make_request(order_type="ATO", price=None), now=at(9, 5)) is None
    assert check(make_request(), now=at(12, 0)) is R.MARKET_CLOSED
    assert check(make_request(), now=datetime(2025, 4, 30, 10, tzinfo=VN_TZ)) is R.MARKET_CLOSED
    assert check(make_request(quantity=50), now=at(9, 5)) is R.ODD_LOT_RULE  # odd lot in ATO
    assert check(make_request(quantity=50)) is None
    daily = RiskEngine(RiskLimits(check_sessions=False))
    assert check(make_request(), daily, now=at(20, 0)) is None


def test_prices_limits_must_be_known() -> None:
    assert check(make_request(), price_limits=None) is R.PRICE_LIMITS_UNKNOWN


def test_buying_power_includes_fee_and_values_market_orders_at_ceiling() -> None:
    exact = 2_685_000 + 4_028
    assert check(make_request(), account=Account(account_id="a", cash=exact, buying_power=exact)) is None
    poor = Account(account_id="a", cash=exact - 1, buying_power=exact - 1)
    assert check(make_request(), account=poor) is R.INSUFFICIENT_BUYING_POWER
    mtl = make_request(order_type="MTL", price=None)
    at_ceiling = 2_870_000 + 4_305
    assert check(mtl, account=Account(account_id="a", cash=at_ceiling, buying_power=at_ceiling)) is None
    assert check(mtl, account=Account(account_id="a", cash=at_ceiling - 1, buying_power=at_ceiling - 1)) is R.INSUFFICIENT_BUYING_POWER


def test_account_limits() -> None:
    eng = RiskEngine(RiskLimits(max_order_value=2_000_000))
    assert check(make_request(), eng) is R.MAX_ORDER_VALUE_EXCEEDED
    eng = RiskEngine(RiskLimits(max_position_quantity=1_200))
    assert check(make_request(quantity=200), eng) is None
    assert check(make_request(quantity=200), eng, pending_buy_quantity=100) is R.MAX_POSITION_EXCEEDED
    eng = RiskEngine(RiskLimits(max_position_quantity=10**6, max_position_by_symbol={"HPG": 1_000}))
    assert check(make_request(), eng) is R.MAX_POSITION_EXCEEDED


def test_order_rate_uses_order_time_sliding_window() -> None:
    eng = RiskEngine(RiskLimits(max_orders_per_minute=2))
    assert check(make_request("a"), eng) is None
    assert check(make_request("b"), eng, now=T0 + timedelta(seconds=30)) is None
    assert check(make_request("c"), eng, now=T0 + timedelta(seconds=59)) is R.ORDER_RATE_EXCEEDED
    assert check(make_request("d"), eng, now=T0 + timedelta(seconds=61)) is None  # "a" left


def test_trading_states() -> None:
    eng = RiskEngine(state=TradingState.HALTED)
    assert check(make_request(side="sell"), eng) is R.TRADING_HALTED
    eng.set_state(TradingState.REDUCING)
    assert check(make_request(), eng) is R.REDUCING_ONLY
    assert check(make_request(side="sell"), eng) is None
    eng.set_state("active")  # type: ignore[arg-type]
    assert check(make_request(), eng) is None


# --- properties -------------------------------------------------------------------------------

@SETTINGS
@given(st.integers(min_value=25_000, max_value=28_700))
def test_tick_rule_property(price: int) -> None:
    reason = check(make_request(price=price))
    assert (reason is None) == ladder("HOSE").is_on_tick(price)
    if reason is not None:
        assert reason is R.PRICE_OFF_TICK


@SETTINGS
@given(st.sampled_from(list(Exchange)), st.integers(min_value=1_000, max_value=300_000), st.integers(min_value=-5_000, max_value=5_000))
def test_band_rule_property(exchange: Exchange, close: int, offset: int) -> None:
    grid = ladder(exchange.value)
    reference = grid.round_nearest(close)
    limits = price_limits(exchange, reference)
    price = grid.round_nearest(max(grid.rows[0][1], reference + offset * grid.tick_size(reference) // 10))
    inst = Instrument(symbol="HPG", exchange=exchange)
    reason = check(make_request(price=price), instrument=inst, price_limits=limits)
    if price > limits.ceiling:
        assert reason is R.PRICE_ABOVE_CEILING
    elif price < limits.floor:
        assert reason is R.PRICE_BELOW_FLOOR
    else:
        assert reason is None


@SETTINGS
@given(st.integers(min_value=1, max_value=700_000))
def test_lot_rule_property(quantity: int) -> None:
    reason = check(make_request(quantity=quantity, price=10_000), price_limits=price_limits(Exchange.HOSE, 10_000))
    if quantity <= 99 or (quantity % 100 == 0 and quantity <= 500_000):
        assert reason is None
    elif quantity % 100:
        assert reason is R.INVALID_LOT_SIZE
    else:
        assert reason is R.QUANTITY_ABOVE_MAXIMUM


@pytest.mark.parametrize(
    "over",
    [dict(), dict(price=28_750), dict(quantity=150), dict(order_type="ATO", price=None), dict(side="sell", quantity=700)],
)
def test_check_with_parts_decides_as_check_with_a_context(over: dict[str, object]) -> None:
    """What brokers call per order (the context built once) gives `check`'s decision, rate count included."""
    by_context, by_parts = RiskEngine(RiskLimits(max_orders_per_minute=2)), RiskEngine(RiskLimits(max_orders_per_minute=2))
    for _ in range(3):
        want = by_context.check(make_request(**over), ctx())
        c = ctx()
        got = by_parts.check_with(make_request(**over), instrument=c.instrument, now=c.now, account=c.account,
                                  position=c.position, price_limits=c.price_limits)
        assert (got.reason, got.message) == (want.reason, want.message)


def test_limits_and_state_replaced_after_checks_apply_to_the_next_order() -> None:
    """The engine leaves out rules that cannot fire under its limits and state; replacing either
    (or adding a per-symbol cap in place) brings them back for the next order."""
    eng = RiskEngine()
    assert check(make_request(), eng) is None
    eng.limits = RiskLimits(max_order_value=2_000_000)
    assert check(make_request(), eng) is R.MAX_ORDER_VALUE_EXCEEDED
    eng.limits = RiskLimits()
    eng.limits.max_position_by_symbol["HPG"] = 100
    assert check(make_request(), eng) is R.MAX_POSITION_EXCEEDED
    eng.limits = RiskLimits(max_orders_per_minute=2)  # the first order above counts
    assert check(make_request("r1"), eng) is None
    assert check(make_request("r2"), eng) is R.ORDER_RATE_EXCEEDED
    eng.limits = RiskLimits()
    eng.set_state(TradingState.HALTED)
    assert check(make_request(), eng) is R.TRADING_HALTED


# --- the plain shortcut -------------------------------------------------------------------------

PLAIN = RiskLimits(check_sessions=False)  # what a daily-bar backtest runs with


@st.composite
def plain_cases(draw: st.DrawFn) -> tuple[OrderRequest, Instrument, object, int, int, FeeSchedule]:
    exchange = draw(st.sampled_from(list(Exchange)))
    instrument = Instrument(symbol="HPG", exchange=exchange)
    grid = ladder(instrument.tick_ladder_id)
    limits = price_limits(exchange, grid.round_nearest(draw(st.integers(1_000, 200_000))))
    order_type = draw(st.sampled_from(["LO", "MTL", "ATO", "ATC", "MAK", "MOK", "PLO"]))
    price = None
    if order_type == "LO":
        price = draw(st.one_of(st.integers(max(100, limits.floor - 2_000), limits.ceiling + 2_000),
                               st.sampled_from([limits.floor, limits.ceiling, limits.reference])))
    quantity = draw(st.one_of(st.integers(1, 700_000), st.integers(1, 7_000).map(lambda n: n * 100)))
    request = make_request(side=draw(st.sampled_from(["buy", "sell"])), order_type=order_type, price=price,
                           quantity=quantity, symbol=draw(st.sampled_from(["HPG", "HPG", "FPT"])))
    buying_power = draw(st.one_of(st.integers(0, 10**11), st.integers(10**10, 10**12)))
    sellable = draw(st.integers(0, 700_000))
    fees = draw(st.sampled_from([FeeSchedule(), FeeSchedule(fee_rate="0.0035", sell_tax_rate="0")]))
    return request, instrument, draw(st.one_of(st.none(), st.just(limits))), buying_power, sellable, fees


def _full(request: OrderRequest, instrument: Instrument, limits: object, buying_power: int, sellable: int,
          fees: FeeSchedule, engine: RiskEngine) -> RiskDecision:
    position = Position(symbol="HPG", quantity=sellable, sellable_quantity=sellable, cost_basis=sellable) if sellable else None
    return engine.check_with(request, instrument=instrument, now=request.created_at,
                             account=Account(account_id="a", cash=buying_power + 7, reserved_cash=7, buying_power=buying_power),
                             position=position, price_limits=limits, fees=fees)  # type: ignore[arg-type]


@settings(max_examples=1500, deadline=None)
@given(plain_cases(), st.sampled_from([PLAIN, RiskLimits(), PLAIN.model_copy(update={"max_order_value": 10**9}),
                                       PLAIN.model_copy(update={"max_orders_per_minute": 5})]))
def test_accepts_plainly_only_where_check_with_accepts_and_counts_alike(
    case: tuple[OrderRequest, Instrument, object, int, int, FeeSchedule], limits: RiskLimits,
) -> None:
    request, instrument, bands, buying_power, sellable, fees = case
    plain, full = RiskEngine(limits), RiskEngine(limits)
    accepted = plain.accepts_plainly(request, instrument=instrument, now=request.created_at, price_limits=bands,  # type: ignore[arg-type]
                                     buying_power=buying_power, sellable=sellable, fees=fees)
    if accepted:
        assert limits is PLAIN  # any other limits: the rules decide
        assert _full(request, instrument, bands, buying_power, sellable, fees, full).accepted
        assert list(plain._recent) == list(full._recent)  # counted for the rate window alike
    else:
        assert not plain._recent  # nothing decided, nothing counted


def test_accepts_plainly_covers_the_ordinary_orders() -> None:
    limits = price_limits(Exchange.HOSE, 26_850)
    for over in (dict(price=limits.ceiling), dict(side="sell", price=limits.floor), dict(order_type="ATO", price=None)):
        request = make_request(quantity=1_000, **over)
        assert RiskEngine(PLAIN).accepts_plainly(request, instrument=HPG, now=T0, price_limits=limits,
                                                 buying_power=10**9, sellable=5_000, fees=FeeSchedule())
