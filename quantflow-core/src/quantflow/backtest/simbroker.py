"""The paper broker's daily-bar behaviour as a lean state machine, for the fast path.

It reuses the paper broker's own rules — `matching.bar_price` / `fillable_quantity`,
`PaperPortfolio` (cash, average cost, T+2), `RiskEngine.check`, `FeeSchedule`, the price bands and
the calendar — and only re-does the bookkeeping around them without the event ledger, so it is cheap
enough to call on the few bars where something happens. Parity with `PaperBroker` is proven by the
backtest tests (identical orders, fills and equity on real data); keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from quantflow.backtest import rules
from quantflow.backtest.results import FillRecord, OrderRecord
from quantflow.domain.instrument import Instrument
from quantflow.domain.orders import Fill, OrderRequest, OrderStatus, OrderType, Side
from quantflow.domain.portfolio import Account
from quantflow.market.bands import PriceLimits
from quantflow.market.calendar import TradingCalendar
from quantflow.market.sessions import to_vn_time
from quantflow.market.ticks import ladder
from quantflow.trading.paper import PaperBrokerConfig, matching
from quantflow.trading.paper.portfolio import PaperPortfolio
from quantflow.trading.risk import RiskContext, RiskEngine

S = OrderStatus


@dataclass(slots=True)
class SimOrder:
    request: OrderRequest
    day: date  # the session it was placed for
    order_type: OrderType
    side: Side
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
        return self.request.quantity - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in (S.NEW, S.PARTIALLY_FILLED)

    def record(self) -> OrderRecord:
        r = self.request
        return OrderRecord(
            client_order_id=r.client_order_id, symbol=r.symbol, side=r.side.value, order_type=r.order_type.value,
            quantity=r.quantity, price=r.price, created_at=r.created_at, status=self.status.value,
            filled_quantity=self.filled, filled_notional=self.notional, fees=self.fees, taxes=self.taxes,
            reject_code=self.reject_code,
        )


class SimBroker:
    def __init__(self, config: PaperBrokerConfig, calendar: TradingCalendar,
                 orders: list[SimOrder] | None = None, fills: list[FillRecord] | None = None) -> None:
        """`orders` / `fills`: lists to append to, shared by per-symbol accounts so that they
        record in the order things happened across accounts, as `SymbolAccounts` reports them."""
        self.config = config
        self.calendar = calendar
        self.portfolio = PaperPortfolio(config.initial_cash)
        self.risk = RiskEngine(config.risk)
        self.instruments: dict[str, Instrument] = {i.symbol: i for i in config.instruments}
        self.orders: list[SimOrder] = [] if orders is None else orders
        self.open: dict[str, list[SimOrder]] = {}  # symbol -> open orders, submission order
        self.fills: list[FillRecord] = [] if fills is None else fills
        self.limits: dict[tuple[str, date], PriceLimits] = {}

    # --- what the node reads ------------------------------------------------------------------
    def reserved(self) -> int:
        total = 0
        for orders in self.open.values():
            for o in orders:
                if o.reserve is not None:
                    value = o.reserve * o.remaining_quantity
                    total += rules.reserve_cost(value, self.config.fees)
        return total

    def sellable(self, symbol: str, day: date, exclude: str | None = None) -> int:
        reserved = sum(o.remaining_quantity for o in self.open.get(symbol, ())
                       if o.side is Side.SELL and o.request.client_order_id != exclude)
        return max(0, self.portfolio.settled_quantity(symbol, day) - reserved)  # Position.sellable_quantity

    # --- orders -------------------------------------------------------------------------------
    def submit(self, request: OrderRequest, limits: PriceLimits) -> bool:
        """Risk-check and book `request` as the paper broker does; True when accepted."""
        day = to_vn_time(request.created_at).date()
        order = SimOrder(request, day, request.order_type, request.side)
        self.orders.append(order)
        self.limits[(request.symbol, day)] = limits
        symbol_open = self.open.setdefault(request.symbol, [])
        cash, reserved = self.portfolio.cash, self.reserved()
        reserved_sells = sum(o.remaining_quantity for o in symbol_open if o.side is Side.SELL)
        ctx = RiskContext(
            instrument=self.instruments[request.symbol], now=request.created_at,
            account=Account(account_id=self.config.account_id, cash=cash, reserved_cash=reserved, buying_power=cash - reserved),
            position=self.portfolio.position(request.symbol, day, reserved_sells), price_limits=limits,
            pending_buy_quantity=sum(o.remaining_quantity for o in symbol_open if o.side is Side.BUY),
            fees=self.config.fees, calendar=self.calendar,
        )
        decision = self.risk.check(request, ctx)
        if not decision.accepted:
            order.status, order.reject_code = S.REJECTED, decision.reason.value if decision.reason else None
            return False
        if request.side is Side.BUY:
            order.reserve = request.price or limits.ceiling
        symbol_open.append(order)
        return True

    def on_bar(self, symbol: str, day: date, start: datetime, o: int, h: int, low: int, c: int, volume: int) -> None:
        """The paper broker's `on_bar` for a symbol with open orders: expire, then match."""
        orders = self.open.get(symbol)
        if not orders:
            return
        for order in orders:
            if order.day < day:
                order.status = S.EXPIRED
        bar = SimpleNamespace(open=o, high=h, low=low, close=c)
        budget = matching.volume_budget(volume, self.config.max_participation)
        grid = ladder(self.instruments[symbol].tick_ladder_id)
        lot = self.instruments[symbol].lot_size
        for order in orders:
            if not order.is_open or order.request.created_at > start:
                continue
            limit = order.request.price if order.request.price is not None else order.mtl_limit
            price = matching.bar_price(order, bar, limit, self.config.slippage_ticks, grid,  # type: ignore[arg-type]
                                       self.limits[(symbol, order.day)])
            qty = matching.fillable_quantity(order.remaining_quantity, budget, lot) if price else 0
            if order.order_type is OrderType.MOK and qty < order.remaining_quantity:
                order.status = S.CANCELLED
                continue
            if qty and price:
                self._fill(order, qty, price, start, day)
                if order.order_type is OrderType.MTL and order.mtl_limit is None:
                    order.mtl_limit = price
            budget -= qty
            if order.is_open:
                if order.order_type is OrderType.MAK:
                    order.status = S.CANCELLED
                elif order.order_type in (OrderType.ATO, OrderType.ATC, OrderType.PLO):
                    order.status = S.EXPIRED
        still = [x for x in orders if x.is_open]
        if still:
            self.open[symbol] = still
        else:
            del self.open[symbol]

    def _fill(self, order: SimOrder, qty: int, price: int, ts: datetime, day: date) -> None:
        fee, tax = self.config.fees.costs(order.side, price * qty)
        fill = Fill(fill_id="sim", client_order_id=order.request.client_order_id, symbol=order.request.symbol,
                    side=order.side, quantity=qty, price=price, fee=fee, tax=tax, ts=ts)
        self.portfolio.apply_fill(fill, self.calendar.settlement_date(day))
        order.filled += qty
        order.notional += price * qty
        order.fees += fee
        order.taxes += tax
        order.status = S.FILLED if order.filled == order.request.quantity else S.PARTIALLY_FILLED
        self.fills.append(FillRecord.of(fill, day))
