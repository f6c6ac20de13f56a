"""Per-symbol accounts in lockstep: the j-th firing bar of every symbol at once, as numpy arrays.

With one account per symbol the symbols never interact, and a simple strategy's life is a short
cycle per firing bar: decide one order, match it on the next bar, book the fill. This module runs
that cycle for all symbols together (one numpy step per firing bar index, not one Python call per
symbol and event), for the common case only: one `core:place_order` node sizing by
`percent_equity` or `quantity`, LO orders at the band edge or ATO/ATC orders, risk limits without
account caps. Of the risk engine's refusals it records the one decided before any rule reads the
account: a round-lot order above the exchange's maximum. The arithmetic is the shared rules'
(`rules.buy_quantity` / `affordable`, the fee schedule's ceilings, `matching`'s bar prices and
volume budget, `PaperPortfolio`'s average cost and T+2), restated on integer arrays; bands come
from `market.bands.bands_from_closes` (the scalar rule, for arrays) and order and settlement days
from the calendar's table.

A symbol whose history leaves that common case at any point (an order the risk engine must judge,
a bar on a day the calendar does not trade or a signal on one it cannot place, more unsettled buys
than kept, numbers too large for int64 arithmetic: `REASONS`) is handed back whole: the caller simulates it with the
event loop (`fast._Run.run_symbol`), which handles everything. A differential test holds this
module equal to that loop on random histories and signals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from itertools import repeat
from typing import Any, cast

import numpy as np

from quantflow.backtest import rules
from quantflow.backtest.decide import SizingRule
from quantflow.backtest.results import VALUE, FillRecord, OrderRecord, fill_rows, order_rows
from quantflow.backtest.trades import FillColumns
from quantflow.domain.instrument import Exchange, Instrument
from quantflow.domain.orders import OrderRequest, OrderStatus, OrderType, Side
from quantflow.market.bands import bands_from_closes
from quantflow.market.exchanges import spec_for
from quantflow.market.fees import FeeSchedule, rate_ratio
from quantflow.trading.risk import RejectReason, RiskLimits, TradingState, only_plain_rules

_BAND_TYPES = {OrderType.LO, OrderType.ATO, OrderType.ATC}
_LIMIT = 2**45  # money and share values stay below this, so products with small ratios fit int64
_RATIO = 2**17  # numerators and denominators of the rates, percent and participation
_SLOTS = 4  # unsettled buy lots kept per symbol (T+2: at most a few are ever unsettled)
S = OrderStatus
_STATUSES = tuple(VALUE[x] for x in (S.NEW, S.PARTIALLY_FILLED, S.FILLED, S.EXPIRED, S.REJECTED))
_NEW, _PARTIAL, _FILLED, _EXPIRED, _REJECTED = range(5)
_OVER_MAXIMUM = RejectReason.QUANTITY_ABOVE_MAXIMUM.value
#: why a symbol is handed back to the event loop (the first reason met)
REASONS = ("", "an order the risk engine must judge", "numbers beyond int64-safe arithmetic",
           "a bar off the calendar, breaking the bar rules or without a price, or an order day or settlement "
           "day beyond the calendar", "more unsettled buys than kept")


def eligible(rule: SizingRule, order_type: OrderType, fees: FeeSchedule, participation: Any, risk: RiskLimits,
             instruments: Sequence[Instrument]) -> bool:
    """Whether a per-symbol run with this one place_order node is the common case handled here."""
    if rule.sizing not in ("percent_equity", "quantity") or order_type not in _BAND_TYPES:
        return False
    if order_type is OrderType.LO and rule.limit_at != "band":
        return False
    if not only_plain_rules(risk, TradingState.ACTIVE) or any(i.listing_date is not None for i in instruments):
        return False
    numbers = [*rate_ratio(fees.fee_rate), *rate_ratio(fees.sell_tax_rate), *participation.as_integer_ratio(),
               *rules._percent_ratio(rule.percent)]
    return all(0 <= n < _RATIO for n in numbers) and 0 <= rule.quantity < _LIMIT


@dataclass
class Outcome:
    """What the lockstep run produced, for the symbols it kept (all but `handed_back`)."""

    orders: list[OrderRecord] = field(default_factory=list)  # by session, then row
    order_keys: tuple[list[int], list[int]] = field(default_factory=lambda: ([], []))  # each order's session, market row
    fills: list[FillRecord] = field(default_factory=list)  # by the session they fill on, then row
    fill_keys: tuple[list[int], list[int]] = field(default_factory=lambda: ([], []))  # each fill's session, market row
    fill_table: FillColumns | None = None  # the fills as the result's trades and metrics read them
    #: the fills as columns, for the equity curve: session, row, cash flow, signed quantity
    fill_columns: tuple[np.ndarray, ...] = (np.zeros(0, np.int64),) * 4
    holdings: dict[int, tuple[int, int]] = field(default_factory=dict)  # row -> (quantity, cost basis), held only
    handed_back: dict[int, str] = field(default_factory=dict)  # row -> why (`REASONS`)


@dataclass(frozen=True, slots=True)
class Symbol:
    row: int  # its row in the market arrays
    symbol: str
    instrument: Instrument


@dataclass(frozen=True, slots=True)
class Market:
    """What the simulation reads of the market, for all symbols (rows) and sessions (columns)."""

    index: np.ndarray  # bar index of each symbol's bar at each session, -1 for none
    closes: Callable[[np.ndarray, np.ndarray], np.ndarray]  # the close of each symbol's bar at each session given
    days: np.ndarray  # the sessions (datetime64[D])
    broker_columns: Callable[[np.ndarray, np.ndarray], np.ndarray]  # bars as the broker reads them (`History`)
    offsets: np.ndarray  # where each row's bars start in the panel (n + 1 entries)
    order_day: np.ndarray  # the session an order decided at each session trades in (`date.toordinal()`)
    settles: np.ndarray  # when what is bought on that session settles (`date.toordinal()`; 0: unknown)
    fires: np.ndarray  # where the node has something to decide
    buy: np.ndarray | None  # the node's flags
    sell: np.ndarray | None


def simulate(symbols: list[Symbol], market: Market, node_id: str, rule: SizingRule, order_type: OrderType,
             fees: FeeSchedule, participation: Any, initial_cash: int, timeline: Sequence[date]) -> Outcome:
    """Run every symbol's own account over its firing bars, all symbols one step at a time."""
    out = Outcome()
    if not symbols:
        return out
    ev = _Events(symbols, market)
    n, width = ev.mask.shape
    odd_close = ev.mask & ((ev.close <= 0) | (ev.close >= 1 << 40))  # not a price: the loop judges it
    limits = _Bands(symbols, ev, ev.mask & ~odd_close)
    fnum, fden = rate_ratio(fees.fee_rate)
    tnum, tden = rate_ratio(fees.sell_tax_rate)
    pnum, pden = participation.as_integer_ratio()
    snum, sden = rules._percent_ratio(rule.percent)
    lot = np.array([s.instrument.lot_size for s in symbols], dtype=np.int64)
    specs = [spec_for(s.instrument.exchange) for s in symbols]
    # Every order planned below is a whole number of lots, a buy within buying power at the
    # ceiling (its reserve price) and a sell within the sellable shares: of `risk.passes_plainly`
    # only the order type, the odd-lot bound and the exchange's maximum can fail. `plain`: the
    # first two pass for every order of the row (a lot above the odd-lot bound).
    plain = np.array([order_type in sp.order_types for sp in specs]) & (lot > [sp.odd_lot_max for sp in specs])
    max_q = np.array([sp.max_order_quantity if sp.max_order_quantity is not None else _LIMIT for sp in specs], dtype=np.int64)
    cash = np.full(n, initial_cash, dtype=np.int64)
    held = np.zeros(n, dtype=np.int64)
    cost = np.zeros(n, dtype=np.int64)
    lot_day = np.zeros((n, _SLOTS), dtype=np.int64)  # settlement day ordinal of an unsettled buy, 0: free
    lot_qty = np.zeros((n, _SLOTS), dtype=np.int64)
    # an LO order from the previous firing bar, still working when the symbol fires on its session
    # bar (it expires on the next bar): the cash it reserves, or the shares it holds for sale
    work_cash = np.zeros(n, dtype=np.int64)
    work_shares = np.zeros(n, dtype=np.int64)
    gone = np.zeros(n, dtype=np.int8)  # handed back to the event loop: the index of the reason
    gone[(odd_close | (ev.mask & (ev.order_day == 0))).any(axis=1)] = 3  # no price; an order day the calendar cannot tell
    log = _Log()

    # what does not depend on the accounts, for every firing bar at once (sessions x symbols)
    band_ok = limits.ok
    o, h, low, c, v = (ev.bars[..., f] for f in range(5))
    exists = ev.next_bar >= 0
    on_session = exists & (ev.next_day == ev.order_day)  # the next bar is the order's session
    odd_bar = exists & ((ev.next_day < ev.order_day) | (on_session & ~ev.next_valid))
    if order_type is OrderType.LO:  # `matching.bar_price` for an LO at the band edge
        px_buy = np.where(low <= limits.ceiling, np.minimum(limits.ceiling, o), 0)
        px_sell = np.where(h >= limits.floor, np.maximum(limits.floor, o), 0)
    else:  # the auction prices
        px_buy = px_sell = o if order_type is OrderType.ATO else c
    budget = v * pnum // pden  # `matching.volume_budget`
    lots_budget = budget - budget % lot[:, None]
    closes = np.where(odd_close, 1, ev.close)  # >= 1: a row with an odd close is gone from the start
    static = {name: np.ascontiguousarray(a.T) for name, a in {
        "mask": ev.mask, "day": ev.order_day, "buy": ev.buy & band_ok, "sell": ev.sell & band_ok, "close": closes,
        "ceiling": limits.ceiling, "session": on_session, "odd_bar": odd_bar, "refer": odd_bar | ~plain[:, None],
        "px_buy": px_buy, "px_sell": px_sell, "lots_budget": lots_budget, "volume_big": v >= _LIMIT,
        "settles": ev.settles, "fires_next": ev.fires_next}.items()}
    # per step, bounds that let the overflow checks below skip their per-row tests (Python ints)
    top_close = static["close"].max(axis=1, initial=1).tolist()
    top_px = np.maximum(static["px_buy"], static["px_sell"]).max(axis=1, initial=0).tolist()
    any_volume_big = cast(list[bool], static["volume_big"].any(axis=1).tolist())

    # One step per firing bar index j, over all rows at once; a row without a j-th firing bar, or
    # handed back, is inactive: it places nothing, so its account does not change (once inactive
    # for want of firing bars, a row stays so, and a handed-back row's state is never read again).
    # Quantities, holdings and prices are >= 0; cash can dip below 0 (an auction fill above the
    # ceiling, or a sell whose rounded costs exceed its value), hence the overflow gate's -cash.min().
    for j in range(width):
        at = {name: a[j] for name, a in static.items()}
        active = at["mask"] & (gone == 0)
        if not active.any():
            continue
        day, close, ceiling = at["day"], at["close"], at["ceiling"]  # ceiling >= 1 (`_Bands`)
        sell, buy = at["sell"] & active, at["buy"] & active
        unsettled = np.where(lot_day > day[:, None], lot_qty, 0).sum(axis=1)
        sellable = np.maximum(held - unsettled - work_shares, 0)
        # the sell phase of `plan_one` (no target rebalancing in this case)
        q_sell = sellable if rule.sizing != "quantity" else np.minimum(sellable, rule.quantity)
        q_sell = np.where(sell, q_sell - q_sell % lot, 0)
        # the buy phase: `rules.buy_quantity` and `rules.affordable`, on arrays; an LO at the band
        # edge is priced at the ceiling, other types are valued there (the reserve price)
        equity = cash + held * close
        if rule.sizing == "percent_equity":
            wanted = equity * snum // (sden * 100 * close)
        else:
            wanted = np.full(n, rule.quantity, dtype=np.int64)
        wanted -= wanted % lot
        bp = cash - work_cash
        work_cash[active], work_shares[active] = 0, 0  # read once: that order expires on the next bar
        wants_buy = buy & ~sell & (bp < _LIMIT)  # beyond: `big` below, and bp x fden would not fit
        afford = np.where(wants_buy, np.maximum(bp, 0) * fden // (ceiling * (fden + fnum)), 0)
        afford -= afford % lot
        while True:
            value = ceiling * afford
            over = (afford > 0) & (value - (-value * fnum // fden) > bp)
            if not over.any():
                break
            afford -= np.where(over, lot, 0)
        q_buy = np.minimum(wanted, afford)
        side_buy = q_buy > 0
        quantity = np.where(side_buy, q_buy, q_sell)
        placed = quantity > 0
        if max(cash.max(), -cash.min()) >= _LIMIT // 4 or int(held.max()) * top_close[j] >= _LIMIT // 4:  # all rows: cheaper
            held_value = held * close.astype(float)  # in floats: no wrap-around
            big = active & ((held_value >= _LIMIT) | (np.abs(equity) >= _LIMIT) | (bp >= _LIMIT)
                            | (ceiling * afford >= _LIMIT) | (held >= _LIMIT))
        else:  # cash, holdings' value, equity, buying power, order values and shares all stay below _LIMIT
            big = None
        # the one refusal decided here: a valid round-lot order above the exchange's maximum fails
        # the risk engine's quantity rule before any rule that reads the account
        over_max = placed & (quantity > max_q)
        refer = placed & at["refer"] if big is None else placed & at["refer"] | big  # big: placed or not
        if refer.any():
            gone[placed & at["odd_bar"]] = 3
            gone[placed & ~plain] = 1  # an order the risk engine must judge
            if big is not None:
                gone[big] = 2
            placed &= ~refer
        if not placed.any():
            continue
        in_session = at["session"]
        px = np.where(side_buy, at["px_buy"], at["px_sell"])
        filled = np.where(placed & ~over_max & in_session & (px > 0), np.minimum(quantity, at["lots_budget"]), 0)
        huge = None  # the fill's value or the bar's volume beyond int64-safe arithmetic
        if any_volume_big[j] or top_px[j] * int(filled.max()) >= _LIMIT:
            huge = placed & ((px * filled.astype(float) >= _LIMIT) | at["volume_big"])
        if huge is not None and huge.any():
            gone[huge] = 2
            filled[huge] = 0
            placed &= ~huge
        notional = px * filled
        fee = -(-notional * fnum // fden)
        tax = np.where(side_buy, 0, -(-notional * tnum // tden))
        cash += np.where(side_buy, -notional, notional) - fee - tax  # 0 where nothing filled
        bought, sold = (filled > 0) & side_buy, (filled > 0) & ~side_buy
        if bought.any():  # `PaperPortfolio.apply_fill`: shares, cost (with the fee), a T+2 lot
            pb, fb = np.flatnonzero(bought), filled[bought]
            held[pb] += fb
            cost[pb] += notional[bought] + fee[bought]
            lots = lot_day[pb]
            lots = np.where(lots <= day[pb][:, None], 0, lots)  # settled by now: never counted again
            free = lots == 0
            settles = at["settles"][pb]  # filled on the order's session
            room = free.any(axis=1) & (settles > 0)
            slot = free.argmax(axis=1)
            gone[pb[~room]] = np.where(settles[~room] > 0, 4, 3)
            lots[np.arange(len(pb))[room], slot[room]] = settles[room]
            lot_day[pb] = lots
            lot_qty[pb[room], slot[room]] = fb[room]
        if sold.any():  # shares, and the cost in proportion, rounded half-even (`PaperPortfolio`)
            ps = np.flatnonzero(sold)
            before = held[ps]
            remaining = before - filled[ps]
            product = cost[ps] * remaining
            exact = cost[ps].astype(float) * remaining < 2.0**62
            quotient, rest = np.divmod(product, np.maximum(before, 1))
            rounded = quotient + ((2 * rest > before) | ((2 * rest == before) & (quotient % 2 == 1)))
            new_cost = np.where(remaining == 0, 0, rounded)
            if not exact.all():
                for x in np.flatnonzero(~exact & (remaining > 0)).tolist():  # beyond int64: exactly, in Python
                    new_cost[x] = round(Fraction(int(cost[ps[x]]) * int(remaining[x]), int(before[x])))
            cost[ps], held[ps] = new_cost, remaining
            lot_day[ps[remaining == 0]] = 0  # a position sold out is gone, with its lots
        # an LO not filled whole on its session bar is still working on the symbol's next bar: if
        # the symbol fires again there, that decision sees it (`work_cash` / `work_shares`)
        if order_type is OrderType.LO:
            working = placed & ~over_max & (filled < quantity) & in_session & at["fires_next"]
            if working.any():
                left = quantity - filled
                reserve = ceiling * left  # `SimBroker.reserved`: an LO buy reserves its limit, the ceiling here
                work_cash = np.where(working & side_buy, reserve + -(-reserve * fnum // fden), 0)
                work_shares = np.where(working & ~side_buy, left, 0)
        log.step(j, placed, side_buy, quantity, filled, notional, fee, tax)

    for i, s in enumerate(symbols):
        if gone[i]:
            out.handed_back[s.row] = REASONS[gone[i]]
        elif held[i]:
            out.holdings[s.row] = (int(held[i]), int(cost[i]))
    if not log.steps:
        return out
    r, step, buy, quantity, filled, notional, fee, tax = log.orders(gone)  # each order's row and firing bar index
    # statuses: filled, part-filled or not; a closing-auction type expires after its bar, an LO
    # still working after its session bar expires on the symbol's next bar (if it has one)
    after: np.ndarray | int
    if order_type is OrderType.LO:
        after = np.where(ev.following[r, step], _EXPIRED, np.where(filled > 0, _PARTIAL, _NEW))
    else:
        after = _EXPIRED
    status = np.where(filled == quantity, _FILLED, np.where(on_session[r, step], after, np.where(exists[r, step], _EXPIRED, _NEW)))
    status[quantity > max_q[r]] = _REJECTED
    _records(out, symbols, (r, step, buy, quantity, status, filled, notional, fee, tax), ev, limits, node_id, order_type,
             timeline)
    return out


def _records(out: Outcome, symbols: list[Symbol], orders: tuple[np.ndarray, ...], ev: _Events, limits: _Bands,
             node_id: str, order_type: OrderType, timeline: Sequence[date]) -> None:
    """The kept symbols' orders (row, firing bar index, side, quantity, status, filled, notional,
    fee, tax) and fills, as the event loop would have recorded them."""
    r, j = orders[:2]
    keep = np.lexsort((r, ev.k[r, j]))  # by session, then row
    r, j, buy, quantity, status, filled, notional, fee, tax = (c[keep] for c in orders)
    fill_k = np.where(filled > 0, ev.next_k[r, j], -1)
    session = ev.k[r, j]
    market_row = np.array([s.row for s in symbols], dtype=np.int64)[r]
    made = filled > 0
    out.fill_columns = (fill_k[made], market_row[made], np.where(buy, -(notional + fee + tax), notional - fee - tax)[made],
                        np.where(buy, filled, -filled)[made])
    # the orders, column by column (an object array picks each row's value without a Python loop), then a row each
    _, first, inverse = np.unique(session, return_index=True, return_inverse=True)
    days = (ev.order_day[r[first], j[first]] - rules.EPOCH_ORDINAL).astype("datetime64[D]")  # each session's order day
    times = _objects([rules.session_start(day) for day in days.tolist()])[inverse]  # orders go live at its start
    stamps = _objects(rules.session_stamps(days))
    side = buy.view(np.int8)  # 1: buy, 0: sell
    prefixes = _objects([rules.order_id_prefix(node_id, s.symbol) for s in symbols])
    ids = prefixes[r] + stamps[inverse] + _objects([".s", ".b"])[side]  # `rules.client_order_id`
    names = _objects([s.symbol for s in symbols])[r]
    sides = _objects([VALUE[Side.SELL], VALUE[Side.BUY]])[side]
    priced = order_type is OrderType.LO
    prices = np.where(buy, limits.ceiling[r, j], limits.floor[r, j]).tolist() if priced else [None] * len(r)
    quantities = quantity.tolist()
    for x in np.unique(r, return_index=True)[1].tolist():  # each symbol's first order, checked as the loop does
        assert ids[x] == rules.client_order_id(node_id, names[x], times[x], sides[x])
        OrderRequest(client_order_id=ids[x], symbol=names[x], side=Side(sides[x]), order_type=order_type,
                     quantity=quantities[x], price=prices[x], created_at=times[x])
    filled_o, fee_o, tax_o = filled.astype(object), fee.astype(object), tax.astype(object)  # one int each, for both rows
    out.orders = order_rows(zip(ids.tolist(), names.tolist(), sides.tolist(), repeat(VALUE[order_type]), quantities,
                                prices, times.tolist(), _objects(_STATUSES)[status].tolist(), filled_o.tolist(),
                                notional.tolist(), fee_o.tolist(), tax_o.tolist(),
                                _objects([None, _OVER_MAXIMUM])[(status == _REJECTED).view(np.int8)].tolist()))
    out.order_keys = (session.tolist(), market_row.tolist())
    # the fills, by the session they fill on (here one fill per symbol and session)
    f = np.flatnonzero(made)
    f = f[np.lexsort((r[f], fill_k[f]))]
    days = _objects(timeline)[fill_k[f]].tolist()
    out.fills = fill_rows(zip(ids[f].tolist(), names[f].tolist(), sides[f].tolist(), filled_o[f].tolist(),
                              (notional[f] // filled[f]).tolist(), fee_o[f].tolist(), tax_o[f].tolist(), days, strict=True))
    out.fill_keys = (fill_k[f].tolist(), market_row[f].tolist())
    out.fill_table = FillColumns.checked(tuple(s.symbol for s in symbols), r[f], buy[f], filled[f], notional[f], fee[f], tax[f],
                                         days)


def _objects(values: Sequence[Any]) -> np.ndarray:
    """`values` as a one-dimensional object array: indexing it picks the Python objects in C."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


class _Log:
    """The orders each step placed: their rows, step and values (side as 1 / 0, quantity, filled,
    notional, fee, tax), stacked once at the end."""

    def __init__(self) -> None:
        self.steps: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.values: list[np.ndarray] = []

    def step(self, j: int, placed: np.ndarray, *values: np.ndarray) -> None:
        rows = np.flatnonzero(placed)
        self.steps.append(np.full(len(rows), j))
        self.rows.append(rows)
        self.values.append(np.stack(values)[:, rows])  # int64: the side's bools become 1 / 0

    def orders(self, gone: np.ndarray) -> list[np.ndarray]:
        """The orders of the rows not handed back: row, firing bar index, buy (bool) and the values,
        by step then row."""
        r = np.concatenate(self.rows)
        keep = gone[r] == 0
        side, *values = np.concatenate(self.values, axis=1)[:, keep]
        return [r[keep], np.concatenate(self.steps)[keep], side == 1, *values]


class _Events:
    """Per symbol (rows) and firing bar (columns): where it is, its flags and close, the order's
    session, and the symbol's next bar (the one the order trades on)."""

    def __init__(self, symbols: list[Symbol], market: Market) -> None:
        rows = np.array([s.row for s in symbols], dtype=np.int64)
        rr, kk = np.nonzero(market.fires[rows])  # symbol by symbol, sessions ascending
        counts = np.bincount(rr, minlength=len(rows))
        shape = (len(rows), int(counts.max(initial=0)))
        jj = np.arange(len(rr)) - np.repeat(np.cumsum(counts) - counts, counts)
        at = (rr, jj)
        row = rows[rr]
        i = market.index[row, kk]  # each firing bar's index in its symbol's bars
        bars = market.offsets[row + 1] - market.offsets[row]
        nxt = i + 1
        exists = nxt < bars
        whole = market.broker_columns(row, np.minimum(nxt, bars - 1)).T
        first = int(market.days[0].astype(np.int64)) + rules.EPOCH_ORDINAL
        on_grid = np.full(int(market.days[-1].astype(np.int64)) + rules.EPOCH_ORDINAL - first + 1, 0, dtype=np.int64)
        on_grid[market.days.astype(np.int64) + rules.EPOCH_ORDINAL - first] = np.arange(len(market.days))
        again = np.zeros(len(rr), dtype=bool)  # the symbol fires again on the next bar
        again[:-1] = (rr[1:] == rr[:-1]) & (i[1:] == i[:-1] + 1)

        def put(values: Any, dtype: Any, empty: Any = 0) -> np.ndarray:
            out = np.full(shape, empty, dtype=dtype)
            out[at] = values
            return out

        self.mask = put(True, bool, False)
        self.k = put(kk, np.int64)
        self.buy = put(False if market.buy is None else market.buy[row, kk], bool, False)
        self.sell = put(False if market.sell is None else market.sell[row, kk], bool, False)
        self.close = put(market.closes(row, kk), np.int64, 1)
        self.order_day = put(market.order_day[kk], np.int64)
        self.settles = put(market.settles[kk], np.int64)
        self.next_bar = put(np.where(exists, nxt, -1), np.int64, -1)
        self.next_day = put(np.where(exists, whole[:, 5], 0), np.int64)
        self.next_k = put(np.where(exists, on_grid[np.clip(whole[:, 5] - first, 0, len(on_grid) - 1)], 0), np.int64)
        self.next_valid = put(exists & (whole[:, 6] == 1), bool, False)
        self.fires_next = put(again, bool, False)
        self.following = put(i + 2 < bars, bool, False)  # the symbol has a bar after the next one
        self.bars = np.zeros((*shape, 5), dtype=np.int64)  # the next bar's open, high, low, close, volume
        self.bars[at] = np.where(exists[:, None], whole[:, :5], 0)


class _Bands:
    """The price band of every firing bar's order session (`rules.limits_for`, for all of them at
    once per kind of instrument): whether there is one, its ceiling and floor. Orders here are
    priced at the band's edges, which `price_limits` rounds onto the tick grid (a ladder's row
    boundaries are multiples of all its ticks; tests/market/test_market_bands.py), so the risk
    engine's tick check passes by construction and is not repeated per order."""

    def __init__(self, symbols: list[Symbol], ev: _Events, at: np.ndarray) -> None:
        shape = ev.mask.shape
        self.ok = np.zeros(shape, dtype=bool)
        self.ceiling = np.ones(shape, dtype=np.int64)
        self.floor = np.ones(shape, dtype=np.int64)
        kinds: dict[tuple[str, Exchange], list[int]] = {}  # no listing date here: every band is a daily one
        for r, s in enumerate(symbols):
            kinds.setdefault((s.instrument.tick_ladder_id, s.instrument.exchange), []).append(r)
        for (ladder_id, exchange), rows in kinds.items():
            cells = np.zeros(shape, dtype=bool)
            cells[rows] = at[rows]
            band = bands_from_closes(exchange, ladder_id, ev.close[cells])
            self.ok[cells] = band.ok
            self.ceiling[cells] = np.where(band.ok, band.ceiling, 1)
            self.floor[cells] = np.where(band.ok, band.floor, 1)
