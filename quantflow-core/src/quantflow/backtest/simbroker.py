"""The paper broker's daily-bar behaviour as a lean state machine, for the fast path.

It reuses the paper broker's own rules — `matching.bar_price` / `fillable_quantity`,
`PaperPortfolio` (cash, average cost, T+2), `RiskEngine.check`, `FeeSchedule`, the price bands and
the calendar — and only re-does the bookkeeping around them without the event ledger, so it is cheap
enough to call on the few bars where something happens. Parity with `PaperBroker` is proven by the
backtest tests (identical orders, fills and equity on real data); keep the two in step.

Orders and fills are plain slotted objects and tuples while the simulation runs; the result models
are built once at the end (`SimOrder.fields` through `results.order_rows`, `fill_records`). Orders that `risk.passes_plainly` shows the
risk engine would accept skip building its context; every other order goes through
`RiskEngine.check` itself, so a rejection always carries the engine's own reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from quantflow.backtest import rules
from quantflow.backtest.results import VALUE, FillRecord, OrderFields, fill_rows
from quantflow.domain.instrument import Instrument
from quantflow.domain.orders import Fill, OrderRequest, OrderStatus, OrderType, Side
from quantflow.domain.portfolio import Account
from quantflow.domain.trusted import built
from quantflow.market.bands import PriceLimits
from quantflow.market.calendar import TradingCalendar
from quantflow.market.ticks import ladder
from quantflow.trading.broker import BarLike
from quantflow.trading.paper import PaperBrokerConfig, matching
from quantflow.trading.paper.portfolio import PaperPortfolio
from quantflow.trading.risk import RiskContext, RiskEngine, TradingState, only_plain_rules, passes_plainly

S = OrderStatus
_OPEN = (S.NEW, S.PARTIALLY_FILLED)
_CLOSING = (OrderType.ATO, OrderType.ATC, OrderType.PLO)


@dataclass(slots=True)
class SimOrder:
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    price: int | None
    created_at: datetime
    day: date  # the session it was placed for
    limits: PriceLimits  # that session's band
    status: OrderStatus = S.NEW
    filled: int = 0
    notional: int = 0
    fees: int = 0
    taxes: int = 0
    reserve: int | None = None  # VND per share reserved (buys)
    mtl_limit: int | None = None
    reject_code: str | None = None

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    def request(self) -> OrderRequest:
        return OrderRequest(client_order_id=self.client_order_id, symbol=self.symbol, side=self.side,
                            order_type=self.order_type, quantity=self.quantity, price=self.price,
                            created_at=self.created_at)

    def fields(self) -> OrderFields:
        """The result row's fields (`results.order_rows`); every one was checked when the order
        was planned and booked."""
        return (self.client_order_id, self.symbol, VALUE[self.side], VALUE[self.order_type], self.quantity,
                self.price, self.created_at, VALUE[self.status], self.filled, self.notional, self.fees,
                self.taxes, self.reject_code)


#: A fill while the simulation runs: client order id, symbol, side, quantity, price, fee, tax, session,
#: and its effect on cash.
SimFill = tuple[str, str, Side, int, int, int, int, date, int]


def fill_records(fills: list[SimFill]) -> list[FillRecord]:
    return fill_rows((c, s, VALUE[side], q, p, fee, tax, d) for c, s, side, q, p, fee, tax, d, _ in fills)


class SimBroker:
    def __init__(self, config: PaperBrokerConfig, calendar: TradingCalendar) -> None:
        self.config = config
        self.calendar = calendar
        self.fees = config.fees
        self.portfolio = PaperPortfolio(config.initial_cash)
        self.risk = RiskEngine(config.risk)
        self._lenient = only_plain_rules(config.risk, TradingState.ACTIVE)  # with the state, checked per order
        self.instruments: dict[str, Instrument] = {i.symbol: i for i in config.instruments}
        self.orders: list[SimOrder] = []
        self.open: dict[str, list[SimOrder]] = {}  # symbol -> open orders, submission order
        self.fills: list[SimFill] = []

    def reserved(self) -> int:
        total = 0
        for orders in self.open.values():
            for o in orders:
                if o.reserve is not None:
                    value = o.reserve * (o.quantity - o.filled)
                    total += rules.reserve_cost(value, self.fees)
        return total

    def sellable(self, symbol: str, day: date) -> int:
        reserved = sum(o.quantity - o.filled for o in self.open.get(symbol, ()) if o.side is Side.SELL)
        return self.portfolio.sellable(symbol, day, reserved)  # Position.sellable_quantity

    def only_expiring(self, day: date) -> bool:
        """Every working order was for a session before `day`: a bar on `day` would only expire
        them (`on_bar`), so any later bar does the same."""
        return all(o.day < day for orders in self.open.values() for o in orders)

    # --- orders -------------------------------------------------------------------------------
    def submit(self, client_order_id: str, symbol: str, side: Side, order_type: OrderType, quantity: int,
               price: int | None, at: datetime, day: date, limits: PriceLimits) -> bool:
        """Risk-check and book an order placed at `at` for session `day`, as the paper broker
        does; True when accepted."""
        order = SimOrder(client_order_id, symbol, side, order_type, quantity, price, at, day, limits)
        self.orders.append(order)
        symbol_open = self.open.get(symbol)
        if symbol_open is None:
            symbol_open = self.open[symbol] = []
        buy = side is Side.BUY
        # `RiskEngine.accepts_plainly`'s test, without the `OrderRequest` it takes (one per order here);
        # the simulation never changes the limits it was made with, so they are judged once
        accepted = self._lenient and self.risk.state is TradingState.ACTIVE and passes_plainly(
            side, order_type, quantity, price, self.instruments[symbol], limits,
            self.portfolio.cash - self.reserved() if buy else 0, 0 if buy else self.sellable(symbol, day), self.fees)
        if not accepted and not self._engine_accepts(order, symbol_open):
            if not symbol_open:
                del self.open[symbol]
            return False
        if buy:
            order.reserve = price or limits.ceiling
        symbol_open.append(order)
        return True

    def _engine_accepts(self, order: SimOrder, symbol_open: list[SimOrder]) -> bool:
        cash, reserved = self.portfolio.cash, self.reserved()
        reserved_sells = sum(o.quantity - o.filled for o in symbol_open if o.side is Side.SELL)
        ctx = RiskContext(
            instrument=self.instruments[order.symbol], now=order.created_at,
            account=Account(account_id=self.config.account_id, cash=cash, reserved_cash=reserved, buying_power=cash - reserved),
            position=self.portfolio.position(order.symbol, order.day, reserved_sells), price_limits=order.limits,
            pending_buy_quantity=sum(o.quantity - o.filled for o in symbol_open if o.side is Side.BUY),
            fees=self.fees, calendar=self.calendar,
        )
        decision = self.risk.check(order.request(), ctx)
        if decision.accepted:
            return True
        order.status, order.reject_code = S.REJECTED, decision.reason.value if decision.reason else None
        return False

    def on_bar(self, symbol: str, day: date, bar: BarLike) -> None:
        """The paper broker's `on_bar` for a symbol with open orders: expire, then match."""
        orders = self.open.get(symbol)
        if not orders:
            return
        for order in orders:
            if order.day < day:
                order.status = S.EXPIRED
        config = self.config
        budget = matching.volume_budget(bar.volume, config.max_participation)
        instrument = self.instruments[symbol]
        grid, lot = ladder(instrument.tick_ladder_id), instrument.lot_size
        start = bar.start
        for order in orders:
            if order.status not in _OPEN or order.created_at > start:
                continue
            limit = order.price if order.price is not None else order.mtl_limit
            price = matching.bar_price(order, bar, limit, config.slippage_ticks, grid, order.limits)  # type: ignore[arg-type]
            remaining = order.quantity - order.filled
            qty = matching.fillable_quantity(remaining, budget, lot) if price else 0
            if order.order_type is OrderType.MOK and qty < remaining:
                order.status = S.CANCELLED
                continue
            if qty and price:
                self._fill(order, qty, price, start, day)
                if order.order_type is OrderType.MTL and order.mtl_limit is None:
                    order.mtl_limit = price
            budget -= qty
            if order.status in _OPEN:
                if order.order_type is OrderType.MAK:
                    order.status = S.CANCELLED
                elif order.order_type in _CLOSING:
                    order.status = S.EXPIRED
        still = [x for x in orders if x.status in _OPEN]
        if still:
            self.open[symbol] = still
        else:
            del self.open[symbol]

    def _fill(self, order: SimOrder, qty: int, price: int, ts: datetime, day: date) -> None:
        notional = price * qty
        fee, tax = self.fees.costs(order.side, notional)
        settles = self.calendar.settlement_date(day)
        # valid by construction: the order passed the risk rules, the price and quantity are the matcher's
        fill = built(Fill, {"fill_id": "sim", "client_order_id": order.client_order_id, "symbol": order.symbol,
                                "side": order.side, "quantity": qty, "price": price, "fee": fee, "tax": tax, "ts": ts})
        self.portfolio.apply_fill(fill, settles)
        order.filled += qty
        order.notional += notional
        order.fees += fee
        order.taxes += tax
        order.status = S.FILLED if order.filled == order.quantity else S.PARTIALLY_FILLED
        self.fills.append((order.client_order_id, order.symbol, order.side, qty, price, fee, tax, day, fill.cash_flow))
