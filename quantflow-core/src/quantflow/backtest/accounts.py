"""One paper account per symbol behind one broker interface (`BacktestConfig.accounts="per_symbol"`).

Running a universe as independent per-symbol accounts gives, in one session, exactly what one
backtest per symbol gives (a test proves it), while the engine runs once per session for all
symbols. Each symbol's account is an ordinary `PaperBroker` with the backtest's cash; the action
nodes find it through `account_for(symbol)` and size against it alone. Reports merge the accounts:
orders in submission order, fills in the order they happened.

A backtest feeds whole sessions through `on_session`: only accounts with working orders take their
bar at once; the others only note it, and catch up (`_sync`: the close of the bar before the latest,
then the latest bar, which leaves reference price, last price and clock exactly as every bar would)
when anything reads or uses them. An account without working orders does nothing else with a bar:
settlement is computed from the day whenever positions are read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, datetime

import numpy as np

from quantflow.domain.market_data import Tick
from quantflow.domain.orders import Fill, Order, OrderRequest
from quantflow.domain.portfolio import Account, Position
from quantflow.market.calendar import TradingCalendar
from quantflow.trading.broker import BarLike, Broker, MarketDataSink
from quantflow.trading.errors import BrokerError
from quantflow.trading.events import OrderEvent
from quantflow.trading.paper import PaperBroker, PaperBrokerConfig


class SymbolAccounts(Broker, MarketDataSink):
    capabilities = PaperBroker.capabilities

    def __init__(self, configs: dict[str, PaperBrokerConfig], calendar: TradingCalendar) -> None:
        self.accounts = {symbol: PaperBroker(c, calendar=calendar) for symbol, c in configs.items()}
        self._symbol_of = {id(account): symbol for symbol, account in self.accounts.items()}
        self._owner: dict[str, PaperBroker] = {}  # client order id -> its account
        self._orders: list[tuple[PaperBroker, str]] = []
        self._fills: list[Fill] = []
        self._working: set[str] = set()  # symbols whose account has open orders
        self._holdings: tuple[int, tuple[int, dict[str, int]]] | None = None  # (fills, holdings)
        self._seen: int | None = None  # fills applied to `_cash`, `_held`, the rows' shares
        self._total_cash = 0
        self._cash: dict[str, int] = {}  # symbol -> its account's cash
        self._held: dict[str, int] = {}  # symbol -> shares held
        self._tape: _Tape | None = None

    def start_sessions(self, symbols: tuple[str, ...], bar_of: Callable[[str, int], BarLike],
                       close_of: Callable[[int, int], tuple[date, datetime, int]] | None = None) -> None:
        """Prepare `on_session`: symbol rows as the caller numbers them, and how to build bar i;
        `close_of(row, session)`, if given, is the session day, end and close of the row's bar in
        a session numbered as `on_session(..., session=)` numbers them (a catch-up then takes
        those bars without building them)."""
        self._tape = _Tape(symbols, bar_of, any(a.config.reference_prices for a in self.accounts.values()))
        self._tape.close_of = close_of
        self._holdings, self._seen = None, None  # re-read everything once, so `shares` follows the rows

    async def on_session(self, rows: np.ndarray, index: np.ndarray, session: int | None = None) -> None:
        """A session's bars: bar `index[j]` of the symbol in row `rows[j]` (rows in symbol order);
        `session`: the session's number for `close_of`."""
        tape = self._tape
        assert tape is not None, "call start_sessions first"
        eager = tape.eager  # configured reference prices: the first bar matters, feed them all
        if eager:
            busy = list(zip(rows.tolist(), index.tolist(), strict=True))
        elif self._working:  # the few symbols with working orders that have a bar now, in row order
            tape.now[rows] = index
            found = [(r, int(tape.now[r])) for s in self._working if (r := tape.row.get(s)) is not None]
            tape.now[rows] = -1
            busy = sorted((r, i) for r, i in found if i >= 0)
        else:
            busy = []
        for row, _ in busy:
            symbol = tape.symbols[row]
            if tape.fresh.get(symbol) != tape.session:
                self._sync(symbol)  # up to the previous session, then this bar
        tape.prev[rows] = tape.last[rows]
        tape.last[rows] = index
        tape.prev_k[rows] = tape.last_k[rows]
        tape.last_k[rows] = -1 if session is None or tape.close_of is None else session
        tape.session += 1  # every account is behind until it syncs (or takes its bar below)
        for row, i in busy:
            symbol = tape.symbols[row]
            account = self.accounts[symbol]
            tape.synced[row] = i
            tape.fresh[symbol] = tape.session
            self._take(account, tape.bar_of(symbol, i))
            if not account.ledger.has_open(symbol):
                self._working.discard(symbol)

    def _sync(self, symbol: str) -> None:
        tape = self._tape
        if tape is None or tape.fresh.get(symbol) == tape.session:
            return  # no tape, or this account is up to date with the latest session
        tape.fresh[symbol] = tape.session
        row = tape.row[symbol]
        last, prev, done = int(tape.last[row]), int(tape.prev[row]), int(tape.synced[row])
        if last < 0 or last == done:
            return
        account = self.accounts[symbol]
        close_of = tape.close_of
        previous = None  # the bar before the latest, when the account missed it too: its close
        if prev >= 0 and prev != done:  # all its bar would leave behind
            prev_k = int(tape.prev_k[row])
            if prev_k >= 0 and close_of is not None:
                day, _, close = close_of(row, prev_k)
                previous = (day, close)
            else:
                account.note_close(tape.bar_of(symbol, prev))
        last_k = int(tape.last_k[row])
        if last_k >= 0 and close_of is not None:  # no working order (else it took its bars): nothing can fill
            account.catch_up(symbol, *close_of(row, last_k), previous=previous)
        else:
            if previous is not None:
                account.note_close_at(symbol, *previous)
            self._take(account, tape.bar_of(symbol, last))
        tape.synced[row] = last

    def _sync_all(self) -> None:
        for symbol in self.accounts:
            self._sync(symbol)

    def account_for(self, symbol: str) -> PaperBroker:
        found = self.accounts.get(symbol)
        if found is None:
            raise BrokerError(f"{symbol} has no account in this backtest")
        return found

    async def account(self, symbol: str) -> PaperBroker:
        """`account_for`, brought up to the latest session first."""
        found = self.account_for(symbol)
        tape = self._tape
        if tape is not None and tape.fresh.get(symbol) != tape.session:
            self._sync(symbol)
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
        tape = self._tape
        if tape is not None and tape.fresh.get(request.symbol) != tape.session:
            self._sync(request.symbol)
        order = account.place(request)  # (`submit` without a coroutine per order)
        if order.client_order_id not in self._owner:
            self._owner[order.client_order_id] = account
            self._orders.append((account, order.client_order_id))
        self._track(account, request.symbol)
        return order

    async def cancel(self, client_order_id: str) -> Order:
        account = await self._account_of(client_order_id)
        order = await account.cancel(client_order_id)
        self._track(account, order.symbol)
        return order

    async def modify(self, client_order_id: str, *, new_client_order_id: str,
                     price: int | None = None, quantity: int | None = None) -> Order:
        account = await self._account_of(client_order_id)
        order = await account.modify(client_order_id, new_client_order_id=new_client_order_id, price=price, quantity=quantity)
        if order.client_order_id not in self._owner:
            self._owner[order.client_order_id] = account
            self._orders.append((account, order.client_order_id))
        self._track(account, order.symbol)
        return order

    def _track(self, account: PaperBroker, symbol: str) -> None:
        if account.ledger.has_open(symbol):
            self._working.add(symbol)
        else:
            self._working.discard(symbol)

    async def _account_of(self, client_order_id: str) -> PaperBroker:
        found = self._owner.get(client_order_id)
        if found is None:
            raise BrokerError(f"unknown order {client_order_id}")
        self._sync(self._symbol_of[id(found)])
        return found

    async def order_reports(self) -> list[Order]:
        return [account.ledger.get(cid) for account, cid in self._orders]

    async def fill_reports(self) -> list[Fill]:
        return list(self._fills)

    async def position_reports(self) -> list[Position]:
        self._sync_all()
        found = [p for account in self.accounts.values() for p in await account.position_reports()]
        return sorted(found, key=lambda p: p.symbol)

    async def account_report(self) -> Account:
        """All accounts together (what an investor holding them all has)."""
        self._sync_all()
        reports = [await a.account_report() for a in self.accounts.values()]
        return Account(account_id="per_symbol", cash=sum(r.cash for r in reports),
                       reserved_cash=sum(r.reserved_cash for r in reports),
                       buying_power=sum(r.buying_power for r in reports))

    def holdings(self) -> tuple[int, dict[str, int]]:
        """Cash and shares of all accounts. Both change only with a fill, so only the accounts
        that filled since the last call are read again (callers must not mutate the result)."""
        cash = self._refresh()
        if self._holdings is None or self._holdings[0] != self._seen:
            self._holdings = (self._seen or 0, (cash, dict(self._held)))
        return self._holdings[1]

    def holdings_by_row(self) -> tuple[int, np.ndarray] | None:
        """`holdings` as (cash, shares per row of `start_sessions`' symbols), for an equity point
        per session without a loop over the holdings; None before `start_sessions` (read only)."""
        cash = self._refresh()
        return None if self._tape is None else (cash, self._tape.shares)

    def _refresh(self) -> int:
        """Bring the cash and shares per account up to the fills so far; the total cash."""
        tape = self._tape
        if self._seen is None:
            self._cash = {s: a.holdings()[0] for s, a in self.accounts.items()}
            self._held = {}
            for account in self.accounts.values():
                self._held.update(account.holdings()[1])
            if tape is not None:
                tape.shares[:] = 0
                for symbol, quantity in self._held.items():
                    if symbol in tape.row:
                        tape.shares[tape.row[symbol]] = quantity
            self._total_cash = sum(self._cash.values())
            self._seen = len(self._fills)
        elif self._seen != len(self._fills):
            for fill in self._fills[self._seen:]:
                cash, held = self.accounts[fill.symbol].holdings()
                self._total_cash += cash - self._cash[fill.symbol]
                self._cash[fill.symbol] = cash
                self._held.pop(fill.symbol, None)
                self._held.update(held)
                if tape is not None:  # the rows mirror `_held`
                    for symbol in {fill.symbol, *held}:
                        if symbol in tape.row:
                            tape.shares[tape.row[symbol]] = self._held.get(symbol, 0)
            self._seen = len(self._fills)
        return self._total_cash

    def events(self) -> AsyncIterator[OrderEvent]:
        raise BrokerError("per-symbol backtest accounts have no event stream; read the reports")

    async def on_bar(self, bar: BarLike) -> None:
        account = await self.account(bar.symbol)
        self._forget_tape(bar.symbol)
        self._take(account, bar)

    async def on_tick(self, tick: Tick) -> None:
        account = await self.account(tick.symbol)
        self._forget_tape(tick.symbol)
        await self._feed(account, tick)

    def _forget_tape(self, symbol: str) -> None:
        """Market data fed directly: the account is up to date, nothing is pending for it."""
        tape = self._tape
        if tape is not None and symbol in tape.row:
            row = tape.row[symbol]
            tape.last[row] = tape.prev[row] = tape.synced[row] = tape.last_k[row] = tape.prev_k[row] = -1
            tape.fresh.pop(symbol, None)

    def _take(self, account: PaperBroker, bar: BarLike) -> None:
        """Feed `bar` to `account` (its `take_bar`: `on_bar` without a coroutine) and note its fills."""
        fills = account.fills
        before = len(fills)
        account.take_bar(bar)
        if len(fills) > before:
            self._fills.extend(fills[before:])

    async def _feed(self, account: PaperBroker, tick: Tick) -> None:
        fills = account.fills
        before = len(fills)
        await account.on_tick(tick)
        if len(fills) > before:
            self._fills.extend(fills[before:])


class _Tape:
    """Per symbol row: the latest bar fed by `on_session`, the one before, and the latest one its
    account has taken (bar indexes; -1: none). `fresh`: the symbols whose account has caught up
    since session number `session` began (a catch-up is then nothing to do)."""

    def __init__(self, symbols: tuple[str, ...], bar_of: Callable[[str, int], BarLike], eager: bool) -> None:
        self.symbols, self.bar_of, self.eager = symbols, bar_of, eager
        self.row = {s: r for r, s in enumerate(symbols)}
        self.last, self.prev, self.synced = (np.full(len(symbols), -1, dtype=np.int64) for _ in range(3))
        self.now = np.full(len(symbols), -1, dtype=np.int64)  # scratch: this session's bar per row
        self.last_k, self.prev_k = (np.full(len(symbols), -1, dtype=np.int64) for _ in range(2))  # their sessions
        self.close_of: Callable[[int, int], tuple[date, datetime, int]] | None = None
        self.shares = np.zeros(len(symbols), dtype=np.int64)  # shares held per row (see `holdings`)
        self.session = 0
        self.fresh: dict[str, int] = {}
