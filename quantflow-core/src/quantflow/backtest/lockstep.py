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
an order still working when the symbol fires again, a bar on a day the calendar does not trade,
numbers too large for int64 arithmetic, ...) is handed back whole: the caller simulates it with the
event loop (`fast._Run.run_symbol`), which handles everything. A differential test holds this
module equal to that loop on random histories and signals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from itertools import repeat
from typing import Any

import numpy as np

from quantflow.backtest import rules
from quantflow.backtest.decide import SizingRule
from quantflow.backtest.results import VALUE, FillRecord, OrderRecord, fill_row, order_row
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
           "a bar off the calendar, breaking the bar rules or without a price", "more unsettled buys than kept")


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

    orders: list[tuple[int, int, OrderRecord]] = field(default_factory=list)  # (session, row, order), in that order
    fills: list[tuple[int, int, FillRecord]] = field(default_factory=list)  # (session, row, fill), in that order
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
    close: np.ndarray  # the close the node sees at each session
    days: np.ndarray  # the sessions (datetime64[D])
    broker_columns: Callable[[np.ndarray, np.ndarray], np.ndarray]  # bars as the broker reads them (`History`)
    offsets: np.ndarray  # where each row's bars start in the panel (n + 1 entries)
    order_day: np.ndarray  # the session an order decided at each session trades in (`date.toordinal()`)
    settles: np.ndarray  # when what is bought on that session settles (`date.toordinal()`; 0: unknown)
    fires: np.ndarray  # where the node has something to decide
    buy: np.ndarray | None  # the node's flags
    sell: np.ndarray | None


