"""Paper-broker behaviour beyond the shared conformance suite: auctions, slippage, partial fills,
T+2, costs, day expiry and persistence."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from quantflow.domain import Bar, Exchange, Instrument, OrderRequest, OrderStatus, Position
from quantflow.market import VN_TZ
from quantflow.trading import register_builtin_brokers
from quantflow.trading.events import OrderEventKind
from quantflow.trading.paper import PaperBroker, PaperBrokerConfig
from quantflow.trading.risk import RiskLimits
from quantflow.trading.store import SqliteOrderEventStore

T = TypeVar("T")
S = OrderStatus
HPG = Instrument(symbol="HPG", exchange=Exchange.HOSE)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def at(day: date, h: int = 9, m: int = 0) -> datetime:
    return datetime.combine(day, time(h, m), tzinfo=VN_TZ)


def daily_bar(day: date, o: int, h: int, l: int, c: int, v: int = 1_000_000) -> Bar:  # noqa: E741
    return Bar(symbol="HPG", start=at(day, 9), end=at(day, 15), open=o, high=h, low=l, close=c, volume=v)


def req(cid: str, when: datetime, **over: object) -> OrderRequest:
    data: dict[str, object] = dict(client_order_id=cid, symbol="HPG", side="buy", order_type="LO",
                                   quantity=1_000, price=26_850, created_at=when)
    data.update(over)
    return OrderRequest(**data)  # type: ignore[arg-type]


async def broker(**over: object) -> PaperBroker:
    data: dict[str, object] = dict(
        initial_cash=1_000_000_000, instruments=(HPG,), reference_prices={"HPG": 26_850},
        risk=RiskLimits(check_sessions=False),
    )
    data.update(over)
    b = PaperBroker(PaperBrokerConfig(**data))  # type: ignore[arg-type]
    await b.connect()
    return b


D1, D2, D3, D4 = date(2025, 3, 4), date(2025, 3, 5), date(2025, 3, 6), date(2025, 3, 7)


def test_auction_orders_fill_at_open_and_close_of_the_bar() -> None:
    async def case() -> None:
        b = await broker()
        await b.submit(req("ato", at(D1, 8, 30), order_type="ATO", price=None))
        await b.submit(req("atc", at(D1, 8, 30), order_type="ATC", price=None))
        await b.on_bar(daily_bar(D1, 26_900, 27_500, 26_500, 27_300))
        fills = {f.client_order_id: f.price for f in await b.fill_reports()}
        assert fills == {"ato": 26_900, "atc": 27_300}
    run(case())


def test_fill_only_on_bars_after_the_order() -> None:
    async def case() -> None:
        b = await broker()
        await b.submit(req("late", at(D1, 10)))  # created after D1's bar started
        await b.on_bar(daily_bar(D1, 26_850, 27_000, 26_500, 26_900))
        assert (await b.order_reports())[0].status is S.NEW
    run(case())


def test_limit_fills_at_limit_or_better_open() -> None:
    async def case() -> None:
        b = await broker()
        await b.submit(req("a", at(D1, 8), price=26_850))
        await b.submit(req("b", at(D1, 8), price=27_000))
        await b.submit(req("c", at(D1, 8), price=26_000))
        await b.on_bar(daily_bar(D1, 26_900, 27_100, 26_700, 27_000))
        prices = {f.client_order_id: f.price for f in await b.fill_reports()}
        assert prices == {"a": 26_850, "b": 26_900}  # b: opened below its limit; c: never reached
    run(case())


def test_market_orders_slip_by_ticks_within_the_band() -> None:
    async def case() -> None:
        b = await broker(slippage_ticks=2)
        await b.submit(req("buy", at(D1, 8), order_type="MTL", price=None))
        await b.on_bar(daily_bar(D1, 26_900, 27_100, 26_700, 27_000))
        assert [f.price for f in await b.fill_reports()] == [27_000]
        b = await broker(slippage_ticks=5, reference_prices={"HPG": 26_850})
        await b.submit(req("cap", at(D1, 8), order_type="MTL", price=None))
        await b.on_bar(daily_bar(D1, 28_600, 28_700, 28_500, 28_700))
        assert [f.price for f in await b.fill_reports()] == [28_700]  # ceiling
    run(case())


def test_volume_participation_gives_partial_fills_across_bars() -> None:
    async def case() -> None:
        b = await broker(max_participation=Decimal("0.1"))
        t = at(D1, 9, 30)
        await b.submit(req("p", t - timedelta(minutes=1), quantity=1_000))
        for i, volume in enumerate((4_550, 3_000, 10_000)):
            start = t + timedelta(minutes=i)
            await b.on_bar(Bar(symbol="HPG", start=start, end=start + timedelta(minutes=1),
                               open=26_800, high=26_850, low=26_800, close=26_800, volume=volume))
        fills = [f.quantity for f in await b.fill_reports()]
        assert fills == [400, 300, 300]  # 455 -> 400 (round lots), 300, then the remaining 300
        order = (await b.order_reports())[0]
        assert order.status is S.FILLED and order.avg_fill_price == 26_800
        kinds = [e.kind for e in b.ledger.history("p")]
        assert kinds.count(OrderEventKind.FILLED) == 3
    run(case())


def test_mak_cancels_and_mok_kills_what_cannot_fill_at_once() -> None:
    async def case() -> None:
        hnx = Instrument(symbol="HPG", exchange=Exchange.HNX)
        b = await broker(instruments=(hnx,), reference_prices={"HPG": 26_800}, max_participation=Decimal("0.001"))
        await b.submit(req("mak", at(D1, 8), order_type="MAK", price=None))
        await b.submit(req("mok", at(D1, 8), order_type="MOK", price=None))
        await b.on_bar(daily_bar(D1, 26_800, 26_900, 26_700, 26_800, v=500_000))  # budget 500
        reports = {o.client_order_id: o for o in await b.order_reports()}
        assert (reports["mak"].status, reports["mak"].filled_quantity) == (S.CANCELLED, 500)
        assert (reports["mok"].status, reports["mok"].filled_quantity) == (S.CANCELLED, 0)
    run(case())


def test_t_plus_2_fees_and_sell_tax() -> None:
    async def case() -> None:
        b = await broker(initial_cash=100_000_000)
        await b.submit(req("buy", at(D1, 8), quantity=1_000, price=26_850))
        await b.on_bar(daily_bar(D1, 26_900, 27_000, 26_800, 26_900))
        buy_fee = 40_275  # 26,850,000 x 0.15%
        account = await b.account_report()
        assert account.cash == 100_000_000 - 26_850_000 - buy_fee
        (pos,) = await b.position_reports()
        assert (pos.quantity, pos.sellable_quantity, pos.cost_basis) == (1_000, 0, 26_850_000 + buy_fee)
        # T+1: still not sellable
        await b.on_bar(daily_bar(D2, 26_900, 27_000, 26_800, 26_900))
        refused = await b.submit(req("sell1", at(D2, 16), side="sell", price=27_000))
        assert refused.status is S.REJECTED and refused.reject_code == "insufficient_sellable_quantity"
        assert "0 of 1,000" in (refused.reject_message or "")
        # T+2 (2025-03-06): sellable
        sell = await b.submit(req("sell2", at(D3, 8), side="sell", price=27_000))
        assert sell.status is S.NEW
        await b.on_bar(daily_bar(D3, 27_000, 27_200, 26_900, 27_100))
        fee, tax = 40_500, 27_000  # 27,000,000 x 0.15% and x 0.1%
        account = await b.account_report()
        assert account.cash == 100_000_000 - 26_850_000 - buy_fee + 27_000_000 - fee - tax
        assert await b.position_reports() == []
    run(case())


def test_buying_power_is_reserved_by_open_orders() -> None:
    async def case() -> None:
        b = await broker(initial_cash=30_000_000)
        first = await b.submit(req("a", at(D1, 8), quantity=1_000, price=26_000))
        assert first.status is S.NEW
        assert (await b.account_report()).buying_power == 30_000_000 - 26_039_000
        second = await b.submit(req("b", at(D1, 8), quantity=200, price=26_000))
        assert second.status is S.REJECTED and second.reject_code == "insufficient_buying_power"
        await b.cancel("a")
        assert (await b.account_report()).buying_power == 30_000_000
    run(case())


def test_day_orders_expire_when_the_next_day_starts() -> None:
    async def case() -> None:
        b = await broker()
        await b.submit(req("day", at(D1, 8), price=26_000))
        await b.on_bar(daily_bar(D1, 26_900, 27_000, 26_800, 26_900))
        await b.on_bar(daily_bar(D2, 26_000, 26_100, 25_900, 26_000))  # would have filled
        order = (await b.order_reports())[0]
        assert order.status is S.EXPIRED and order.filled_quantity == 0
    run(case())


def test_reference_rolls_to_previous_close_and_band_applies() -> None:
    async def case() -> None:
        b = await broker()
        await b.on_bar(daily_bar(D1, 26_900, 27_000, 26_800, 27_500 - 500))  # close 27,000
        # D2 reference 27,000: ceiling 28,850 (28,890 down to the 50 grid)
        ok = await b.submit(req("ok", at(D2, 8), price=28_850))
        too_high = await b.submit(req("hi", at(D2, 8), price=28_900))
        assert ok.status is S.NEW
        assert too_high.status is S.REJECTED and too_high.reject_code == "price_above_ceiling"
    run(case())


def test_rejections_are_recorded_and_never_matched(tmp_path: Path) -> None:
    async def case() -> None:
        store = SqliteOrderEventStore(tmp_path / "paper.sqlite")
        b = PaperBroker(PaperBrokerConfig(instruments=(HPG,), reference_prices={"HPG": 26_850},
                                          risk=RiskLimits(check_sessions=False)), store=store)
        await b.connect()
        bad = await b.submit(req("bad", at(D1, 8), price=26_870))
        assert bad.reject_message == ("price 26,870 is not on HOSE's 50 VND tick grid for prices "
                                      "10,000–49,950; nearest valid: 26,850 or 26,900")
        await b.submit(req("good", at(D1, 8)))
        await b.on_bar(daily_bar(D1, 26_850, 27_000, 26_800, 26_900))
        assert [f.client_order_id for f in await b.fill_reports()] == ["good"]
        kinds = [(e.client_order_id, e.kind.value) for e in store.all_events()]
        assert kinds == [("bad", "submitted"), ("bad", "rejected"), ("good", "submitted"),
                         ("good", "accepted"), ("good", "filled")]
    run(case())


def test_unknown_symbol_and_sessions_enforced_by_default() -> None:
    async def case() -> None:
        b = await broker(risk=RiskLimits())
        unknown = await b.submit(req("x", at(D1, 10), symbol="VCB"))
        assert unknown.reject_code == "unknown_symbol"
        lunch = await b.submit(req("l", at(D1, 12)))
        assert lunch.reject_code == "market_closed"
    run(case())


def test_initial_positions_are_settled_and_registration_builds_a_broker() -> None:
    specs: list[Any] = []
    register_builtin_brokers(specs.append)
    (spec,) = specs
    assert spec.id == "core:paper" and spec.config_model is PaperBrokerConfig
    b = spec.create({"instruments": [{"symbol": "HPG", "exchange": "HOSE"}],
                     "initial_positions": [{"symbol": "HPG", "quantity": 500, "sellable_quantity": 500,
                                            "cost_basis": 13_000_000}]})
    assert isinstance(b, PaperBroker)
    positions = run(b.position_reports())
    assert positions == [Position(symbol="HPG", quantity=500, sellable_quantity=500, cost_basis=13_000_000)]


def test_sizing_view_says_what_the_reports_say() -> None:
    """What `core:place_order` sizes against (`sizing_view`) equals its account and position
    reports: held shares, shares sellable on the order's day (T+2 lots counted once they settle by
    then, open sells reserved), cash and buying power."""

    async def from_reports(b: PaperBroker, order_day: date) -> tuple[int, int, dict[str, int], dict[str, int]]:
        account = await b.account_report()
        held, sellable = {}, {}
        for p in await b.position_reports():
            held[p.symbol] = p.quantity
            sellable[p.symbol] = p.sellable_quantity + sum(x.quantity for x in p.pending if x.settles_on <= order_day)
        return account.cash, account.buying_power, held, sellable

    async def case() -> None:
        b = await broker(initial_cash=100_000_000, initial_positions=(Position(
            symbol="HPG", quantity=500, sellable_quantity=500, cost_basis=13_000_000),))
        views = []
        await b.submit(req("buy", at(D1, 8), quantity=1_000, price=26_850))
        await b.on_bar(daily_bar(D1, 26_900, 27_000, 26_800, 26_900))
        await b.submit(req("buy2", at(D2, 8), quantity=300, price=26_850))
        await b.submit(req("sell", at(D2, 8), side="sell", quantity=200, price=27_000))
        for order_day in (D1, D2, D3, D4):
            views.append((b.sizing_view(order_day), await from_reports(b, order_day)))
        await b.on_bar(daily_bar(D2, 26_900, 27_000, 26_800, 26_900))
        for order_day in (D2, D3, D4):
            views.append((b.sizing_view(order_day), await from_reports(b, order_day)))
        for got, want in views:
            assert got == want
        assert len({v[0][3]["HPG"] for v in views}) > 1  # the cases differ: T+2 lots and the open sell count
    run(case())


def test_position_cap_counts_the_position_and_open_buys() -> None:
    """The broker gives the risk engine the position and open buys only when a rule reads them
    (a sell, or a buy under a position cap): under a cap they still count."""
    async def case() -> None:
        b = await broker(risk=RiskLimits(check_sessions=False, max_position_quantity=1_500))
        assert (await b.submit(req("a", at(D1, 8), quantity=1_000))).status is S.NEW
        second = await b.submit(req("b", at(D1, 8), quantity=600))
        assert second.status is S.REJECTED and second.reject_code == "max_position_exceeded"
        await b.on_bar(daily_bar(D1, 26_850, 27_000, 26_500, 26_900))
        assert (await b.position_reports())[0].quantity == 1_000
        third = await b.submit(req("c", at(D2, 8), quantity=600, price=26_900))
        assert third.status is S.REJECTED and third.reject_code == "max_position_exceeded"
        assert (await b.submit(req("d", at(D2, 8), quantity=500, price=26_900))).status is S.NEW
        unlimited = await broker()
        assert (await unlimited.submit(req("e", at(D1, 8), quantity=1_000))).status is S.NEW
        assert (await unlimited.submit(req("f", at(D1, 8), quantity=600))).status is S.NEW
    run(case())
