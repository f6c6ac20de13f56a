"""The simulators' shortcut around the risk engine: `risk.passes_plainly` may only say yes where
`RiskEngine.check` says yes (anything else goes to the engine itself)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.backtest import rules
from quantflow.domain import Exchange, Instrument, OrderRequest
from quantflow.domain.orders import Fill, OrderType, Side
from quantflow.domain.portfolio import Account
from quantflow.market import FeeSchedule, default_calendar
from quantflow.market.ticks import ladder
from quantflow.trading.paper.portfolio import PaperPortfolio
from quantflow.trading.risk import RiskContext, RiskEngine, RiskLimits, TradingState, only_plain_rules, passes_plainly

DAY = date(2024, 3, 12)
AT = datetime(2024, 3, 12, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
BACKTEST = RiskLimits(check_sessions=False)


def _engine_accepts(instrument: Instrument, side: Side, order_type: OrderType, quantity: int, price: int | None,
                    close: int, cash: int, reserved: int, settled: int, unsettled: int, fees: FeeSchedule) -> bool:
    limits = rules.limits_for(instrument, close, DAY)
    assert limits is not None
    portfolio = PaperPortfolio(cash + 10**12)
    for qty, settles in ((settled, DAY), (unsettled, date(2024, 3, 14))):
        if qty:
            portfolio.apply_fill(Fill(fill_id="f", client_order_id="o", symbol=instrument.symbol, side=Side.BUY,
                                      quantity=qty, price=close, ts=AT), settles)
    portfolio.cash = cash
    request = OrderRequest(client_order_id="n.X.1.b", symbol=instrument.symbol, side=side, order_type=order_type,
                           quantity=quantity, price=price, created_at=AT)
    ctx = RiskContext(instrument=instrument, now=AT,
                      account=Account(account_id="a", cash=cash, reserved_cash=reserved, buying_power=cash - reserved),
                      position=portfolio.position(instrument.symbol, DAY), price_limits=limits, fees=fees,
                      calendar=default_calendar())
    return RiskEngine(BACKTEST).check(request, ctx).accepted


def _fast(instrument: Instrument, side: Side, order_type: OrderType, quantity: int, price: int | None,
          close: int, cash: int, reserved: int, settled: int, fees: FeeSchedule) -> bool:
    limits = rules.limits_for(instrument, close, DAY)
    assert limits is not None
    return passes_plainly(side, order_type, quantity, price, instrument, limits, cash - reserved, settled, fees)


@st.composite
def orders(draw: st.DrawFn) -> tuple[object, ...]:
    exchange = draw(st.sampled_from(list(Exchange)))
    instrument = Instrument(symbol="ABC", exchange=exchange)
    order_type = draw(st.sampled_from([OrderType.LO, OrderType.MTL, OrderType.ATO, OrderType.ATC, OrderType.MAK,
                                       OrderType.MOK, OrderType.PLO]))
    side = draw(st.sampled_from([Side.BUY, Side.SELL]))
    close = draw(st.integers(1_000, 200_000))
    limits = rules.limits_for(instrument, close, DAY)
    assert limits is not None
    price = None
    if order_type is OrderType.LO:
        grid = ladder(instrument.tick_ladder_id)
        price = draw(st.one_of(st.integers(max(100, limits.floor - 2_000), limits.ceiling + 2_000),
                               st.integers(limits.floor, limits.ceiling).map(grid.round_down),
                               st.sampled_from([limits.floor, limits.ceiling, limits.reference])))
    quantity = draw(st.one_of(st.integers(1, 700_000), st.integers(1, 7_000).map(lambda n: n * 100),
                              st.integers(1, 100).map(lambda n: n * 100)))
    cash = draw(st.one_of(st.integers(0, 10**11), st.integers(10**10, 10**12)))
    reserved = draw(st.integers(0, cash))
    settled = draw(st.one_of(st.integers(0, 700_000), st.integers(0, 20_000)))
    unsettled = draw(st.integers(0, 10_000))
    fees = draw(st.sampled_from([FeeSchedule(), FeeSchedule(fee_rate="0.0035", sell_tax_rate="0")]))
    return instrument, side, order_type, quantity, price, close, cash, reserved, settled, unsettled, fees


@settings(max_examples=1500, deadline=None)
@given(orders())
def test_passes_plainly_says_yes_only_where_the_risk_engine_does(order: tuple[object, ...]) -> None:
    instrument, side, order_type, quantity, price, close, cash, reserved, settled, unsettled, fees = order
    fast = _fast(instrument, side, order_type, quantity, price, close, cash, reserved, settled, fees)  # type: ignore[arg-type]
    if fast:
        assert _engine_accepts(*order)  # type: ignore[arg-type]


def test_passes_plainly_covers_the_ordinary_orders() -> None:
    hpg = Instrument(symbol="HPG", exchange=Exchange.HOSE)
    fees = FeeSchedule()
    for side, order_type, price in [(Side.BUY, OrderType.LO, 27_000), (Side.SELL, OrderType.ATO, None),
                                    (Side.BUY, OrderType.MTL, None), (Side.SELL, OrderType.LO, 26_500)]:
        args = (hpg, side, order_type, 1_000, price, 26_850, 10**9, 0, 5_000)
        assert _fast(*args, fees) and _engine_accepts(*args, 0, fees)


def test_only_backtest_limits_without_account_caps_leave_only_plain_rules() -> None:
    assert only_plain_rules(BACKTEST, TradingState.ACTIVE)
    assert not only_plain_rules(RiskLimits(), TradingState.ACTIVE)  # sessions checked
    assert not only_plain_rules(BACKTEST, TradingState.REDUCING)
    for cap in ({"max_position_quantity": 1}, {"max_position_by_symbol": {"HPG": 1}}, {"max_order_value": 1},
                {"max_orders_per_minute": 1}):
        assert not only_plain_rules(BACKTEST.model_copy(update=cap), TradingState.ACTIVE)
