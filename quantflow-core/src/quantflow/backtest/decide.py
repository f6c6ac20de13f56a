"""What `core:place_order` submits at one bar, as a generator both execution paths drive.

The generator yields one `OrderRequest` at a time and is sent back whether the broker accepted it,
so buying power is only spent by orders that really went through, exactly as the broker books it.
The node drives it against `ctx.broker`; the fast path against its simulated broker. Sells go
first (symbol order), then buys (symbol order): the same sequence in every mode.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from quantflow.backtest import rules
from quantflow.domain.instrument import Instrument
from quantflow.domain.orders import OrderRequest, OrderType, Side
from quantflow.market.bands import PriceLimits
from quantflow.market.fees import FeeSchedule

OrderTypeName = Literal["LO", "MTL", "ATO", "ATC"]


@dataclass(frozen=True, slots=True)
class SizingRule:
    """The sizing part of the node's params, as plain values."""

    sizing: rules.Sizing
    quantity: int
    percent: float
    risk_percent: float
    atr_multiple: float
    order_type: OrderTypeName
    limit_offset_ticks: int
    limit_at: Literal["close", "band"] = "close"


@dataclass(frozen=True, slots=True)
class BarSignal:
    """One symbol at the current bar: its close, its signals and the band of the order's session."""

    symbol: str
    close: int
    buy: bool
    sell: bool
    atr: float | None
    instrument: Instrument
    limits: PriceLimits


@dataclass(slots=True)
class Book:
    """The account as the broker reports it when the node runs."""

    cash: int
    buying_power: int
    held: dict[str, int]
    sellable: dict[str, int]  # sellable on the order's session (T+2 counted to that day)
    closes: Mapping[str, int]  # latest close per symbol, for equity


class Planned(NamedTuple):
    """One order `plan` wants sent: plain values, turned into an `OrderRequest` by `decide`."""

    symbol: str
    side: Side
    quantity: int
    price: int | None


def decide(
    node_id: str, rule: SizingRule, signals: Sequence[BarSignal], book: Book, fees: FeeSchedule,
    at: datetime, *, sell_all: bool = False,
) -> Generator[OrderRequest, bool, None]:
    """Yield the orders for this bar; `send(accepted)` after each. `sell_all` (close_position)
    turns every signal into a full exit."""
    order_type = OrderType(rule.order_type)
    steps = plan(rule, signals, book, fees, sell_all=sell_all)
    try:
        wanted = next(steps)
        while True:
            request = OrderRequest(
                client_order_id=rules.client_order_id(node_id, wanted.symbol, at, wanted.side.value),
                symbol=wanted.symbol, side=wanted.side, order_type=order_type, quantity=wanted.quantity,
                price=wanted.price, created_at=at,
            )
            wanted = steps.send((yield request))
    except StopIteration:
        return


def plan(
    rule: SizingRule, signals: Sequence[BarSignal], book: Book, fees: FeeSchedule, *, sell_all: bool = False,
) -> Generator[Planned, bool, None]:
    """`decide` without the request objects: the one place the decision is made. The fast path
    drives it directly, so it does not build a validated `OrderRequest` per order."""
    equity = rules.equity_of(book.cash, book.held, book.closes)
    order_type = OrderType(rule.order_type)
    ordered = sorted(signals, key=lambda s: s.symbol) if len(signals) > 1 else signals
    for bar in ordered:
        lot, held = bar.instrument.lot_size, book.held.get(bar.symbol, 0)
        quantity = 0
        if bar.sell:
            quantity = book.sellable.get(bar.symbol, 0)
            if rule.sizing == "quantity" and not sell_all:
                quantity = min(quantity, rule.quantity)
        elif bar.buy and rule.sizing == "target_percent":
            excess = rules.target_excess(lot=lot, equity=equity, close=bar.close, held=held, percent=rule.percent)
            quantity = min(excess, book.sellable.get(bar.symbol, 0))
        quantity = rules.round_lot(quantity, lot)
        if quantity:
            yield Planned(bar.symbol, Side.SELL, quantity, _price(bar, Side.SELL, order_type, rule))
    if sell_all:
        return
    for bar in ordered:
        if not bar.buy or bar.sell:
            continue
        price = _price(bar, Side.BUY, order_type, rule)
        reserve_at = rules.reserve_price(order_type, price, bar.limits)
        quantity = rules.buy_quantity(
            rule.sizing, lot=bar.instrument.lot_size, equity=equity, close=bar.close,
            held=book.held.get(bar.symbol, 0), reserve_at=reserve_at, buying_power=book.buying_power,
            fees=fees, quantity=rule.quantity, percent=rule.percent, risk_percent=rule.risk_percent,
            atr_multiple=rule.atr_multiple, atr=bar.atr,
        )
        if quantity <= 0:
            continue
        accepted = yield Planned(bar.symbol, Side.BUY, quantity, price)
        if accepted:
            book.buying_power -= rules.reserve_cost(reserve_at * quantity, fees)


def plan_one(rule: SizingRule, order_type: OrderType, bar: BarSignal, cash: int, buying_power: int, held: int,
             sellable: int, fees: FeeSchedule, *, sell_all: bool = False) -> list[Planned]:
    """`plan` for one signal against an account that holds no other symbol (per-symbol accounts),
    as a list: with one signal nothing `plan` yields depends on what was accepted before it. The
    fast path's hot loop; a property test holds it equal to `plan`."""
    out: list[Planned] = []
    lot, close = bar.instrument.lot_size, bar.close
    equity = cash + held * close
    quantity = 0
    if bar.sell:
        quantity = sellable
        if rule.sizing == "quantity" and not sell_all:
            quantity = min(quantity, rule.quantity)
    elif bar.buy and rule.sizing == "target_percent":
        quantity = min(rules.target_excess(lot=lot, equity=equity, close=close, held=held, percent=rule.percent), sellable)
    quantity = rules.round_lot(quantity, lot)
    if quantity:
        out.append(Planned(bar.symbol, Side.SELL, quantity, _price(bar, Side.SELL, order_type, rule)))
    if sell_all or not bar.buy or bar.sell:
        return out
    price = _price(bar, Side.BUY, order_type, rule)
    reserve_at = rules.reserve_price(order_type, price, bar.limits)
    quantity = rules.buy_quantity(
        rule.sizing, lot=lot, equity=equity, close=close, held=held, reserve_at=reserve_at, buying_power=buying_power,
        fees=fees, quantity=rule.quantity, percent=rule.percent, risk_percent=rule.risk_percent,
        atr_multiple=rule.atr_multiple, atr=bar.atr,
    )
    if quantity > 0:
        out.append(Planned(bar.symbol, Side.BUY, quantity, price))
    return out


def _price(bar: BarSignal, side: Side, order_type: OrderType, rule: SizingRule) -> int | None:
    if order_type is not OrderType.LO:
        return None
    if rule.limit_at == "band":
        return bar.limits.ceiling if side is Side.BUY else bar.limits.floor
    return rules.limit_price(bar.instrument, bar.close, rule.limit_offset_ticks, side is Side.BUY, bar.limits)
