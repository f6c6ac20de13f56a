"""Sizing, order timing and the risk gate: the rules both paths share."""

from __future__ import annotations

from datetime import date, datetime

import anyio
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from quantflow.backtest import rules
from quantflow.domain import Exchange, Instrument, OrderRequest, OrderStatus
from quantflow.market import VN_TZ, FeeSchedule, default_calendar
from quantflow.trading.paper import PaperBroker, PaperBrokerConfig
from quantflow.trading.risk import RiskContext, RiskEngine, RiskLimits
from quantflow.trading.risk_gate import RiskGate

FEES = FeeSchedule()
HPG = Instrument(symbol="HPG", exchange=Exchange.HOSE)


def vn(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=VN_TZ)


def test_a_daily_signal_trades_the_next_session() -> None:
    cal = default_calendar()
    assert rules.order_time(vn(2025, 3, 7, 15), cal) == vn(2025, 3, 10, 9)  # Friday close -> Monday
    assert rules.order_time(vn(2025, 4, 29, 15), cal) == vn(2025, 5, 5, 9)  # over the 30/4-1/5 (+2/5) holidays
    assert rules.order_time(vn(2025, 3, 4, 10, 30), cal) == vn(2025, 3, 4, 10, 30)  # in session: now
    assert rules.order_time(vn(2025, 3, 4, 8), cal) == vn(2025, 3, 4, 9)  # before the open: today


def test_quantities_are_round_lots_that_buying_power_covers() -> None:
    assert rules.affordable(10_000_000, 26_850, FEES, 100) == 300  # 300 x 26,850 + fee = 8.07 M
    qty = rules.affordable(100_000_000, 26_850, FEES, 100)
    assert qty % 100 == 0 and rules.reserve_cost(qty * 26_850, FEES) <= 100_000_000
    assert rules.reserve_cost((qty + 100) * 26_850, FEES) > 100_000_000
    common = {"lot": 100, "held": 0, "reserve_at": 28_700, "buying_power": 10**9, "fees": FEES, "quantity": 1_234,
                  "percent": 50.0, "risk_percent": 1.0, "atr_multiple": 2.0, "atr": None}
    assert rules.buy_quantity("quantity", equity=10**9, close=26_850, **common) == 1_200  # type: ignore[arg-type]
    assert rules.buy_quantity("percent_equity", equity=10**9, close=26_850, **common) == 18_600  # type: ignore[arg-type]
    atr = {**common, "atr": 1_000.0}
    assert rules.buy_quantity("atr_risk", equity=10**9, close=26_850, **atr) == 5_000  # 10 M risk / 2 x 1,000  # type: ignore[arg-type]
    assert rules.buy_quantity("atr_risk", equity=10**9, close=26_850, **common) == 0  # no ATR, no entry  # type: ignore[arg-type]
    capped = {**common, "buying_power": 50_000_000}
    assert rules.buy_quantity("percent_equity", equity=10**9, close=26_850, **capped) == 1_700  # type: ignore[arg-type]


def test_limit_prices_are_on_the_tick_grid_inside_the_band() -> None:
    limits = rules.limits_for(HPG, 26_830, date(2025, 3, 4))  # adjusted close, off the 50 VND grid
    assert limits.reference == 26_850
    assert rules.limit_price(HPG, 26_830, 0, True, limits) == 26_800
    assert rules.limit_price(HPG, 26_830, 2, True, limits) == 26_900
    assert rules.limit_price(HPG, 26_830, 500, True, limits) == limits.ceiling


def test_client_order_ids_are_deterministic_and_valid() -> None:
    cid = rules.client_order_id("my node/1", "HPG", vn(2025, 3, 10, 9), "buy")
    assert cid == "my_node_1.HPG.202503100900.b"
    OrderRequest(client_order_id=cid, symbol="HPG", side="buy", order_type="ATO", quantity=100, created_at=vn(2025, 3, 10, 9))


def test_risk_gate_stops_refused_orders_before_the_broker() -> None:
    async def case() -> None:
        inner = PaperBroker(PaperBrokerConfig(instruments=(HPG,), reference_prices={"HPG": 26_850},
                                              risk=RiskLimits(check_sessions=False)))
        await inner.connect()
        engine = RiskEngine(RiskLimits(check_sessions=False, max_order_value=50_000_000))
        limits = rules.limits_for(HPG, 26_850, date(2025, 3, 4))
        account = await inner.account_report()

        async def context(request: OrderRequest) -> RiskContext:
            return RiskContext(instrument=HPG, now=request.created_at, account=account, price_limits=limits, fees=FEES)

        gate = RiskGate(inner, engine, context)
        big = OrderRequest(client_order_id="big", symbol="HPG", side="buy", order_type="LO", quantity=10_000,
                           price=26_850, created_at=vn(2025, 3, 4, 10))
        refused = await gate.submit(big)
        assert refused.status is OrderStatus.REJECTED and refused.reject_code == "max_order_value_exceeded"
        assert await inner.order_reports() == []  # the broker never saw it
        assert (await gate.submit(big)).status is OrderStatus.REJECTED  # idempotent
        ok = await gate.submit(big.model_copy(update={"client_order_id": "ok", "quantity": 1_000}))
        assert ok.status is OrderStatus.NEW and [o.client_order_id for o in await gate.order_reports()] == ["ok", "big"]

    anyio.run(case)


@given(st.lists(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)), max_size=20))
def test_session_stamps_are_the_order_id_stamps_of_the_session_starts(days: list[date]) -> None:
    stamps = rules.session_stamps(np.array(days, dtype="datetime64[D]"))
    assert stamps == [rules.order_id_stamp(rules.session_start(day)) for day in days]
