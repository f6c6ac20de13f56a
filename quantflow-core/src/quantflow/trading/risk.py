"""The risk engine: every order is checked here before any broker sees it, in every mode.

Checks run in a fixed order (the `RULES` table) and the first failure wins. A rejection carries a
`RejectReason` (a fixed enum, safe to switch on) and a message that tells a person what is wrong and,
where possible, what would be valid. Exchange rules come from `quantflow.market`; account limits from
`RiskLimits`. Order values: price x quantity for LO; orders without a price (MTL, ATO, ...) are valued
at the day's ceiling, the worst case for a buyer. Buying power must cover the value plus the fee.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from quantflow.domain.instrument import Exchange, Instrument
from quantflow.domain.money import format_vnd
from quantflow.domain.orders import OrderRequest, OrderType, Side
from quantflow.domain.portfolio import Account, Position
from quantflow.market.bands import PriceLimits
from quantflow.market.calendar import TradingCalendar
from quantflow.market.exchanges import EXCHANGE_SPECS, ExchangeSpec, spec_for
from quantflow.market.fees import FeeSchedule
from quantflow.market.sessions import Session, session_at
from quantflow.market.ticks import ladder


class RejectReason(StrEnum):
    TRADING_HALTED = "trading_halted"
    REDUCING_ONLY = "reducing_only"
    UNKNOWN_SYMBOL = "unknown_symbol"
    SYMBOL_MISMATCH = "symbol_mismatch"
    ORDER_TYPE_NOT_ALLOWED = "order_type_not_allowed"
    MARKET_CLOSED = "market_closed"
    ORDER_TYPE_NOT_ALLOWED_IN_SESSION = "order_type_not_allowed_in_session"
    INVALID_LOT_SIZE = "invalid_lot_size"
    QUANTITY_ABOVE_MAXIMUM = "quantity_above_maximum"
    ODD_LOT_RULE = "odd_lot_rule"
    PRICE_LIMITS_UNKNOWN = "price_limits_unknown"
    PRICE_OFF_TICK = "price_off_tick"
    PRICE_ABOVE_CEILING = "price_above_ceiling"
    PRICE_BELOW_FLOOR = "price_below_floor"
    MAX_ORDER_VALUE_EXCEEDED = "max_order_value_exceeded"
    INSUFFICIENT_BUYING_POWER = "insufficient_buying_power"
    INSUFFICIENT_SELLABLE_QUANTITY = "insufficient_sellable_quantity"
    MAX_POSITION_EXCEEDED = "max_position_exceeded"
    ORDER_RATE_EXCEEDED = "order_rate_exceeded"


class TradingState(StrEnum):
    """ACTIVE: anything the rules allow. REDUCING: only sells. HALTED: nothing."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class RiskLimits(BaseModel):
    """Account-level limits; None disables a limit. Quantities in shares, values in VND."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_position_quantity: int | None = Field(default=None, ge=0)
    max_position_by_symbol: dict[str, int] = Field(default_factory=dict)
    max_order_value: int | None = Field(default=None, ge=0)
    max_orders_per_minute: int | None = Field(default=None, ge=1)
    check_sessions: bool = Field(
        default=True, description="Off only for data without intraday times (daily-bar backtests)."
    )


@dataclass(frozen=True)
class RiskContext:
    """What the engine needs to know about the world at the moment of the order."""

    instrument: Instrument
    now: datetime
    account: Account
    position: Position | None = None
    price_limits: PriceLimits | None = None
    pending_buy_quantity: int = 0  # open buy orders' remaining shares in this symbol
    fees: FeeSchedule = FeeSchedule()
    calendar: TradingCalendar | None = None
    session: Session | None = None  # filled in by the engine
    orders_last_minute: int = 0  # filled in by the engine


@dataclass(frozen=True)
class RiskDecision:
    reason: RejectReason | None = None
    message: str = "accepted"

    @property
    def accepted(self) -> bool:
        return self.reason is None


Rule = Callable[[OrderRequest, RiskContext, RiskLimits, TradingState], RiskDecision | None]
ACCEPT = RiskDecision()


def _no(reason: RejectReason, message: str) -> RiskDecision:
    return RiskDecision(reason, message)


def _order_value(req: OrderRequest, ctx: RiskContext) -> int | None:
    price = req.price if req.price is not None else (ctx.price_limits.ceiling if ctx.price_limits else None)
    return None if price is None else price * req.quantity


def check_trading_state(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    if state is TradingState.HALTED:
        return _no(RejectReason.TRADING_HALTED, "trading is halted: no new orders are accepted")
    if state is TradingState.REDUCING and req.side is Side.BUY:
        return _no(RejectReason.REDUCING_ONLY, "trading is in reducing mode: only sells are accepted")
    return None


def check_symbol(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    if req.symbol != ctx.instrument.symbol:
        return _no(RejectReason.SYMBOL_MISMATCH, f"order is for {req.symbol} but the instrument is {ctx.instrument.symbol}")
    return None


def check_order_type(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    spec = _spec(ctx.instrument.exchange)
    if req.order_type not in spec.order_types:
        allowed = ", ".join(sorted(spec.order_types))
        return _no(RejectReason.ORDER_TYPE_NOT_ALLOWED, f"{spec.exchange} does not accept {req.order_type} orders; allowed: {allowed}")
    return None


def check_quantity(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    spec = _spec(ctx.instrument.exchange)
    lot = ctx.instrument.lot_size
    qty = req.quantity
    if qty <= spec.odd_lot_max:  # odd lot: 1..99
        if req.order_type not in spec.odd_lot_order_types:
            return _no(RejectReason.ODD_LOT_RULE, f"odd-lot orders ({qty} shares) on {spec.exchange} must be LO, not {req.order_type}")
        if lim.check_sessions and ctx.session not in spec.odd_lot_sessions:
            return _no(RejectReason.ODD_LOT_RULE, f"odd-lot orders on {spec.exchange} trade only in the continuous session (now: {ctx.session})")
        return None
    if qty % lot:
        down, up = qty - qty % lot, qty - qty % lot + lot
        return _no(RejectReason.INVALID_LOT_SIZE, f"quantity {qty:,} is neither a multiple of the {lot}-share round lot nor an odd lot of 1–{spec.odd_lot_max}; use {down:,} or {up:,}, or split into {down:,} + {qty % lot}")
    if spec.max_order_quantity is not None and qty > spec.max_order_quantity:
        return _no(RejectReason.QUANTITY_ABOVE_MAXIMUM, f"quantity {qty:,} exceeds {spec.exchange}'s maximum of {spec.max_order_quantity:,} shares per order")
    return None


def check_session(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    if not lim.check_sessions:
        return None
    spec = _spec(ctx.instrument.exchange)
    allowed = spec.order_types_by_session.get(ctx.session or Session.CLOSED, frozenset())
    if not allowed:
        return _no(RejectReason.MARKET_CLOSED, f"{spec.exchange} accepts no orders now (session: {ctx.session})")
    if req.order_type not in allowed:
        return _no(RejectReason.ORDER_TYPE_NOT_ALLOWED_IN_SESSION, f"{req.order_type} orders are not accepted in {spec.exchange}'s {ctx.session} session; allowed now: {', '.join(sorted(allowed))}")
    return None


def check_price(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    if ctx.price_limits is None:
        return _no(RejectReason.PRICE_LIMITS_UNKNOWN, f"today's reference/ceiling/floor for {req.symbol} are unknown, so the order cannot be checked")
    if req.price is None:
        return None
    price, grid, limits = req.price, ladder(ctx.instrument.tick_ladder_id), ctx.price_limits
    exchange = ctx.instrument.exchange
    if not grid.is_on_tick(price):
        return _no(RejectReason.PRICE_OFF_TICK, f"price {format_vnd(price)} is not on {exchange}'s {grid.describe_row(price)}; nearest valid: {format_vnd(grid.round_down(price))} or {format_vnd(grid.round_up(price))}")
    if price > limits.ceiling:
        return _no(RejectReason.PRICE_ABOVE_CEILING, f"price {format_vnd(price)} is above today's ceiling {format_vnd(limits.ceiling)} (reference {format_vnd(limits.reference)})")
    if price < limits.floor:
        return _no(RejectReason.PRICE_BELOW_FLOOR, f"price {format_vnd(price)} is below today's floor {format_vnd(limits.floor)} (reference {format_vnd(limits.reference)})")
    return None


def check_order_value(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    value = _order_value(req, ctx)
    if lim.max_order_value is not None and value is not None and value > lim.max_order_value:
        return _no(RejectReason.MAX_ORDER_VALUE_EXCEEDED, f"order value {format_vnd(value)} VND exceeds the limit of {format_vnd(lim.max_order_value)} VND")
    return None


def check_buying_power(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    if req.side is not Side.BUY:
        return None
    value = _order_value(req, ctx)
    assert value is not None  # check_price guarantees limits
    needed = value + ctx.fees.fee(value)
    if needed > ctx.account.buying_power:
        return _no(RejectReason.INSUFFICIENT_BUYING_POWER, f"buying {req.quantity:,} {req.symbol} needs {format_vnd(needed)} VND including fees, but buying power is {format_vnd(ctx.account.buying_power)} VND")
    return None


def check_sellable(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    if req.side is not Side.SELL:
        return None
    sellable = ctx.position.sellable_quantity if ctx.position else 0
    if req.quantity > sellable:
        held = ctx.position.quantity if ctx.position else 0
        return _no(RejectReason.INSUFFICIENT_SELLABLE_QUANTITY, f"selling {req.quantity:,} {req.symbol} but only {sellable:,} of {held:,} shares held are sellable (T+2 settlement and open sell orders)")
    return None


def check_position_limit(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    cap = lim.max_position_by_symbol.get(req.symbol, lim.max_position_quantity)
    if req.side is not Side.BUY or cap is None:
        return None
    after = (ctx.position.quantity if ctx.position else 0) + ctx.pending_buy_quantity + req.quantity
    if after > cap:
        return _no(RejectReason.MAX_POSITION_EXCEEDED, f"position in {req.symbol} would reach {after:,} shares (including open buys), above the limit of {cap:,}")
    return None


def check_rate(req: OrderRequest, ctx: RiskContext, lim: RiskLimits, state: TradingState) -> RiskDecision | None:
    if lim.max_orders_per_minute is not None and ctx.orders_last_minute >= lim.max_orders_per_minute:
        return _no(RejectReason.ORDER_RATE_EXCEEDED, f"{ctx.orders_last_minute} orders in the last minute; the limit is {lim.max_orders_per_minute} per minute")
    return None


#: The checks, in the order they run.
RULES: tuple[Rule, ...] = (
    check_trading_state, check_symbol, check_order_type, check_session, check_quantity,
    check_price, check_order_value, check_buying_power, check_sellable, check_position_limit,
    check_rate,
)


_DEFAULT_FEES = FeeSchedule()


def _spec(exchange: Exchange) -> ExchangeSpec:
    """`spec_for` for an instrument's (already validated) exchange, without converting it again."""
    found = EXCHANGE_SPECS.get(exchange)
    return found if found is not None else spec_for(exchange)


