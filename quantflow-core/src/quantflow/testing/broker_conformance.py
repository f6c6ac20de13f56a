"""Conformance suite every broker plugin inherits (the LEAN/Hummingbot pattern).

Use it by subclassing and providing one fixture, `market`, that returns a `ConformanceMarket`:

    from quantflow.testing.broker_conformance import BrokerConformance, ConformanceMarket

    class TestMyBroker(BrokerConformance):
        @pytest.fixture
        def market(self) -> ConformanceMarket:
            return ConformanceMarket(symbol="HPG", reference_price=26_850, tick=50,
                                     make_broker=..., next_time=..., trade_at=...)

The broker must be funded for a few round lots at the reference price and hold no shares of the
symbol. Tests are plain functions running their own event loop (`asyncio.run`), so no async pytest
plugin is needed. Fills are awaited by polling `order_reports()` with a timeout, so live sandboxes
that fill asynchronously pass too. Importing this module imports pytest; `quantflow.testing` does not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pytest

from quantflow.domain.orders import Order, OrderRequest, OrderStatus, OrderType, Side
from quantflow.trading.broker import CAP_MODIFY, Broker
from quantflow.trading.errors import BrokerError, NotConnectedError, OrderNotFoundError
from quantflow.trading.events import OrderEvent, OrderEventKind

T = TypeVar("T")
S = OrderStatus
WORKING = {S.PENDING_NEW, S.NEW, S.PARTIALLY_FILLED}


@dataclass
class ConformanceMarket:
    """How the suite drives a broker. Prices in VND."""

    symbol: str
    reference_price: int  # on the tick grid, inside today's band, in the continuous session
    tick: int  # tick size around the reference price
    make_broker: Callable[[], Awaitable[Broker]]  # a fresh, unconnected, funded broker
    next_time: Callable[[], datetime]  # creation time for the next order (advances)
    trade_at: Callable[[Broker, int, int], Awaitable[None]]  # market prints price x shares
    fill_timeout: float = 10.0  # seconds to wait for an asynchronous fill


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class BrokerConformance:
    """Numbered cases; each states one clause of the broker contract (`quantflow.trading.broker`)."""

    @pytest.fixture
    def market(self) -> ConformanceMarket:
        raise NotImplementedError("subclasses provide a `market` fixture returning ConformanceMarket")

    # helpers ------------------------------------------------------------------------------------
    @staticmethod
    def request(m: ConformanceMarket, cid: str, *, side: Side = Side.BUY, price: int | None = None,
                quantity: int = 100, order_type: OrderType = OrderType.LO) -> OrderRequest:
        if order_type is OrderType.LO and price is None:
            price = m.reference_price
        return OrderRequest(client_order_id=cid, symbol=m.symbol, side=side, order_type=order_type,
                            quantity=quantity, price=price, created_at=m.next_time())

    @staticmethod
    async def connected(m: ConformanceMarket) -> Broker:
        broker = await m.make_broker()
        await broker.connect()
        return broker

    @staticmethod
    async def wait_for(m: ConformanceMarket, broker: Broker, cid: str,
                       done: Callable[[Order], bool]) -> Order:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + m.fill_timeout
        while True:
            order = next(o for o in await broker.order_reports() if o.client_order_id == cid)
            if done(order) or loop.time() > deadline:
                return order
            await asyncio.sleep(0.05)

    # cases --------------------------------------------------------------------------------------
    def test_01_connect_and_disconnect(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await market.make_broker()
            assert not broker.is_connected
            await broker.connect()
            await broker.connect()  # idempotent
            assert broker.is_connected
            await broker.disconnect()
            await broker.disconnect()
            assert not broker.is_connected
        _run(case())

    def test_02_calls_need_a_connection(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await market.make_broker()
            with pytest.raises(NotConnectedError):
                await broker.submit(self.request(market, "cf-02"))
            await broker.connect()
            await broker.disconnect()
            with pytest.raises(NotConnectedError):
                await broker.submit(self.request(market, "cf-02b"))
        _run(case())

    def test_03_submit_returns_the_order(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            req = self.request(market, "cf-03", price=market.reference_price - 2 * market.tick)
            order = await broker.submit(req)
            assert order.client_order_id == "cf-03" and order.status in WORKING
            assert (order.symbol, order.side, order.quantity, order.price) == (req.symbol, req.side, req.quantity, req.price)
            assert [o.client_order_id for o in await broker.order_reports()] == ["cf-03"]
            await broker.disconnect()
        _run(case())

    def test_04_submission_is_idempotent(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            first = await broker.submit(self.request(market, "cf-04"))
            again = await broker.submit(self.request(market, "cf-04", quantity=200))
            assert again.client_order_id == first.client_order_id and again.quantity == 100
            assert len(await broker.order_reports()) == 1
            await broker.disconnect()
        _run(case())

    def test_05_invalid_order_is_rejected_with_a_reason_and_never_fills(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            off_tick = market.reference_price + market.tick // 2 if market.tick > 1 else market.reference_price * 100
            order = await broker.submit(self.request(market, "cf-05", price=off_tick))
            order = await self.wait_for(market, broker, "cf-05", lambda o: o.status is S.REJECTED)
            assert order.status is S.REJECTED and order.reject_code and order.reject_message
            await market.trade_at(broker, market.reference_price, 10_000)
            assert await broker.fill_reports() == []
            await broker.disconnect()
        _run(case())

    def test_06_marketable_buy_fills_and_is_reported(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            await broker.submit(self.request(market, "cf-06"))
            await market.trade_at(broker, market.reference_price, 10_000)
            order = await self.wait_for(market, broker, "cf-06", lambda o: o.status is S.FILLED)
            assert order.status is S.FILLED and order.filled_quantity == 100
            assert order.avg_fill_price is not None and order.avg_fill_price <= market.reference_price
            fills = [f for f in await broker.fill_reports() if f.client_order_id == "cf-06"]
            assert sum(f.quantity for f in fills) == 100
            positions = {p.symbol: p for p in await broker.position_reports()}
            assert positions[market.symbol].quantity == 100
            await broker.disconnect()
        _run(case())

    def test_07_event_stream_reports_the_lifecycle_in_order(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            stream = broker.events()
            await broker.submit(self.request(market, "cf-07"))
            await market.trade_at(broker, market.reference_price, 10_000)
            await self.wait_for(market, broker, "cf-07", lambda o: o.status is S.FILLED)
            kinds: list[OrderEventKind] = []
            while OrderEventKind.FILLED not in kinds:
                event: OrderEvent = await asyncio.wait_for(anext(stream), market.fill_timeout)
                if event.client_order_id == "cf-07":
                    kinds.append(event.kind)
            assert OrderEventKind.ACCEPTED in kinds and kinds[-1] is OrderEventKind.FILLED
            assert kinds.index(OrderEventKind.ACCEPTED) < kinds.index(OrderEventKind.FILLED)
            await broker.disconnect()
        _run(case())

    def test_08_cancel_a_working_order(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            await broker.submit(self.request(market, "cf-08", price=market.reference_price - 2 * market.tick))
            await self.cancel_and_check(market, broker, "cf-08")
            with pytest.raises(BrokerError):
                await broker.cancel("cf-08")
            with pytest.raises(OrderNotFoundError):
                await broker.cancel("cf-unknown")
            await broker.disconnect()
        _run(case())

    async def cancel_and_check(self, m: ConformanceMarket, broker: Broker, cid: str) -> None:
        await broker.cancel(cid)
        order = await self.wait_for(m, broker, cid, lambda o: o.status is S.CANCELLED)
        assert order.status is S.CANCELLED

    def test_09_unmarketable_order_stays_working(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            await broker.submit(self.request(market, "cf-09", price=market.reference_price - 2 * market.tick))
            await market.trade_at(broker, market.reference_price, 10_000)
            order = next(o for o in await broker.order_reports() if o.client_order_id == "cf-09")
            assert order.status in WORKING and order.filled_quantity == 0
            await broker.disconnect()
        _run(case())

    def test_10_cannot_sell_shares_not_held(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            await broker.submit(self.request(market, "cf-10", side=Side.SELL))
            order = await self.wait_for(market, broker, "cf-10", lambda o: o.status is S.REJECTED)
            assert order.status is S.REJECTED and order.reject_code
            await broker.disconnect()
        _run(case())

    def test_11_modify_replaces_the_order(self, market: ConformanceMarket) -> None:
        async def case() -> None:
            broker = await self.connected(market)
            if CAP_MODIFY not in broker.capabilities:
                pytest.skip("broker does not support modify")
            low = market.reference_price - 2 * market.tick
            await broker.submit(self.request(market, "cf-11", price=low))
            new = await broker.modify("cf-11", new_client_order_id="cf-11b", price=low + market.tick)
            assert new.client_order_id == "cf-11b" and new.price == low + market.tick
            reports = {o.client_order_id: o for o in await broker.order_reports()}
            assert reports["cf-11"].status is S.CANCELLED and reports["cf-11b"].status in WORKING
            await broker.disconnect()
        _run(case())
