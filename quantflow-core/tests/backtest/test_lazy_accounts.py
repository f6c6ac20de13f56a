"""Per-symbol accounts fed a session at a time (`on_session`, lazy for accounts with nothing working)
report exactly what accounts fed every bar (`on_bar`) report, at every point where anyone looks."""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
import pytest
from quantflow.backtest import BacktestConfig, rules
from quantflow.backtest.accounts import SymbolAccounts
from quantflow.backtest.history import load_history
from quantflow.backtest.sessions import Sessions
from quantflow.domain.orders import OrderRequest, OrderType, Side
from quantflow.errors import QuantflowError
from quantflow.market import default_calendar
from quantflow.trading.paper import PaperBroker

from .conftest import Source, needs_data

pytestmark = needs_data
SYMBOLS = ["HPG", "VNM", "FPT"]


async def _report(accounts: SymbolAccounts, symbol: str) -> Any:
    account = await accounts.account(symbol)
    return ([p.model_dump() for p in await account.position_reports()], (await account.account_report()).model_dump(),
            account._reference.get(symbol), account._last.get(symbol), account._now)


@pytest.mark.parametrize("seeded", [False, True])
def test_session_feed_equals_bar_feed(seeded: bool) -> None:
    config = BacktestConfig(start=date(2022, 3, 1), end=date(2022, 8, 31))

    def configs() -> dict[str, Any]:
        out = {}
        for s in SYMBOLS:
            c = config.broker_config([s])
            out[s] = c.model_copy(update={"reference_prices": {s: 20_000}}) if seeded else c
        return out

    async def go() -> None:
        history = await load_history(Source(*SYMBOLS), SYMBOLS, config.start, config.end, 0)
        sessions = Sessions(history)
        lazy, eager = SymbolAccounts(configs(), default_calendar()), SymbolAccounts(configs(), default_calendar())
        for broker in (lazy, eager):
            await broker.connect()
        lazy.start_sessions(history.symbols, lambda s, i: history.series[s].broker_bar(i))
        for k, day in enumerate(history.timeline):
            rows, index = sessions.bars(k)
            await lazy.on_session(rows, index)
            for row, i in zip(rows.tolist(), index.tolist(), strict=True):
                await eager.on_bar(history.series[history.symbols[row]].broker_bar(i))
            symbol = SYMBOLS[k % 3]
            if k % 5 == 0:  # every fifth session one account is read and trades (buy, later sell)
                assert await _report(lazy, symbol) == await _report(eager, symbol)
                at = rules.order_time(rules.daily_close(day), default_calendar())
                side = Side.BUY if k % 10 == 0 else Side.SELL
                held = {p.symbol: p.sellable_quantity for p in await eager.position_reports()}
                quantity = 1000 if side is Side.BUY else held.get(symbol, 0) // 100 * 100
                if quantity:
                    request = OrderRequest(client_order_id=f"o{k}", symbol=symbol, side=side, order_type=OrderType.ATO,
                                           quantity=quantity, created_at=at)
                    a, b = await lazy.submit(request), await eager.submit(request)
                    assert a.model_dump() == b.model_dump()
            assert lazy.holdings() == eager.holdings()
        assert [o.model_dump() for o in await lazy.order_reports()] == [o.model_dump() for o in await eager.order_reports()]
        assert await lazy.fill_reports() == await eager.fill_reports() and await lazy.fill_reports()
        assert await lazy.position_reports() == await eager.position_reports()
        for symbol in SYMBOLS:
            assert await _report(lazy, symbol) == await _report(eager, symbol)

    anyio.run(go)


def test_note_close_refuses_a_symbol_with_working_orders() -> None:
    async def go() -> None:
        history = await load_history(Source("HPG"), ["HPG"], date(2022, 3, 1), date(2022, 3, 31), 0)
        broker = PaperBroker(BacktestConfig(start=date(2022, 3, 1), end=date(2022, 3, 31)).broker_config(["HPG"]))
        await broker.connect()
        first = history.series["HPG"].broker_bar(0)
        await broker.on_bar(first)
        at = rules.order_time(first.end, default_calendar())
        await broker.submit(OrderRequest(client_order_id="x", symbol="HPG", side=Side.BUY, order_type=OrderType.ATO,
                                         quantity=100, created_at=at))
        with pytest.raises(QuantflowError):
            broker.note_close(history.series["HPG"].broker_bar(1))

    anyio.run(go)