class RiskEngine:
    """Stateless rules plus two pieces of state: the trading state and recent order times (for the
    per-minute rate, measured on the orders' own timestamps, never the wall clock)."""

    def __init__(self, limits: RiskLimits | None = None, state: TradingState = TradingState.ACTIVE) -> None:
        self.limits = limits or RiskLimits()
        self.state = state
        self._recent: deque[datetime] = deque()
        self._active: tuple[RiskLimits, TradingState, bool, tuple[Rule, ...]] | None = None  # see `_rules`

    def set_state(self, state: TradingState) -> None:
        self.state = TradingState(state)

    def check(self, request: OrderRequest, ctx: RiskContext) -> RiskDecision:
        """Run every rule; on acceptance the order counts toward the rate limit."""
        session, recent = self._moment(ctx.instrument, ctx.now, ctx.calendar)
        return self._decide(request, replace(ctx, session=session, orders_last_minute=recent))

    def check_with(self, request: OrderRequest, *, instrument: Instrument, now: datetime, account: Account,
                   position: Position | None = None, price_limits: PriceLimits | None = None,
                   pending_buy_quantity: int = 0, fees: FeeSchedule = _DEFAULT_FEES,
                   calendar: TradingCalendar | None = None) -> RiskDecision:
        """`check` with the context given as its parts (the engine's fields filled in at once: a
        broker that builds the context for every order builds it once)."""
        session, recent = self._moment(instrument, now, calendar)
        ctx = object.__new__(RiskContext)  # every field given: the instance dict, without `__init__`
        ctx.__dict__.update(instrument=instrument, now=now, account=account, position=position,
                            price_limits=price_limits, pending_buy_quantity=pending_buy_quantity, fees=fees,
                            calendar=calendar, session=session, orders_last_minute=recent)
        return self._decide(request, ctx)

    def accepts_plainly(self, request: OrderRequest, *, instrument: Instrument, now: datetime,
                        price_limits: PriceLimits | None, buying_power: int, sellable: int, fees: FeeSchedule) -> bool:
        """True only where `check_with` would accept `request` (with `buying_power` in its account
        and `sellable` as its position's sellable quantity, 0 without one), decided without
        building a context: the active rules are the exchange's and the account's own (no account
        limit, no session check, trading active) and the order passes them plainly (a round lot).
        The acceptance is then counted as `check_with` counts it. False decides nothing: ask
        `check_with` (a property test holds the two together)."""
        if not self.lenient() or request.symbol != instrument.symbol or not passes_plainly(
                request.side, request.order_type, request.quantity, request.price, instrument, price_limits,
                buying_power, sellable, fees):
            return False
        self._moment(instrument, now, None)  # (no session check when lenient: no calendar needed)
        self._recent.append(now)
        return True

    def reads_position(self, request: OrderRequest) -> bool:
        """Whether a rule reads the context's position or pending buys for `request`: a sell
        (sellable quantity) or a buy under a position cap. A caller that builds the context may
        leave them out otherwise: the decision is the same."""
        if request.side is not Side.BUY:
            return True
        limits = self.limits
        return limits.max_position_by_symbol.get(request.symbol, limits.max_position_quantity) is not None

    def _moment(self, instrument: Instrument, now: datetime, calendar: TradingCalendar | None) -> tuple[Session | None, int]:
        """The session at `now` (when sessions are checked) and the orders accepted in the minute before."""
        window_start = now - _MINUTE
        while self._recent and self._recent[0] <= window_start:
            self._recent.popleft()
        session = _session_at(instrument.exchange, now, calendar) if self.limits.check_sessions else None
        return session, len(self._recent)

    def _rules(self) -> tuple[Rule, ...]:
        """`RULES` without those that cannot fire under the current limits and state (a limit not
        configured, an active state): the same first failure, fewer calls. Worked out again
        whenever `limits` or `state` is replaced."""
        limits, state = self.limits, self.state
        capped = bool(limits.max_position_by_symbol)  # (a dict: it could gain entries in place)
        cached = self._active
        if cached is not None and cached[0] is limits and cached[1] is state and cached[2] is capped:
            return cached[3]
        active = active_rules(limits, state)
        self._active = (limits, state, capped, active)
        return active

    def lenient(self) -> bool:
        """Whether the active rules are exactly `_PLAIN_RULES` (what `passes_plainly` checks): else
        `accepts_plainly` is always False, and a caller need not work out its arguments."""
        return self._rules() == _PLAIN_RULES

    def _decide(self, request: OrderRequest, ctx: RiskContext) -> RiskDecision:
        limits, state = self.limits, self.state
        for rule in self._rules():
            decision = rule(request, ctx, limits, state)
            if decision is not None:
                return decision
        self._recent.append(ctx.now)
        return ACCEPT


