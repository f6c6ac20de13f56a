"""The paper broker: simulated fills on replayed or live market data, through the same contract,
ledger and risk engine as a real broker.

Orders are checked by the risk engine at submission (a refusal is a `rejected` order, recorded, and
never matched), then fill on the next bar or tick after their creation time (see `matching.py`).
Day orders left working when a symbol's next trading day starts expire. Bought shares settle T+2 on
the trading calendar; fees and the sell tax are charged per fill (`quantflow.market.fees`). Time is
market time: the broker's clock is the latest market data it has seen, never the wall clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from functools import lru_cache

from quantflow.domain.instrument import Exchange, Instrument
from quantflow.domain.market_data import Tick
from quantflow.domain.orders import Fill, Order, OrderRequest, OrderStatus, OrderType, Side
from quantflow.domain.portfolio import Account, Position
from quantflow.domain.trusted import built
from quantflow.market.bands import PriceLimits, price_limits, reference_from_close
from quantflow.market.calendar import TradingCalendar, default_calendar
from quantflow.market.sessions import vn_day
from quantflow.market.ticks import TickLadder, ladder
from quantflow.trading.broker import CAP_ACCOUNT, CAP_MODIFY, BarLike, Broker, MarketDataSink
from quantflow.trading.errors import BrokerError, NotConnectedError
from quantflow.trading.events import OrderEvent, OrderEventKind
from quantflow.trading.ledger import OrderLedger
from quantflow.trading.paper import matching
from quantflow.trading.paper.config import PaperBrokerConfig
from quantflow.trading.paper.portfolio import PaperPortfolio
from quantflow.trading.risk import ACCEPT, RejectReason, RiskEngine
from quantflow.trading.store import OrderEventStore

K = OrderEventKind
_WORKING = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)
_CLOSE = object()  # sentinel ending event streams on disconnect


class _EventStream:
    """An event subscription, registered when created (not on first iteration)."""

    def __init__(self, owner: PaperBroker) -> None:
        self._owner = owner
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        owner._streams.append(self._queue)

    def __aiter__(self) -> _EventStream:
        return self

    async def __anext__(self) -> OrderEvent:
        item = await self._queue.get()
        if item is _CLOSE:
            raise StopAsyncIteration
        assert isinstance(item, OrderEvent)
        return item

    async def aclose(self) -> None:
        if self._queue in self._owner._streams:
            self._owner._streams.remove(self._queue)


class PaperBroker(Broker, MarketDataSink):
    capabilities = frozenset({CAP_MODIFY, CAP_ACCOUNT})

    def __init__(
        self,
        config: PaperBrokerConfig | None = None,
        *,
        store: OrderEventStore | None = None,
        calendar: TradingCalendar | None = None,
    ) -> None:
        self.config = config or PaperBrokerConfig()
        self.ledger = OrderLedger(store)
        self.risk = RiskEngine(self.config.risk)
        self._calendar = calendar or default_calendar()
        self._portfolio = PaperPortfolio(self.config.initial_cash, self.config.initial_positions)
        self._instruments: dict[str, Instrument] = {i.symbol: i for i in self.config.instruments}
        # tick ladder per symbol: read for every bar and order (an instrument never changes here)
        self._ladder_ids: dict[str, str] = {s: i.tick_ladder_id for s, i in self._instruments.items()}
        self._reference: dict[str, tuple[date | None, int]] = {
            s: (None, p) for s, p in self.config.reference_prices.items()
        }
        self._last: dict[str, tuple[date, int]] = {}  # symbol -> (day, last price)
        self._reserve_price: dict[str, int] = {}  # open buy order -> VND per share reserved
        self._mtl_limit: dict[str, int] = {}  # MTL order -> limit after its first fill
        self._fills: list[Fill] = []
        self._streams: list[asyncio.Queue[object]] = []
        self._connected = False
        self._now: datetime | None = None

    # --- connection -------------------------------------------------------------------------
    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False
        for queue in self._streams:
            queue.put_nowait(_CLOSE)
        self._streams.clear()

    @property
    def is_connected(self) -> bool:
        return self._connected

    def _require_connection(self) -> None:
        if not self._connected:
            raise NotConnectedError("paper broker is not connected; call connect() first")

    # --- reports ----------------------------------------------------------------------------
    def events(self) -> AsyncIterator[OrderEvent]:
        return _EventStream(self)

    async def order_reports(self) -> list[Order]:
        return self.ledger.orders()

    async def fill_reports(self) -> list[Fill]:
        return list(self._fills)

    async def position_reports(self) -> list[Position]:
        today = self._today()
        positions = (self._position(s, today) for s in self._portfolio.symbols())
        return [p for p in positions if p is not None]

    async def account_report(self) -> Account:
        return self._account()

    def sizing_view(self, order_day: date) -> tuple[int, int, dict[str, int], dict[str, int]]:
        """Cash, buying power, and per symbol the shares held and those sellable on `order_day`
        (settled by then, not reserved by open sells): what `account_report` and
        `position_reports` give an order-sizing node, without building the reports."""
        today = self._today()
        held: dict[str, int] = {}
        sellable: dict[str, int] = {}
        for symbol in self._portfolio.symbols():
            reserved = self._reserved_for_sale(symbol, None)
            held[symbol], sellable[symbol] = self._portfolio.sizing(symbol, today, order_day, reserved)
        cash = self._portfolio.cash
        return cash, cash - self._reserved_cash(), held, sellable

    @property
    def fills(self) -> list[Fill]:
        """The fills so far, oldest first (read only; `fill_reports` returns a copy)."""
        return self._fills

    def holdings(self) -> tuple[int, dict[str, int]]:
        """Cash and shares held per symbol, without building reports: cheap enough for an equity
        point on every bar of a backtest."""
        return self._portfolio.cash, self._portfolio.quantities()

    # --- orders -----------------------------------------------------------------------------
    async def submit(self, request: OrderRequest) -> Order:
        return self.place(request)

    def place(self, request: OrderRequest) -> Order:
        """`submit`, as a plain call (it never waits): for a caller placing many orders."""
        self._require_connection()
        order, created = self.ledger.submit(request)
        if not created:
            return order
        if self._streams:
            self._publish(self.ledger.history(order.client_order_id)[-1])
        reason, message, limits = self._check(request)
        if reason is not None:
            return self._record(OrderEvent.trusted(K.REJECTED, order.client_order_id, request.created_at,
                                                   reason_code=reason.value, message=message))
        if request.side is Side.BUY:
            assert limits is not None  # the risk engine refuses orders without limits
            self._reserve_price[order.client_order_id] = request.price or limits.ceiling
        return self._record(OrderEvent.trusted(K.ACCEPTED, order.client_order_id, request.created_at,
                                               broker_order_id=f"P-{order.client_order_id}"))

    async def cancel(self, client_order_id: str) -> Order:
        self._require_connection()
        order = self.ledger.get(client_order_id)
        if order.is_terminal:
            raise BrokerError(f"order {client_order_id} is already {order.status}; nothing to cancel")
        ts = self._event_time(order)
        self._record(OrderEvent.trusted(K.CANCEL_REQUESTED, client_order_id, ts))
        return self._finish(client_order_id, K.CANCELLED, ts)

    async def modify(self, client_order_id: str, *, new_client_order_id: str,
                     price: int | None = None, quantity: int | None = None) -> Order:
        """Cancel-and-replace (DNSE stock semantics): returns the new order, which is risk-checked
        like any other; if it is rejected the old order stays cancelled."""
        self._require_connection()
        old = self.ledger.get(client_order_id)
        if old.order_type is not OrderType.LO or old.status not in _WORKING:
            raise BrokerError(f"only working LO orders can be modified; {client_order_id} is a {old.status} {old.order_type}")
        ts = self._event_time(old)
        replacement = old.request.model_copy(update={
            "client_order_id": new_client_order_id, "created_at": ts,
            "price": price if price is not None else old.price,
            "quantity": quantity if quantity is not None else old.remaining_quantity,
        })
        replacement = OrderRequest.model_validate(replacement.model_dump())  # validate the changes
        await self.cancel(client_order_id)
        return await self.submit(replacement)

    # --- market data ------------------------------------------------------------------------
    async def on_bar(self, bar: BarLike) -> None:
        self.take_bar(bar)

    def take_bar(self, bar: BarLike) -> None:
        """`on_bar`, as a plain call (it never waits): for a caller feeding many bars."""
        symbol, start = bar.symbol, bar.start
        day = self._advance(symbol, start)
        matchable = self._matchable(symbol, lambda o: o.created_at <= start)
        if matchable:  # (most bars of a backtest meet no working order)
            budget = matching.volume_budget(bar.volume, self.config.max_participation)
            for order in matchable:
                price = matching.bar_price(order, bar, self._limit_of(order), self.config.slippage_ticks,
                                           self._grid(order.symbol), self._limits_or_raise(order.symbol, day))
                budget -= self._execute(order, price, budget, start, day)
        self._last[symbol] = (day, bar.close)
        self._move_clock(bar.end)

    def note_close(self, bar: BarLike) -> None:
        """Take `bar` as the symbol's latest price, for a caller that knows no order of the symbol
        is working and that a later bar follows before anything reads the account: then `on_bar`
        would change nothing else that the later bar does not overwrite (reference, clock)."""
        if self.ledger.has_open(bar.symbol):
            raise BrokerError(f"{bar.symbol} has working orders; feed its bars with on_bar")
        self._last[bar.symbol] = (vn_day(bar.start), bar.close)

    def catch_up(self, symbol: str, day: date, end: datetime, close: int,
                 previous: tuple[date, int] | None = None) -> None:
        """`on_bar` for a bar of `symbol` known by its session day, end and close, for a caller
        that knows no order of the symbol is working (nothing can fill or expire): what the bar
        leaves behind (settlement, reference, last price, clock), without building it.
        `previous`: the (day, close) of a skipped bar before it, noted first (`note_close_at`)."""
        if self.ledger.has_open(symbol):
            raise BrokerError(f"{symbol} has working orders; feed its bars with on_bar")
        if previous is not None:
            self._last[symbol] = previous
        self._open_day(symbol, day)
        self._last[symbol] = (day, close)
        self._move_clock(end)

    def note_close_at(self, symbol: str, day: date, close: int) -> None:
        """`note_close` for a bar known by its session day and whole-VND close."""
        if self.ledger.has_open(symbol):
            raise BrokerError(f"{symbol} has working orders; feed its bars with on_bar")
        self._last[symbol] = (day, close)

    async def on_tick(self, tick: Tick) -> None:
        day = self._advance(tick.symbol, tick.ts)
        budget = matching.volume_budget(tick.quantity, self.config.max_participation)
        for order in self._matchable(tick.symbol, lambda o: o.created_at < tick.ts):
            if order.order_type is OrderType.ATO and tick.auction is None:
                self._finish(order.client_order_id, K.EXPIRED, tick.ts)  # the opening auction is over
                continue
            price = matching.tick_price(order, tick, self._limit_of(order), self.config.slippage_ticks,
                                        self._grid(order.symbol), self._limits_or_raise(order.symbol, day))
            if price is not None or order.order_type in matching.MARKET_TYPES:
                budget -= self._execute(order, price, budget, tick.ts, day)
        self._last[tick.symbol] = (day, tick.price)
        self._move_clock(tick.ts)

    # --- internals --------------------------------------------------------------------------
    def _move_clock(self, when: datetime) -> None:
        """The broker's clock is the latest market time seen (never moved back)."""
        if self._now is None or when > self._now:
            self._now = when

    def _execute(self, order: Order, price: int | None, budget: int, ts: datetime, day: date) -> int:
        """Fill what the print allows and apply the order type's leftover rule; shares used."""
        lot = self._instruments[order.symbol].lot_size
        qty = matching.fillable_quantity(order.remaining_quantity, budget, lot) if price else 0
        kind = order.order_type
        if kind is OrderType.MOK and qty < order.remaining_quantity:
            self._finish(order.client_order_id, K.CANCELLED, ts)
            return 0
        current = order
        if qty and price:
            current = self._fill(order, qty, price, ts, day)
            if kind is OrderType.MTL:
                self._mtl_limit.setdefault(order.client_order_id, price)
        if not current.is_terminal:
            if kind is OrderType.MAK:
                self._finish(order.client_order_id, K.CANCELLED, ts)
            elif kind in (OrderType.ATO, OrderType.ATC, OrderType.PLO):
                self._finish(order.client_order_id, K.EXPIRED, ts)  # one auction per order
        return qty

    def _fill(self, order: Order, qty: int, price: int, ts: datetime, day: date) -> Order:
        """Book a fill of `qty` at `price`; the order after it."""
        fee, tax = self.config.fees.costs(order.side, price * qty)
        # From the validated order, the matcher's whole-VND price and shares (both > 0), the fee
        # schedule's whole-VND costs and the bar's aware time: valid by construction.
        fill = built(Fill, {"fill_id": f"{order.client_order_id}-{len(self._fills) + 1}",
                            "client_order_id": order.client_order_id, "symbol": order.symbol, "side": order.side,
                            "quantity": qty, "price": price, "fee": fee, "tax": tax, "ts": ts}, fields_set=_FILL_SET)
        filled = self._record(OrderEvent.trusted(K.FILLED, order.client_order_id, ts, fill=fill))
        self._portfolio.apply_fill(fill, self._calendar.settlement_date(day))
        self._fills.append(fill)
        return filled

    def _finish(self, client_order_id: str, kind: OrderEventKind, ts: datetime) -> Order:
        order = self._record(OrderEvent.trusted(kind, client_order_id, ts))
        self._reserve_price.pop(client_order_id, None)
        self._mtl_limit.pop(client_order_id, None)
        return order

    def _record(self, event: OrderEvent) -> Order:
        order = self.ledger.record(event)
        if order.is_terminal:
            self._reserve_price.pop(order.client_order_id, None)
        if self._streams:
            self._publish(event)
        return order

    def _publish(self, event: OrderEvent) -> None:
        for queue in self._streams:
            queue.put_nowait(event)

    def _matchable(self, symbol: str, eligible: Callable[[Order], bool]) -> list[Order]:
        working = self.ledger.open_orders(symbol)
        return [o for o in working if o.status in _WORKING and eligible(o)] if working else working

    def _advance(self, symbol: str, ts: datetime) -> date:
        """Start `symbol`'s trading day `day` if new: roll the reference, expire stale day orders."""
        day = vn_day(ts)
        self._open_day(symbol, day)
        for order in self.ledger.open_orders(symbol):
            if vn_day(order.created_at) < day:
                self._finish(order.client_order_id, K.EXPIRED, max(ts, order.updated_at))
        return day

    def _open_day(self, symbol: str, day: date) -> None:
        """Settle up to `day` and, if `day` is new for `symbol`, roll its reference price."""
        self._portfolio.settle(day)
        seeded = self._reference.get(symbol)
        last = self._last.get(symbol)
        if seeded is not None and seeded[0] is None:  # configured reference: the first day seen
            self._reference[symbol] = (day, seeded[1])
        elif last is not None and last[0] < day:  # new day: previous close
            self._reference[symbol] = (day, reference_from_close(last[1], self._ladder_ids[symbol]))

    def _limits(self, symbol: str, day: date) -> PriceLimits | None:
        instrument = self._instruments.get(symbol)
        entry = self._reference.get(symbol)
        if instrument is None:
            return None
        last = self._last.get(symbol)
        if entry is not None and (entry[0] is None or entry[0] == day):
            reference = entry[1]
        elif last is not None and last[0] < day:
            reference = reference_from_close(last[1], self._ladder_ids[symbol])
        else:
            return None
        return _band(instrument.exchange, reference, instrument.listing_date == day, self._ladder_ids[symbol])

    def _limits_or_raise(self, symbol: str, day: date) -> PriceLimits:
        limits = self._limits(symbol, day)
        if limits is None:
            raise BrokerError(f"no reference price for {symbol} on {day}")
        return limits

    def _grid(self, symbol: str) -> TickLadder:
        return ladder(self._ladder_ids[symbol])

    def _limit_of(self, order: Order) -> int | None:
        return order.price if order.price is not None else self._mtl_limit.get(order.client_order_id)

    def _check(self, request: OrderRequest) -> tuple[RejectReason | None, str, PriceLimits | None]:
        """The risk engine's verdict on `request`, and the day's price limits it was checked with."""
        instrument = self._instruments.get(request.symbol)
        if instrument is None:
            return RejectReason.UNKNOWN_SYMBOL, f"{request.symbol} is not an instrument this paper account trades", None
        day = vn_day(request.created_at)
        limits = self._limits(request.symbol, day)
        buy = request.side is Side.BUY  # (`passes_plainly` reads buying power for a buy, sellable shares for a sell)
        if self.risk.lenient() and self.risk.accepts_plainly(
                request, instrument=instrument, now=request.created_at, price_limits=limits,
                buying_power=self._portfolio.cash - self._reserved_cash() if buy else 0,
                sellable=0 if buy else self._sellable(request, day), fees=self.config.fees):
            return None, ACCEPT.message, limits  # (the common case, without the context's models)
        position, pending_buys = None, 0
        if self.risk.reads_position(request):  # (a buy without a position cap: no rule reads them)
            working = self.ledger.open_orders(request.symbol)
            pending_buys = sum(o.remaining_quantity for o in working
                               if o.side is Side.BUY and o.client_order_id != request.client_order_id) if working else 0
            position = self._position(request.symbol, day, exclude=request.client_order_id)
        decision = self.risk.check_with(
            request, instrument=instrument, now=request.created_at, account=self._account(),
            position=position, price_limits=limits, pending_buy_quantity=pending_buys, fees=self.config.fees,
            calendar=self._calendar,
        )
        return decision.reason, decision.message, limits

    def _sellable(self, request: OrderRequest, day: date) -> int:
        """What `_position(..., exclude=request)` says is sellable (0 without a position)."""
        reserved = self._reserved_for_sale(request.symbol, exclude=request.client_order_id)
        return self._portfolio.sellable(request.symbol, day, reserved)

    def _position(self, symbol: str, today: date, exclude: str | None = None) -> Position | None:
        return self._portfolio.position(symbol, today, self._reserved_for_sale(symbol, exclude))

    def _reserved_for_sale(self, symbol: str, exclude: str | None) -> int:
        """Shares the open sells of `symbol` (but `exclude`) hold back."""
        return sum(o.remaining_quantity for o in self.ledger.open_orders(symbol)
                   if o.side is Side.SELL and o.client_order_id != exclude)

    def _reserved_cash(self) -> int:
        """What open buys hold back: each one's remaining value at its reserve price, plus the fee."""
        reserved = 0
        for cid, price in self._reserve_price.items():
            value = price * self.ledger.get(cid).remaining_quantity
            reserved += value + self.config.fees.fee(value)
        return reserved

    def _account(self) -> Account:
        reserved = self._reserved_cash()
        cash = self._portfolio.cash
        # Consistent by construction (buying power = cash - reserved, reserved >= 0), and read
        # for every order the risk engine checks: not validated again.
        return built(Account, {"account_id": self.config.account_id, "cash": cash, "buying_power": cash - reserved,
                               "reserved_cash": reserved}, fields_set=_ACCOUNT_SET)

    def _today(self) -> date:
        return vn_day(self._now) if self._now else date.min

    def _event_time(self, order: Order) -> datetime:
        return max(order.updated_at, self._now) if self._now else order.updated_at


_FILL_SET, _ACCOUNT_SET = set(Fill.model_fields), set(Account.model_fields)  # shared (frozen models)


@lru_cache(maxsize=65536)
def _band(exchange: Exchange, reference: int, first_day: bool, ladder_id: str) -> PriceLimits:
    """`price_limits` by position (keyword arguments make every cache lookup slower)."""
    return price_limits(exchange, reference, first_day=first_day, ladder_id=ladder_id)
