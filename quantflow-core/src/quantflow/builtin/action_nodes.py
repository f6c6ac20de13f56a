"""Action nodes: the only built-in nodes that trade. They call `ctx.broker` (a
`quantflow.trading.broker.Broker`) and act on the CURRENT bar only (`values[-1]`), so a one-shot run,
a bar-by-bar backtest, paper and live trading send the same orders for the same bar.

Every order passes the risk engine: the paper broker runs it itself, and a session with any other
broker plugs in `quantflow.trading.risk_gate.RiskGate`. Sizing and order timing live in
`quantflow.backtest.rules` / `decide`, shared with the backtester's fast path.

What a host may put in `ctx.services`: `instruments` (symbol -> Instrument; default a HOSE stock),
`fees` (FeeSchedule), `calendar` (TradingCalendar). Without them the paper broker's config is used.
A broker with an `account_for(symbol)` method (per-symbol backtest accounts) is sized per symbol
against that symbol's own account.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from quantflow.backtest import rules
from quantflow.backtest.decide import BarSignal, Book, Planned, SizingRule, decide, plan_one
from quantflow.builtin.close_book import CloseBook, truth
from quantflow.domain.orders import Order, OrderRequest, OrderStatus, OrderType, Side
from quantflow.engine.context import RunContext
from quantflow.errors import QuantflowError
from quantflow.market.calendar import TradingCalendar, default_calendar
from quantflow.market.fees import FeeSchedule
from quantflow.market.sessions import vn_day
from quantflow.nodes import Category, Frame, NodeParams, Port, PortType, node
from quantflow.nodes.panel import PanelFrame
from quantflow.nodes.values import Frame as FrameValue
from quantflow.nodes.values import SeriesMap

OptionalBool = Annotated[Any, Port(PortType.BOOL_SERIES, "True on bars where the node should act.", required=False)]
OptionalSeries = Annotated[Any, Port(PortType.SERIES, "ATR per symbol (for atr_risk sizing).", required=False)]
OrdersOut = {"orders": Port(PortType.ORDERS, "The orders this node submitted in this run (with their state).")}
_SIDE = {side: side.value for side in Side}


class PlaceOrderParams(NodeParams):
    sizing: rules.Sizing = Field("percent_equity", description="How many shares a buy signal buys.")
    quantity: int = Field(100, ge=1, le=500_000_000, description="Shares (sizing = quantity).")
    percent: float = Field(100.0, gt=0, le=100, description="% of equity (percent_equity / target_percent).")
    risk_percent: float = Field(1.0, gt=0, le=100, description="% of equity risked per entry (atr_risk).")
    atr_multiple: float = Field(2.0, gt=0, le=100, description="Stop distance in ATRs (atr_risk).")
    order_type: Literal["LO", "MTL", "ATO", "ATC"] = Field("ATO", description="LO is priced at the close.")
    limit_offset_ticks: int = Field(0, ge=0, le=50, description="LO: ticks beyond the close towards a fill.")
    limit_at: Literal["close", "band"] = Field(
        "close", description="LO price: the close (+offset), or the band edge (ceiling to buy, floor to "
        "sell): a marketable limit that fills at the open on every exchange, UPCoM included.")


class CloseParams(NodeParams):
    order_type: Literal["LO", "MTL", "ATO", "ATC"] = "ATO"
    limit_offset_ticks: int = Field(0, ge=0, le=50)
    limit_at: Literal["close", "band"] = "close"


class CancelParams(NodeParams):
    side: Literal["any", "buy", "sell"] = Field("any", description="Which open orders to cancel.")


def _market(ctx: RunContext) -> tuple[dict[str, Any], FeeSchedule, TradingCalendar]:
    config = getattr(ctx.broker, "config", None)
    instruments = ctx.services.get("instruments")
    if instruments is None:
        instruments = {i.symbol: i for i in getattr(config, "instruments", ())}
    fees = ctx.services.get("fees") or getattr(config, "fees", None) or FeeSchedule()
    return instruments if type(instruments) is dict else dict(instruments), fees, ctx.services.get("calendar") or default_calendar()


def _broker(ctx: RunContext) -> Any:
    if ctx.broker is None:
        raise QuantflowError("this run has no broker; start it as a backtest, paper or live run")
    return ctx.broker


def _closes(ctx: RunContext, frame: FrameValue) -> CloseBook:
    """The node's remembered closes, brought up to this run's bars."""
    state = ctx.node_state()
    book = state.get("closes")
    if book is None:
        book = state["closes"] = CloseBook()
    if isinstance(frame, PanelFrame):
        book.update_panel(frame)
    else:
        for symbol, bars in frame.items():
            book.update(symbol, bars)
    return book


def _acting(frame: FrameValue, buy: SeriesMap | None, sell: SeriesMap | None) -> list[tuple[str, bool, bool]]:
    """(symbol, buy, sell) for the symbols with a bar now and a true buy or sell, by symbol."""
    if isinstance(frame, PanelFrame):
        shape = frame.shape
        if not shape.longest:
            return []
        newest = frame.column("time", frame.newest())
        has = shape.has
        current = has & (newest == newest[has].max())
        buys, sells = truth(buy, frame.layout), truth(sell, frame.layout)
        chosen = np.flatnonzero(current & (buys | sells)).tolist()
        return sorted((frame.layout.symbols[j], bool(buys[j]), bool(sells[j])) for j in chosen)
    latest = [bars.time[-1] for bars in frame.values() if len(bars)]
    if not latest:
        return []
    now_bar = max(latest)
    found = []
    for symbol in sorted(frame):
        bars = frame[symbol]
        if not len(bars) or bars.time[-1] != now_bar:
            continue  # no bar for this symbol now: nothing current to act on
        is_buy, is_sell = bool(_current(buy, symbol)), bool(_current(sell, symbol))
        if is_buy or is_sell:
            found.append((symbol, is_buy, is_sell))
    return found


def _current(values: SeriesMap | None, symbol: str) -> Any:
    if values is None:
        return None
    series = values.get(symbol)
    return series[-1].item() if series is not None and len(series) else None


async def _book(broker: Any, order_day: date, closes: CloseBook) -> Book:
    view = getattr(broker, "sizing_view", None)
    if view is not None:  # the paper broker: the same numbers as its reports, without building them
        cash, buying_power, held, sellable = view(order_day)
        return Book(cash=cash, buying_power=buying_power, held=held, sellable=sellable, closes=closes.closes(held))
    account = await broker.account_report()
    held, sellable = {}, {}
    for position in await broker.position_reports():
        held[position.symbol] = position.quantity
        sellable[position.symbol] = position.sellable_quantity + sum(
            p.quantity for p in position.pending if p.settles_on <= order_day)
    return Book(cash=account.cash, buying_power=account.buying_power, held=held, sellable=sellable,
                closes=closes.closes(held))


async def _act(ctx: RunContext, rule: SizingRule, frame: FrameValue, buy: SeriesMap | None,
               sell: SeriesMap | None, atr: SeriesMap | None, *, sell_all: bool = False) -> list[Order]:
    broker = _broker(ctx)
    instruments, fees, calendar = _market(ctx)
    closes = _closes(ctx, frame)
    acting = _acting(frame, buy, sell)
    if not acting:
        return []
    at, order_day = _order_time(ctx.now(), calendar)
    order_number = order_day.toordinal() - rules.EPOCH_ORDINAL  # (days since 1970, as the close book's days)
    signals = []
    for symbol, is_buy, is_sell in acting:
        day, close, prior = closes.get(symbol)  # type: ignore[misc]  # every acting symbol has a bar
        reference = close if order_number > day else prior
        if reference is None:
            ctx.logger.warning("%s: no previous close, so no price band; no order", symbol)
            continue
        instrument = rules.instrument_for(symbol, instruments)
        limits = rules.limits_for(instrument, reference, order_day)
        if limits is None:
            ctx.logger.warning("%s: no valid price band from close %s; no order", symbol, reference)
            continue
        signals.append(BarSignal(symbol, close, is_buy, is_sell, _current(atr, symbol), instrument, limits))
    if not signals:
        return []
    submitted: list[Order] = []
    node_id, order_type = ctx.node_id or "order", OrderType(rule.order_type)
    for account, group in _by_account(broker, signals):
        ready = await _ready(broker, account, group)
        alone = _alone(ready, group, rule, order_type, fees, order_day, sell_all)
        if alone is not None:
            for wanted in alone:
                order = await broker.submit(OrderRequest(
                    client_order_id=rules.client_order_id(node_id, wanted.symbol, at, _SIDE[wanted.side]),
                    symbol=wanted.symbol, side=wanted.side, order_type=order_type,
                    quantity=wanted.quantity, price=wanted.price, created_at=at))
                submitted.append(order)
                if order.status is OrderStatus.REJECTED:
                    ctx.logger.warning("order %s rejected: %s", order.client_order_id, order.reject_message)
            continue
        book = await _book(ready, order_day, closes)
        steps = decide(node_id, rule, group, book, fees, at, sell_all=sell_all)
        try:
            request = next(steps)
            while True:
                order = await broker.submit(request)
                submitted.append(order)
                if order.status is OrderStatus.REJECTED:
                    ctx.logger.warning("order %s rejected: %s", order.client_order_id, order.reject_message)
                request = steps.send(order.status is not OrderStatus.REJECTED)
        except StopIteration:
            pass
    return submitted


def _alone(account: Any, group: list[BarSignal], rule: SizingRule, order_type: OrderType, fees: FeeSchedule,
           order_day: date, sell_all: bool) -> list[Planned] | None:
    """The orders for one signal against a paper account that holds no other symbol (each
    per-symbol backtest account): `plan_one`, which gives what `decide` would, without its
    generator and close book. None: any other case, for `decide`."""
    view = getattr(account, "sizing_view", None)
    if view is None or len(group) != 1:
        return None
    bar = group[0]
    cash, buying_power, held, sellable = view(order_day)
    if len(held) > 1 or (held and bar.symbol not in held):
        return None
    return plan_one(rule, order_type, bar, cash, buying_power, held.get(bar.symbol, 0),
                    sellable.get(bar.symbol, 0), fees, sell_all=sell_all)


@lru_cache(maxsize=1024)
def _order_time(now: datetime, calendar: TradingCalendar) -> tuple[datetime, date]:
    """`rules.order_time` and its local day, once per run instant (every run of a session asks)."""
    at = rules.order_time(now, calendar)
    return at, vn_day(at)


def _by_account(broker: Any, signals: list[BarSignal]) -> list[tuple[Any, list[BarSignal]]]:
    """A broker with one account per symbol (`account_for`) sizes each symbol against its own
    account, symbol by symbol; any other broker is one account for all signals."""
    account_for = getattr(broker, "account_for", None)
    if account_for is None:
        return [(broker, signals)]
    return [(account_for(s.symbol), [s]) for s in sorted(signals, key=lambda s: s.symbol)]


async def _ready(broker: Any, account: Any, group: list[BarSignal]) -> Any:
    """The account, brought up to date first when the broker updates accounts lazily (`account`)."""
    if account is broker or not hasattr(broker, "account"):
        return account
    return await broker.account(group[0].symbol)


@node("core:place_order", category=Category.ACTION, title="Place order", icon="shopping-cart",
      side_effects=True, stateful=True, outputs=OrdersOut)
async def place_order_node(
    ctx: RunContext, params: PlaceOrderParams, frame: Frame,
    buy: OptionalBool = None, sell: OptionalBool = None, atr: OptionalSeries = None,
) -> list[Order]:
    """Buys where `buy` is true and sells the sellable position where `sell` is true, on the
    current bar only. Sizes by fixed quantity, % of equity, target % position or ATR risk, capped by
    buying power, rounded down to the round lot; a daily signal trades the next session."""
    if buy is None and sell is None:
        raise QuantflowError("connect 'buy', 'sell' or both")
    if params.sizing == "atr_risk" and atr is None:
        raise QuantflowError("sizing 'atr_risk' needs the 'atr' input connected")
    return await _act(ctx, _rule(ctx, params), frame, buy, sell, atr)


def _rule(ctx: RunContext, params: PlaceOrderParams) -> SizingRule:
    """The params as a `SizingRule`, made once per params object (a session runs the node on
    every bar with the same params)."""
    state = ctx.node_state()
    known = state.get("_rule")
    if known is None or known[0] is not params:
        rule = SizingRule(params.sizing, params.quantity, params.percent, params.risk_percent,
                          params.atr_multiple, params.order_type, params.limit_offset_ticks, params.limit_at)
        known = state["_rule"] = (params, rule)
    return known[1]


@node("core:close_position", category=Category.ACTION, title="Close position", icon="log-out",
      side_effects=True, stateful=True, outputs=OrdersOut)
async def close_position_node(ctx: RunContext, params: CloseParams, frame: Frame, when: OptionalBool = None) -> list[Order]:
    """Sells the whole sellable position of each symbol where `when` is true (every symbol with a
    current bar when `when` is not connected)."""
    rule = SizingRule("quantity", 1, 100.0, 1.0, 1.0, params.order_type, params.limit_offset_ticks, params.limit_at)
    chosen = when if when is not None else {s: np.array([True]) for s in frame}
    held = {p.symbol for p in await _broker(ctx).position_reports()}
    chosen = {s: v for s, v in chosen.items() if s in held}
    return await _act(ctx, rule, frame, None, chosen, None, sell_all=True)


@node("core:cancel_orders", category=Category.ACTION, title="Cancel orders", icon="x-circle",
      side_effects=True, outputs=OrdersOut)
async def cancel_orders_node(ctx: RunContext, params: CancelParams, when: OptionalBool = None) -> list[Order]:
    """Cancels open orders (of one side, or both) of each symbol where `when` is true now
    (all symbols when `when` is not connected)."""
    broker = _broker(ctx)
    cancelled = []
    for order in await broker.order_reports():
        if order.is_terminal or order.status is OrderStatus.PENDING_CANCEL:
            continue
        if params.side != "any" and order.side is not Side(params.side):
            continue
        if when is not None and not _current(when, order.symbol):
            continue
        cancelled.append(await broker.cancel(order.client_order_id))
    return cancelled


NODE_TYPES = [place_order_node, close_position_node, cancel_orders_node]