#: The rules active without account limits, session checks or a trading state other than active.
_PLAIN_RULES = (check_symbol, check_order_type, check_quantity, check_price, check_buying_power, check_sellable)


def active_rules(limits: RiskLimits, state: TradingState) -> tuple[Rule, ...]:
    """`RULES` without those that cannot fire under these limits and state (a limit not
    configured, an active state): the same first failure, fewer calls."""
    idle: set[Rule] = set()
    if state is TradingState.ACTIVE:
        idle.add(check_trading_state)
    if not limits.check_sessions:
        idle.add(check_session)
    if limits.max_order_value is None:
        idle.add(check_order_value)
    if limits.max_position_quantity is None and not limits.max_position_by_symbol:
        idle.add(check_position_limit)
    if limits.max_orders_per_minute is None:
        idle.add(check_rate)
    return tuple(rule for rule in RULES if rule not in idle)


def only_plain_rules(limits: RiskLimits, state: TradingState) -> bool:
    """Whether only the exchange's and the account's own rules can refuse an order under these
    limits and state (no account limit, no session check, trading active): what `passes_plainly`
    decides, for simulators that skip the engine when it says yes."""
    return active_rules(limits, state) == _PLAIN_RULES


def passes_plainly(side: Side, order_type: OrderType, quantity: int, price: int | None, instrument: Instrument,
                   limits: PriceLimits | None, buying_power: int, sellable: int, fees: FeeSchedule) -> bool:
    """True only for a round-lot order of `instrument` that `_PLAIN_RULES` all pass (an odd lot:
    False, the rules decide), with `buying_power` in the account and `sellable` shares: the same
    comparisons as the rules, in their order, in one pass. Property-tested against the engine."""
    spec = _spec(instrument.exchange)
    if order_type not in spec.order_types:
        return False
    if quantity <= spec.odd_lot_max or quantity % instrument.lot_size:
        return False
    if (spec.max_order_quantity is not None and quantity > spec.max_order_quantity) or limits is None:
        return False
    if price is not None and not (ladder(instrument.tick_ladder_id).is_on_tick(price)
                                  and limits.floor <= price <= limits.ceiling):
        return False
    if side is Side.BUY:
        value = (price if price is not None else limits.ceiling) * quantity
        return value + fees.fee(value) <= buying_power
    return quantity <= sellable


_MINUTE = timedelta(minutes=1)
# `check_with` fills these by name, without `__init__`: keep it in step with the declaration.
assert [f.name for f in fields(RiskContext)] == ["instrument", "now", "account", "position", "price_limits",
                                                 "pending_buy_quantity", "fees", "calendar", "session",
                                                 "orders_last_minute"]


@lru_cache(maxsize=4096)
def _session_at(exchange: Exchange, when: datetime, calendar: TradingCalendar | None) -> Session:
    """`session_at`, remembered: every order of a backtest session is checked at the same instant
    (a calendar's days and the exchanges' timetables never change)."""
    return session_at(exchange, when, calendar)
