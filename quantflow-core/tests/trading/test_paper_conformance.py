"""The paper broker passes the broker conformance suite that every broker plugin inherits."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from quantflow.domain import Exchange, Instrument, Tick
from quantflow.market import VN_TZ
from quantflow.testing.broker_conformance import BrokerConformance, ConformanceMarket
from quantflow.trading.broker import Broker
from quantflow.trading.paper import PaperBroker, PaperBrokerConfig


class _Clock:
    """Market time advancing one second per call, inside HOSE's continuous session."""

    def __init__(self) -> None:
        self.t = datetime(2025, 3, 4, 10, 0, tzinfo=VN_TZ)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


class TestPaperBrokerConformance(BrokerConformance):
    @pytest.fixture
    def market(self) -> ConformanceMarket:
        clock = _Clock()
        config = PaperBrokerConfig(
            initial_cash=100_000_000,
            instruments=(Instrument(symbol="HPG", exchange=Exchange.HOSE),),
            reference_prices={"HPG": 26_850},
        )

        async def make_broker() -> Broker:
            return PaperBroker(config)

        async def trade_at(broker: Broker, price: int, quantity: int) -> None:
            assert isinstance(broker, PaperBroker)
            await broker.on_tick(Tick(symbol="HPG", ts=clock(), price=price, quantity=quantity))

        return ConformanceMarket(symbol="HPG", reference_price=26_850, tick=50,
                                 make_broker=make_broker, next_time=clock, trade_at=trade_at)
