"""One paper account per symbol behind one broker interface (`BacktestConfig.accounts="per_symbol"`).

Running a universe as independent per-symbol accounts gives, in one session, exactly what one
backtest per symbol gives (a test proves it), while the engine runs once per session for all
symbols. Each symbol's account is an ordinary `PaperBroker` with the backtest's cash; the action
nodes find it through `account_for(symbol)` and size against it alone. Reports merge the accounts:
orders in submission order, fills in the order they happened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from quantflow.domain.market_data import Bar, Tick
from quantflow.domain.orders import Fill, Order, OrderRequest
from quantflow.domain.portfolio import Account, Position
from quantflow.market.calendar import TradingCalendar
from quantflow.trading.broker import Broker, MarketDataSink
from quantflow.trading.errors import BrokerError
from quantflow.trading.events import OrderEvent
from quantflow.trading.paper import PaperBroker, PaperBrokerConfig


class SymbolAccounts(Broker, MarketDataSink):
    capabilities = PaperBroker.capabilities

    def __init__(self, configs: dict[str, PaperBrokerConfig], calendar: TradingCalendar) -> None:
        self.accounts = {symbol: PaperBroker(c, calendar=calendar) for symbol, c in configs.items()}
        self._owner: dict[str, PaperBroker] = {}  # client order id -> its account
        self._orders: list[tuple[PaperBroker, str]] = []
        self._fills: list[Fill] = []

    def account_for(self, symbol: str) -> PaperBroker:
        found = self.accounts.get(symbol)
        if found is None:
            raise BrokerError(f"{symbol} has no account in this backtest")
        return found

    async def connect(self) -> None:
        for account in self.accounts.values():
            await account.connect()

    async def disconnect(self) -> None:
        for account in self.accounts.values():
            await account.disconnect()

    @property
    def is_connected(self) -> bool:
        return all(a.is_connected for a in self.accounts.values())

    async def submit(self, request: OrderRequest) -> Order:
        account = self.account_for(request.symbol)
        order = await account.submit(request)
        if order.client_order_id not in self._owner:
            self._owner[order.client_order_id] = account
            self._orders.append((account, order.client_order_id))
        return order

    async def cancel(self, client_order_id: str) -> Order:
        return await self._account_of(client_order_id).cancel(client_order_id)

    async def modify(self, client_order_id: str, *, new_client_order_id: str,
                     price: int | None = None, quantity: int | None = None) -> Order:
        account = self._account_of(client_order_id)
        order = await account.modify(client_order_id, new_client_order_id=new_client_order_id, price=price, quantity=quantity)
        if order.client_order_id not in self._owner:
            self._owner[order.client_order_id] = account
            self._orders.append((account, order.client_order_id))
        return order

    def _account_of(self, client_order_id: str) -> PaperBroker:
        found = self._owner.get(client_order_id)
        if found is None:
            raise BrokerError(f"unknown order {client_order_id}")
        return found

    async def order_reports(self) -> list[Order]:
        return [account.ledger.get(cid) for account, cid in self._orders]

    async def fill_reports(self) -> list[Fill]:
        return list(self._fills)

    async def position_reports(self) -> list[Position]:
        found = [p for account in self.accounts.values() for p in await account.position_reports()]
        return sorted(found, key=lambda p: p.symbol)

    async def account_report(self) -> Account:
        """All accounts together (what an investor holding them all has)."""
        reports = [await a.account_report() for a in self.accounts.values()]
        return Account(account_id="per_symbol", cash=sum(r.cash for r in reports),
                       reserved_cash=sum(r.reserved_cash for r in reports),
                       buying_power=sum(r.buying_power for r in reports))

    def holdings(self) -> tuple[int, dict[str, int]]:
        cash, held = 0, {}
        for account in self.accounts.values():
            c, h = account.holdings()
            cash += c
            held.update(h)
        return cash, held

    def events(self) -> AsyncIterator[OrderEvent]:
        raise BrokerError("per-symbol backtest accounts have no event stream; read the reports")

    async def on_bar(self, bar: Bar) -> None:
        await self._feed(self.account_for(bar.symbol), bar)

    async def on_tick(self, tick: Tick) -> None:
        await self._feed(self.account_for(tick.symbol), tick)

    async def _feed(self, account: PaperBroker, data: Bar | Tick) -> None:
        before = len(account.fills)
        if isinstance(data, Tick):
            await account.on_tick(data)
        else:
            await account.on_bar(data)
        self._fills.extend(account.fills[before:])