def simulate(symbols: list[Symbol], market: Market, node_id: str, rule: SizingRule, order_type: OrderType,
             fees: FeeSchedule, participation: Any, initial_cash: int, timeline: Sequence[date],
             when: Callable[[int], tuple[datetime, date]]) -> Outcome:
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
    type_ok = np.array([order_type in sp.order_types for sp in specs])
    odd_max = np.array([sp.odd_lot_max for sp in specs], dtype=np.int64)
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
    gone[odd_close.any(axis=1)] = 3
    log: list[tuple[np.ndarray, ...]] = []  # per step: the orders placed (row, step, side, ..., fill session)

    # what does not depend on the accounts, for every firing bar at once (sessions x symbols)
    band_ok = limits.ok
    o, h, low, c, v = (ev.bars[..., f] for f in range(5))
    exists = ev.next_bar >= 0
    session = exists & (ev.next_day == ev.order_day)  # the next bar is the order's session
    odd_bar = exists & ((ev.next_day < ev.order_day) | (session & ~ev.next_valid))
    if order_type is OrderType.LO:  # `matching.bar_price` for an LO at the band edge
        px_buy = np.where(low <= limits.ceiling, np.minimum(limits.ceiling, o), 0)
        px_sell = np.where(h >= limits.floor, np.maximum(limits.floor, o), 0)
    else:  # the auction prices
        px_buy = px_sell = o if order_type is OrderType.ATO else c
    budget = v * pnum // pden  # `matching.volume_budget`
    lots_budget = budget - budget % lot[:, None]
    static = {name: np.ascontiguousarray(a.T) for name, a in {
        "mask": ev.mask, "day": ev.order_day, "buy": ev.buy & band_ok, "sell": ev.sell & band_ok, "close": ev.close,
        "ceiling": limits.ceiling, "floor": limits.floor, "exists": exists, "session": session, "odd_bar": odd_bar,
        "px_buy": px_buy, "px_sell": px_sell, "lots_budget": lots_budget, "volume_big": v >= _LIMIT,
        "following": ev.following, "settles": ev.settles, "fires_next": ev.fires_next, "next_k": ev.next_k}.items()}

    for j in range(width):
        at = {name: a[j] for name, a in static.items()}
        p = np.flatnonzero(at["mask"] & (gone == 0))
        if not len(p):
            continue
        day = at["day"][p]
        lot_p = lot[p]
        ceiling = at["ceiling"][p]
        buy, sell = at["buy"][p], at["sell"][p]
        unsettled = np.where(lot_day[p] > day[:, None], lot_qty[p], 0).sum(axis=1)
        sellable = np.where(held[p] > 0, np.maximum(0, held[p] - unsettled - work_shares[p]), 0)
        # the sell phase of `plan_one` (no target rebalancing in this case)
        q_sell = sellable if rule.sizing != "quantity" else np.minimum(sellable, rule.quantity)
        q_sell = np.where(sell & (q_sell > 0), q_sell - q_sell % lot_p, 0)
        # the buy phase: `rules.buy_quantity` and `rules.affordable`, on arrays
        wants_buy = buy & ~sell
        close = at["close"][p]
        reserve_at = ceiling  # LO at the band edge is priced at the ceiling; other types are valued there
        equity = cash[p] + held[p] * close
        if rule.sizing == "percent_equity":
            wanted = equity * snum // (sden * 100 * np.maximum(close, 1))
        else:
            wanted = np.full(len(p), rule.quantity, dtype=np.int64)
        wanted = np.where(wanted > 0, wanted - wanted % lot_p, 0)
        bp = cash[p] - work_cash[p]
        work_cash[p], work_shares[p] = 0, 0  # read once: that order expires on the next bar
        afford = np.where((bp > 0) & (reserve_at > 0), bp * fden // np.maximum(reserve_at * (fden + fnum), 1), 0)
        afford = np.where(afford > 0, afford - afford % lot_p, 0)
        while True:
            value = reserve_at * afford
            over = (afford > 0) & (value + -(-value * fnum // fden) > bp)
            if not over.any():
                break
            afford = afford - np.where(over, lot_p, 0)
        q_buy = np.where(wants_buy, np.minimum(wanted, afford), 0)
        side_buy = q_buy > 0
        quantity = np.where(side_buy, q_buy, q_sell)
        placed = quantity > 0
        big = (held[p].astype(float) * close >= _LIMIT) | (np.abs(equity) >= _LIMIT) | (bp >= _LIMIT) \
            | (reserve_at * np.maximum(afford, 0) >= _LIMIT) | (held[p] >= _LIMIT)  # checked in floats: no wrap-around
        # `risk.passes_plainly`: anything it would not accept goes to the event loop, where the risk engine judges it
        value = reserve_at * quantity
        accept = type_ok[p] & (quantity > odd_max[p]) & (quantity % lot_p == 0) & (quantity <= max_q[p]) \
            & np.where(side_buy, value + -(-value * fnum // fden) <= bp, quantity <= sellable)  # prices: band edges
        # the one refusal decided here: a valid round-lot order above the exchange's maximum fails
        # the risk engine's quantity rule before any rule that reads the account
        over_max = placed & type_ok[p] & (quantity > odd_max[p]) & (quantity % lot_p == 0) & (quantity > max_q[p])
        odd = placed & at["odd_bar"][p]
        judge = (placed & ~accept & ~over_max) | (placed & (quantity < lot_p))
        refer = big | judge | odd
        if refer.any():
            gone[p[odd]] = 3
            gone[p[judge]] = 1
            gone[p[big]] = 2
            keep = ~refer
            p, day, quantity, placed, side_buy, ceiling = p[keep], day[keep], quantity[keep], placed[keep], side_buy[keep], ceiling[keep]
            over_max = over_max[keep]
        if not placed.any():
            continue
        in_session = at["session"][p]
        px = np.where(side_buy, at["px_buy"][p], at["px_sell"][p])
        filled = np.where(placed & ~over_max & in_session & (px > 0), np.minimum(quantity, at["lots_budget"][p]), 0)
        notional = px * filled
        huge = (px.astype(float) * filled >= _LIMIT) | at["volume_big"][p]
        if huge.any():
            gone[p[huge]] = 2
            filled = np.where(huge, 0, filled)
            placed = placed & ~huge
            notional = px * filled
        fee = -(-notional * fnum // fden)
        tax = np.where(side_buy, 0, -(-notional * tnum // tden))
        flow = np.where(side_buy, -(notional + fee + tax), notional - fee - tax)
        cash[p] += np.where(filled > 0, flow, 0)
        bought, sold = (filled > 0) & side_buy, (filled > 0) & ~side_buy
        if bought.any():  # `PaperPortfolio.apply_fill`: shares, cost (with the fee), a T+2 lot
            pb, fb = p[bought], filled[bought]
            held[pb] += fb
            cost[pb] += notional[bought] + fee[bought]
            lots = lot_day[pb]
            lots = np.where(lots <= day[bought][:, None], 0, lots)  # settled by now: never counted again
            free = lots == 0
            settles = at["settles"][pb]  # filled on the order's session
            room = free.any(axis=1) & (settles > 0)
            slot = free.argmax(axis=1)
            gone[pb[~room]] = np.where(settles[~room] > 0, 4, 3)
            lots[np.arange(len(pb))[room], slot[room]] = settles[room]
            lot_day[pb] = lots
            lot_qty[pb[room], slot[room]] = fb[room]
        if sold.any():  # shares, and the cost in proportion, rounded half-even (`PaperPortfolio`)
            ps, before = p[sold], held[p[sold]]
            remaining = before - filled[sold]
            product = cost[ps] * remaining
            exact = cost[ps].astype(float) * remaining < 2.0**62
            quotient, rest = np.divmod(product, np.maximum(before, 1))
            rounded = quotient + ((2 * rest > before) | ((2 * rest == before) & (quotient % 2 == 1)))
            new_cost = np.where(remaining == 0, 0, rounded)
            for x in np.flatnonzero(~exact & (remaining > 0)).tolist():  # beyond int64: exactly, in Python
                new_cost[x] = round(Fraction(int(cost[ps[x]]) * int(remaining[x]), int(before[x])))
            cost[ps], held[ps] = new_cost, remaining
            lot_day[ps[remaining == 0]] = 0  # a position sold out is gone, with its lots
        # statuses: filled, part-filled or not; a closing-auction type expires after its bar, an LO
        # still working expires on the symbol's next bar (if it has one); if the symbol fires again
        # on the order's session bar, that decision sees it working (`work_cash` / `work_shares`)
        full = filled == quantity
        working = placed & ~over_max & ~full & (order_type is OrderType.LO) & in_session & at["fires_next"][p]
        if working.any():
            left = quantity - filled
            reserve = ceiling * left  # `SimBroker.reserved`: an LO buy reserves its limit, the ceiling here
            work_cash[p] = np.where(working & side_buy, reserve + -(-reserve * fnum // fden), 0)
            work_shares[p] = np.where(working & ~side_buy, left, 0)
        if order_type is OrderType.LO:  # after its session bar: working (if the symbol has a bar after), or gone
            after = np.where(at["following"][p], _EXPIRED, np.where(filled > 0, _PARTIAL, _NEW))
        else:
            after = np.full(len(p), _EXPIRED)
        status = np.where(full, _FILLED, np.where(in_session, after, np.where(at["exists"][p], _EXPIRED, _NEW)))
        status[over_max] = _REJECTED
        w = placed
        log.append((p[w], np.full(int(w.sum()), j), side_buy[w], quantity[w], status[w], filled[w], notional[w],
                    fee[w], tax[w], np.where(filled[w] > 0, at["next_k"][p[w]], -1)))

    _records(out, symbols, log, gone, held, cost, ev, limits, node_id, order_type, timeline, when)
    return out


def _records(out: Outcome, symbols: list[Symbol], log: list[tuple[np.ndarray, ...]], gone: np.ndarray,
             held: np.ndarray, cost: np.ndarray, ev: _Events, limits: _Bands, node_id: str, order_type: OrderType,
             timeline: Sequence[date], when: Callable[[int], tuple[datetime, date]]) -> None:
    """The kept symbols' orders, fills and holdings, as the event loop would have recorded them."""
    for r, s in enumerate(symbols):
        if gone[r]:
            out.handed_back[s.row] = REASONS[gone[r]]
        elif held[r]:
            out.holdings[s.row] = (int(held[r]), int(cost[r]))
    if not log:
        return
    columns = [np.concatenate(c) for c in zip(*log, strict=True)]
    keep = np.flatnonzero(gone[columns[0]] == 0)
    keep = keep[np.lexsort((columns[0][keep], ev.k[columns[0][keep], columns[1][keep]]))]  # by session, then row
    r, j, buy, quantity, status, filled, notional, fee, tax, fill_k = (c[keep] for c in columns)
    session = ev.k[r, j]
    market_row = np.array([s.row for s in symbols], dtype=np.int64)[r]
    made = filled > 0
    out.fill_columns = (fill_k[made], market_row[made], np.where(buy, -(notional + fee + tax), notional - fee - tax)[made],
                        np.where(buy, filled, -filled)[made])
    # the orders, column by column, then a row each
    rows, buys = r.tolist(), buy.tolist()
    unique, first, inverse = np.unique(session, return_index=True, return_inverse=True)
    sessions = inverse.tolist()  # each order's position in `unique`
    times = [when(k)[0] for k in unique.tolist()]  # orders go live at their session's start
    stamps = rules.session_stamps((ev.order_day[r[first], j[first]] - rules.EPOCH_ORDINAL).astype("datetime64[D]"))
    prefixes = [rules.order_id_prefix(node_id, s.symbol) for s in symbols]
    letters = {True: ".b", False: ".s"}
    ids = [prefixes[x] + stamps[u] + letters[b] for x, u, b in zip(rows, sessions, buys, strict=True)]  # `rules.client_order_id`
    names = [symbols[x].symbol for x in rows]
    side_of = {True: VALUE[Side.BUY], False: VALUE[Side.SELL]}
    sides = [side_of[b] for b in buys]
    priced = order_type is OrderType.LO
    prices = np.where(buy, limits.ceiling[r, j], limits.floor[r, j]).tolist() if priced else [None] * len(rows)
    quantities = quantity.tolist()
    for x in np.unique(r, return_index=True)[1].tolist():  # each symbol's first order, checked as the loop does
        at = times[sessions[x]]
        assert ids[x] == rules.client_order_id(node_id, names[x], at, sides[x])
        OrderRequest(client_order_id=ids[x], symbol=names[x], side=Side(sides[x]), order_type=order_type,
                     quantity=quantities[x], price=prices[x], created_at=at)
    rows_made = map(order_row, ids, names, sides, repeat(VALUE[order_type]), quantities, prices,
                    [times[u] for u in sessions], [_STATUSES[x] for x in status.tolist()], filled.tolist(),
                    notional.tolist(), fee.tolist(), tax.tolist(),
                    [_OVER_MAXIMUM if x == _REJECTED else None for x in status.tolist()])
    out.orders = list(zip(session.tolist(), market_row.tolist(), rows_made, strict=True))
    # the fills, by the session they fill on (here one fill per symbol and session)
    f = np.flatnonzero(made)
    f = f[np.lexsort((r[f], fill_k[f]))]
    fill_sessions, pick = fill_k[f].tolist(), f.tolist()
    fills_made = map(fill_row, [ids[x] for x in pick], [names[x] for x in pick], [sides[x] for x in pick],
                     filled[f].tolist(), (notional[f] // filled[f]).tolist(), fee[f].tolist(), tax[f].tolist(),
                     [timeline[k] for k in fill_sessions])
    out.fills = list(zip(fill_sessions, market_row[f].tolist(), fills_made, strict=True))


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
        self.close = put(market.close[row, kk], np.int64, 1)
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
