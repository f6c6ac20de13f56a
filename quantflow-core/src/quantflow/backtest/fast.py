"""The vectorised fast path: one one-shot run of the signal part of the graph (everything upstream of
the action nodes), then only the sessions where a signal fires or an order is working, applying the
action nodes' decisions (`plan` / `plan_one`, shared with the node) to `SimBroker` (the paper
broker's rules). With per-symbol accounts the common case runs all symbols in lockstep as arrays
(`lockstep`), and any other symbol is simulated on its own, over its own firing bars; with one
shared account, session by session. Orders and fills carry the key of the session-by-session order
they happened in, and the result models are built once at the end. It gives the
orders, fills and equity of `run_bar_by_bar`, bit for bit, for workflows whose signals depend on
market data only; anything else is refused, never approximated.
"""

from __future__ import annotations

import heapq
from datetime import date, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

from quantflow.backtest import lockstep, rules
from quantflow.backtest.config import BacktestConfig
from quantflow.backtest.decide import BarSignal, Book, Planned, SizingRule, plan, plan_one
from quantflow.backtest.history import ClippedSource, History, by_row, load_history
from quantflow.backtest.results import (
    POSITION_FIELDS,
    VALUE,
    BacktestResult,
    EquityPoint,
    FillRecord,
    OrderRecord,
    PositionRecord,
    build_result,
    equity_points,
    order_rows,
)
from quantflow.backtest.setup import BacktestError, prepare
from quantflow.backtest.simbroker import SimBroker, SimFill, SimOrder, fill_records
from quantflow.domain.orders import OrderRequest, OrderType, Side
from quantflow.domain.trusted import built
from quantflow.engine import RunContext, RunMode, RunStatus, compile_plan, execute
from quantflow.engine.plan import Step
from quantflow.gc_pause import gc_paused, promote_survivors
from quantflow.market.bands import PriceLimits
from quantflow.market.calendar import CalendarRangeError, default_calendar
from quantflow.plugins.registry import Kind

PLACE, CLOSE = "core:place_order", "core:close_position"


async def run_fast(workflow: Any, source: Any, config: BacktestConfig, *, types: Kind[Any] | None = None) -> BacktestResult:
    prepared = prepare(workflow, config, types)
    steps = prepared.plan.steps
    actions = [s for s in steps if s.spec.type_id in (PLACE, CLOSE)]
    unsupported = [s for s in steps if s.spec.side_effects and s not in actions]
    if unsupported:
        names = ", ".join(f"{s.node_id} ({s.spec.type_id})" for s in unsupported)
        raise BacktestError(f"the fast path cannot simulate {names}; run the bar-by-bar backtest")
    if not actions:
        raise BacktestError("the workflow has no place_order or close_position node; nothing to simulate")
    history = await load_history(source, prepared.symbols, config.start, config.end, prepared.warmup)
    calendar = default_calendar()
    sources = {steps[i].node_id for s in actions for w in s.inputs for i, _ in w.sources}
    signal_plan = compile_plan(prepared.validation, sources)
    end = rules.daily_close(history.timeline[-1])
    ctx = RunContext(run_id="backtest-fast", mode=RunMode.BACKTEST, data_source=ClippedSource(history, lambda: end),
                     clock=lambda: end, services={"fees": config.fees, "calendar": calendar})
    result = await execute(signal_plan, ctx)
    if result.status is not RunStatus.SUCCEEDED:
        raise BacktestError("the signal run failed: " + "; ".join(f"{n}: {e}" for n, e in result.errors.items()))
    wired = [(s, {w.name: result.outputs[steps[w.sources[0][0]].node_id][w.sources[0][1]] for w in s.inputs}) for s in actions]
    with gc_paused():  # tens of thousands of acyclic objects (orders, fills, result rows), freed by reference counts
        backtest = _simulate(history, config, calendar, wired)
        promote_survivors()  # the result outlives the run
    return backtest


class _Market:
    """Where each symbol's bars lie on the backtest timeline (bar index or -1), and their closes.
    Closes are read where asked, not kept as a symbols x sessions matrix: whole-universe arrays
    are fresh memory on every run (a page fault per page), which costs more than the reads."""

    def __init__(self, history: History) -> None:
        self.days = history.days
        self.symbols = history.symbols
        self.series = [history.series[s] for s in self.symbols]
        n, m = len(self.symbols), len(self.days)
        self.row = {s: r for r, s in enumerate(self.symbols)}
        day_numbers = self.days.view(np.int64)
        on_grid = np.full(int(day_numbers[-1] - day_numbers[0]) + 1, -1, dtype=np.int64)  # day -> session
        on_grid[day_numbers - day_numbers[0]] = np.arange(m)
        #: per symbol, the session of each of its bars from `first_active` on
        self.sessions = [on_grid[h.days[h.first_active:].view(np.int64) - day_numbers[0]] for h in self.series]
        self.index = np.full((n, m), -1, dtype=np.int64)
        for r, h in enumerate(self.series):
            self.index[r][self.sessions[r]] = np.arange(h.first_active, len(h.days))
        self._latest: dict[int, np.ndarray] = {}

    def closes(self, rows: np.ndarray, ks: np.ndarray) -> np.ndarray:
        """The close (whole VND) of symbol `rows[j]`'s bar at session `ks[j]`: only for cells where
        it has a bar (firing cells), as `index` says; elsewhere use `latest_closes`."""
        bars = self.index[rows, ks]
        out = np.empty(len(rows), dtype=np.int64)
        for r, at in by_row(rows, len(self.symbols)):
            out[at] = np.rint(self.series[r].bars.close[bars[at]]).astype(np.int64)
        return out

    def row_closes(self, row: int, ks: np.ndarray) -> np.ndarray:
        """`closes` of one symbol's bars at sessions `ks` (no grouping by row to do)."""
        closes: np.ndarray = np.rint(self.series[row].bars.close[self.index[row, ks]]).astype(np.int64)
        return closes

    def session_closes(self, rows: list[int], k: int) -> list[int]:
        """`closes` of a few symbols' bars at session k, read cell by cell (grouping them by row
        costs more than it saves for one cell per row)."""
        series = self.series
        picked = [series[r].bars.close[i] for r, i in zip(rows, self.index[rows, k].tolist(), strict=True)]
        closes: list[int] = np.rint(np.array(picked, dtype=np.float64)).astype(np.int64).tolist()
        return closes

    def latest_closes(self, row: int) -> np.ndarray:
        """Symbol `row`'s latest close at each session, the one the broker has seen (0 before any)."""
        found = self._latest.get(row)
        if found is None:
            latest = np.maximum.accumulate(self.index[row])  # bar indexes grow along the row
            seen = int(np.argmax(latest >= 0)) if latest[-1] >= 0 else len(latest)
            found = self._latest[row] = np.zeros(len(latest), dtype=np.int64)
            found[seen:] = np.rint(self.series[row].bars.close[latest[seen:]]).astype(np.int64)
        return found


def _signal_matrices(market: _Market, history: History, wired: list[tuple[Step, dict[str, Any]]]) -> list[dict[str, np.ndarray]]:
    """Per action node and port: a symbols × sessions matrix, true where the port is true on the
    symbol's bar of that session (the value the node would read as `values[-1]` then)."""
    out = []
    for step, inputs in wired:
        ports = ["buy", "sell"] if step.spec.type_id == PLACE else ["when"]
        matrices = {}
        for port in ports:
            series = inputs.get(port)
            if series is None:
                continue
            matrix = np.zeros(market.index.shape, dtype=bool)
            for row, symbol in enumerate(market.symbols):
                values = series.get(symbol)
                if values is None or not len(values):
                    continue
                if len(values) != len(history.series[symbol].bars):
                    raise BacktestError(f"{step.node_id}.{port} for {symbol} is not aligned with its bars")
                matrix[row][market.sessions[row]] = np.asarray(values, dtype=bool)[market.series[row].first_active:]
            matrices[port] = matrix
        out.append(matrices)
    return out


class _Node:
    """One action node, ready to decide: its rule and its signal matrices."""

    def __init__(self, number: int, step: Step, inputs: dict[str, Any], matrices: dict[str, np.ndarray]) -> None:
        p = step.params
        self.number, self.node_id = number, step.node_id
        self.close = step.spec.type_id == CLOSE
        self.rule = (SizingRule("quantity", 1, 100.0, 1.0, 1.0, p.order_type, p.limit_offset_ticks, p.limit_at) if self.close else  # type: ignore[attr-defined]
                     SizingRule(p.sizing, p.quantity, p.percent, p.risk_percent, p.atr_multiple, p.order_type,  # type: ignore[attr-defined]
                                p.limit_offset_ticks, p.limit_at))  # type: ignore[attr-defined]
        self.order_type = OrderType(self.rule.order_type)
        self.buy, self.sell, self.when = (matrices.get(port) for port in ("buy", "sell", "when"))
        self.atr: Any = inputs.get("atr")
        self.checked: set[str] = set()  # symbols whose order ids passed `OrderRequest`'s checks

    def flags(self, rows: Any, ks: Any) -> tuple[list[bool], list[bool]]:
        """(buy, sell) at the given cells; for close_position (when, when): whether `when` holds."""
        count = np.broadcast(rows, ks).size
        first, second = (self.when, self.when) if self.close else (self.buy, self.sell)
        if self.close and first is None:
            return [True] * count, [True] * count
        return ([False] * count if first is None else first[rows, ks].tolist(),
                [False] * count if second is None else second[rows, ks].tolist())

    def fires(self, market: _Market) -> np.ndarray:
        """Symbols × sessions: where this node has something to decide."""
        if self.close and self.when is None:
            return market.index >= 0  # close_position without `when`: every bar
        found = np.zeros(market.index.shape, dtype=bool)
        for matrix in (self.buy, self.sell, self.when):
            if matrix is not None:
                found |= matrix
        return found


class _Run:
    """The simulation: accounts, the decisions at firing sessions, and what they produced, each
    order and fill with the key that puts it where the session-by-session loop would."""

    def __init__(self, history: History, market: _Market, config: BacktestConfig, calendar: Any, nodes: list[_Node]) -> None:
        self.history, self.market, self.config, self.calendar, self.nodes = history, market, config, calendar, nodes
        self.symbols = market.symbols
        self.per_symbol = config.accounts == "per_symbol"
        #: one account per symbol, or one for all; made when the event loop first needs it
        self.accounts: list[SimBroker | None] = [None] * (len(self.symbols) if self.per_symbol else 1)
        self.instruments = config.instruments(list(self.symbols))
        self.orders: list[tuple[int, int, int, int, SimOrder]] = []  # (session, node, row, n, order)
        self.fills: list[tuple[int, int, int, SimFill]] = []  # (session, row, n, fill)
        self._times: dict[int, tuple[Any, date]] = {}
        self.order_days = rules.order_days(history.days, calendar)  # each session's signals trade on these (NaT: unknown)
        self._order_days: list[date | None] = self.order_days.tolist()
        self._count = 0
        self.stepped = lockstep.Outcome()  # what lockstep simulated (other symbols than the loop's)

    def account(self, row: int) -> SimBroker:
        """The account trading symbol `row`."""
        at = row if self.per_symbol else 0
        found = self.accounts[at]
        if found is None:
            symbols = [self.symbols[row]] if self.per_symbol else list(self.symbols)
            found = self.accounts[at] = SimBroker(self.config.broker_config(symbols), self.calendar)
        return found

    def when(self, node: _Node, k: int) -> tuple[Any, date]:
        """Session k's order time (the next session's opening call) and that session's day, for
        `node`'s decision there."""
        found = self._times.get(k)
        if found is None:
            day = self._order_days[k]
            if day is None:  # beyond the calendar's table: what the node meets, reported as the bar-by-bar run does
                try:
                    day = rules.order_time(rules.daily_close(self.history.timeline[k]), self.calendar).date()
                except CalendarRangeError as error:
                    raise BacktestError(f"the run on {self.history.timeline[k]} failed: {node.node_id}: "
                                        f"{type(error).__name__}: {error}") from error
            found = self._times[k] = (rules.session_start(day), day)
        return found

    # --- the broker's side ----------------------------------------------------------------------
    def bar(self, row: int, k: int, i: int) -> None:
        """Session k's bar i of symbol `row` reaches its account's working orders."""
        symbol = self.symbols[row]
        broker = self.account(row)
        before = len(broker.fills)
        bar = self.history.series[symbol].broker_bar(i)
        broker.on_bar(symbol, self.history.timeline[k], bar)
        for fill in broker.fills[before:]:
            self._count += 1
            self.fills.append((k, row, self._count, fill))

    # --- the node's side ------------------------------------------------------------------------
    def decide(self, node: _Node, k: int, rows: list[int]) -> None:
        """What `node` does at session k for the symbols `rows` (each with a bar at k), against
        the one shared account."""
        market, broker = self.market, self.account(0)
        at, order_day = self.when(node, k)
        signals: list[BarSignal] = []
        held = broker.portfolio.quantities()
        buys, sells = node.flags(rows, k)
        bars, closes = market.index[rows, k].tolist(), market.session_closes(rows, k)
        for n, row in enumerate(rows):
            signal = self._signal(node, self.symbols[row], broker, order_day, held, buys[n], sells[n], closes[n], bars[n])
            if signal is not None:
                signals.append(signal)
        if signals:
            held = dict(sorted(held.items()))
            book = Book(cash=broker.portfolio.cash, buying_power=broker.portfolio.cash - broker.reserved(), held=held,
                        sellable={s: broker.sellable(s, order_day) for s in held}, closes=_Closes(market, k))
            self._send(node, k, 0, broker, signals, book, at, order_day)

    def decide_one(self, node: _Node, k: int, row: int, buy: bool, sell: bool, close: int, i: int) -> None:
        """`decide` for one symbol with its own account (which can hold that symbol only), with
        its flags, close and bar index at session k."""
        broker = self.account(row)
        at, order_day = self.when(node, k)
        holdings = broker.portfolio.quantities()
        signal = self._signal(node, self.symbols[row], broker, order_day, holdings, buy, sell, close, i)
        if signal is None:
            return
        symbol, cash = signal.symbol, broker.portfolio.cash
        held = holdings.get(symbol, 0)
        wanted = plan_one(node.rule, node.order_type, signal, cash, cash - broker.reserved(), held,
                          broker.sellable(symbol, order_day) if held else 0, self.config.fees, sell_all=node.close)
        for order in wanted:
            self._book(node, k, row, broker, order, at, order_day, signal.limits)

    def _signal(self, node: _Node, symbol: str, broker: SimBroker, order_day: date, held: dict[str, int],
                buy: bool, sell: bool, close: int, i: int) -> BarSignal | None:
        """The node's input for one symbol (its flags from `_Node.flags`, its close and bar index
        at the session), as the node would see it; None: nothing to do."""
        if node.close:
            is_buy, is_sell = False, sell and symbol in held  # close_position exits what is held
        else:
            is_buy, is_sell = buy, sell
        if not (is_buy or is_sell):
            return None
        atr = node.atr
        atr_value = float(atr[symbol][i]) if atr is not None and symbol in atr else None
        instrument = broker.instruments[symbol]
        limits = rules.limits_for(instrument, close, order_day)
        if limits is None:  # as the node: no valid band, no order
            return None
        return BarSignal(symbol, close, is_buy, is_sell, atr_value, instrument, limits)

    def _send(self, node: _Node, k: int, row: int, broker: SimBroker, signals: list[BarSignal], book: Book,
              at: datetime, order_day: date) -> None:
        """Drive `plan` against the account: each order it wants is booked (or refused) in turn."""
        limits_of = {s.symbol: s.limits for s in signals}
        steps = plan(node.rule, signals, book, self.config.fees, sell_all=node.close)
        try:
            wanted = next(steps)
            while True:
                accepted = self._book(node, k, row, broker, wanted, at, order_day, limits_of[wanted.symbol])
                wanted = steps.send(accepted)
        except StopIteration:
            pass

    def _book(self, node: _Node, k: int, row: int, broker: SimBroker, wanted: Planned, at: datetime, order_day: date,
              limits: PriceLimits) -> bool:
        """Send one planned order to the account; True when accepted."""
        symbol, side = wanted.symbol, wanted.side
        order_id = rules.client_order_id(node.node_id, symbol, at, VALUE[side])
        if symbol not in node.checked:  # the id and symbol as `OrderRequest` validates them
            OrderRequest(client_order_id=order_id, symbol=symbol, side=side, order_type=node.order_type,
                         quantity=wanted.quantity, price=wanted.price, created_at=at)
            node.checked.add(symbol)
        accepted = broker.submit(order_id, symbol, side, node.order_type, wanted.quantity, wanted.price, at, order_day, limits)
        self._count += 1
        self.orders.append((k, node.number, row, self._count, broker.orders[-1]))
        return accepted

    # --- the loops --------------------------------------------------------------------------------
    def run_symbol(self, row: int, fires: np.ndarray) -> None:
        """One symbol's own account over its own bars: only firing bars, and the bars after an
        order while it is working, are visited."""
        broker, symbol = self.account(row), self.symbols[row]
        index = self.market.index[row]
        h, timeline, out, made = self.history.series[symbol], self.history.timeline, self.fills, broker.fills
        first = h.first_active
        sessions = self.market.sessions[row].tolist()  # the symbol's bars from first_active, as sessions

        def visit(k: int, i: int) -> None:  # `bar`, for this symbol
            before = len(made)
            broker.on_bar(symbol, timeline[k], h.broker_bar(i))
            for fill in made[before:]:
                out.append((k, row, len(out), fill))

        ks = np.flatnonzero(fires)
        bars, closes = index[ks].tolist(), self.market.row_closes(row, ks).tolist()
        nodes = [(node, *node.flags(row, ks)) for node in self.nodes]
        cursor = 0  # position in `sessions` of the next bar not yet visited
        for n, k in enumerate(ks.tolist()):
            i = bars[n]
            target = i - first
            while broker.open and cursor < target:
                if broker.only_expiring(timeline[sessions[cursor]]):
                    break  # nothing can fill before the firing bar, whose visit expires them as this one would
                visit(sessions[cursor], cursor + first)
                cursor += 1
            if broker.open:
                visit(k, i)
            for node, buys, sells in nodes:
                if buys[n] or sells[n]:
                    self.decide_one(node, k, row, buys[n], sells[n], closes[n], i)
            cursor = target + 1
        while broker.open and cursor < len(sessions):
            visit(sessions[cursor], cursor + first)
            cursor += 1

    def run_shared(self, fires: np.ndarray) -> None:
        """One account for every symbol: session by session, firing sessions and those with
        working orders only."""
        broker, index = self.account(0), self.market.index
        fire = np.flatnonzero(fires.any(axis=0)).tolist()
        k, upto = 0, len(self.history.timeline)
        for next_fire in [*fire, upto]:
            while k < next_fire or (k == next_fire < upto):
                if not broker.open and k < next_fire:
                    k = next_fire  # nothing working, no signal before the next firing session
                    continue
                for symbol in sorted(broker.open):
                    row = self.market.row[symbol]
                    i = int(index[row, k])
                    if i >= 0:
                        self.bar(row, k, i)
                if k == next_fire:
                    for node, node_fires in zip(self.nodes, self.node_fires, strict=True):
                        rows = np.flatnonzero(node_fires[:, k]).tolist()
                        if rows:
                            self.decide(node, k, rows)
                k += 1

    def simulate(self) -> BacktestResult:
        market = self.market
        self.node_fires = [node.fires(market) for node in self.nodes]
        fires = np.logical_or.reduce(self.node_fires)
        if self.per_symbol:
            rows = [row for row in range(len(self.symbols)) if fires[row].any()]
            for row in self.lockstep(rows, fires):  # the symbols it hands back
                self.run_symbol(row, fires[row])
        else:
            self.run_shared(fires)
        orders, fills = self.records()
        columns = self.stepped.fill_table if not self.fills else None  # lockstep's fills are all the fills
        return build_result("fast", self.config, self.history.symbols, orders, fills, self.positions(), self.equity(),
                            columns)

    def records(self) -> tuple[list[OrderRecord], list[FillRecord]]:
        """Orders and fills in the order the session-by-session loop makes them: the event loop's
        sorted by their keys, merged with lockstep's (in order already; other symbols, one node)."""
        stepped = self.stepped
        if not self.orders and not self.fills:
            return stepped.orders, stepped.fills
        self.orders.sort(key=itemgetter(0, 1, 2, 3))
        self.fills.sort(key=itemgetter(0, 1, 2))
        made = fill_records([f[3] for f in self.fills])
        number = self.nodes[0].number
        mine = order_rows(o.fields() for *_, o in self.orders)
        orders = heapq.merge([(k, node, row, record) for (k, node, row, _, _), record in zip(self.orders, mine, strict=True)],
                             zip(stepped.order_keys[0], repeat(number), stepped.order_keys[1], stepped.orders),
                             key=itemgetter(0, 1, 2))
        fills = heapq.merge([(f[0], f[1], record) for f, record in zip(self.fills, made, strict=True)],
                            zip(*stepped.fill_keys, stepped.fills, strict=True),
                            key=itemgetter(0, 1))
        return [o[3] for o in orders], [f[2] for f in fills]

    def lockstep(self, rows: list[int], fires: np.ndarray) -> list[int]:
        """Simulate what `lockstep` can of these symbols (all in one numpy step per firing bar);
        the rows left for `run_symbol`."""
        node = self.nodes[0]
        config = self.config
        if len(self.nodes) != 1 or node.close or not lockstep.eligible(
                node.rule, node.order_type, config.fees, config.max_participation, config.risk,
                [self.instruments[self.symbols[r]] for r in rows]):
            return rows
        symbols = [lockstep.Symbol(row, self.symbols[row], self.instruments[self.symbols[row]])
                   for row in rows]
        known = ~np.isnat(self.order_days)  # elsewhere 0: lockstep hands such a firing symbol to the event loop
        order_ordinals = np.where(known, self.order_days.astype(np.int64) + rules.EPOCH_ORDINAL, 0)
        settles = self.calendar.settlement_dates(self.order_days)  # NaT -> 0: lockstep hands such a buy back too
        settle_ordinals = np.where(np.isnat(settles), 0, settles.astype(np.int64) + rules.EPOCH_ORDINAL)
        market = lockstep.Market(self.market.index, self.market.closes, self.history.days, self.history.broker_columns,
                                 self.history.panel.offsets, order_ordinals, settle_ordinals, fires, node.buy, node.sell)
        outcome = lockstep.simulate(symbols, market, node.node_id, node.rule, node.order_type, config.fees,
                                    config.max_participation, config.initial_cash, self.history.timeline)
        self.stepped = outcome
        return sorted(outcome.handed_back)

    def equity(self) -> list[EquityPoint]:
        """Daily cash and equity of all accounts together, from the fills: cash moves only when
        something fills, holdings are valued at the latest close."""
        market, m = self.market, len(self.history.timeline)
        flows = np.zeros(m, dtype=np.int64)
        value = np.zeros(m, dtype=np.int64)  # what the holdings of all accounts are worth
        k, rows, flow, signed = (np.concatenate(c) for c in zip(self.stepped.fill_columns, self._fill_columns(), strict=True))
        np.add.at(flows, k, flow)
        for r, mine in by_row(rows, len(self.symbols)):  # row by row: no symbols x sessions temporaries
            held = np.zeros(m, dtype=np.int64)
            np.add.at(held, k[mine], signed[mine])
            value += np.cumsum(held) * market.latest_closes(r)
        cash = self.config.initial_cash * len(self.accounts) + np.cumsum(flows)
        equity = cash + value
        return equity_points(self.history.timeline, cash.tolist(), equity.tolist())

    def _fill_columns(self) -> tuple[np.ndarray, ...]:
        """The event loop's fills as `lockstep.Outcome.fill_columns`."""
        if not self.fills:
            return (np.zeros(0, np.int64),) * 4
        _, symbols, sides, quantities, _, _, _, _, flow = zip(*(f[3] for f in self.fills), strict=True)
        signed = np.array(quantities, dtype=np.int64)
        signed[np.array([side is Side.SELL for side in sides], dtype=bool)] *= -1
        return (np.fromiter((f[0] for f in self.fills), np.int64, len(self.fills)),
                np.array([self.market.row[s] for s in symbols], dtype=np.int64), np.array(flow, dtype=np.int64), signed)

    def positions(self) -> list[PositionRecord]:
        final = self.history.timeline[-1]
        held = [(self.symbols[row], quantity, cost) for row, (quantity, cost) in self.stepped.holdings.items()]
        for account in filter(None, self.accounts):
            for symbol in account.portfolio.symbols():
                p = account.portfolio.position(symbol, final)
                assert p is not None
                held.append((symbol, p.quantity, p.cost_basis))
        out = []
        for symbol, quantity, cost in sorted(held):
            last = round(float(self.history.series[symbol].bars.close[-1]))
            out.append(built(PositionRecord, {"symbol": symbol, "quantity": quantity, "cost_basis": cost,
                                              "last_price": last, "market_value": quantity * last}, POSITION_FIELDS))
        return out


def _simulate(history: History, config: BacktestConfig, calendar: Any,
              wired: list[tuple[Step, dict[str, Any]]]) -> BacktestResult:
    market = _Market(history)
    matrices = _signal_matrices(market, history, wired)
    nodes = [_Node(n, step, inputs, m) for n, ((step, inputs), m) in enumerate(zip(wired, matrices, strict=True))]
    return _Run(history, market, config, calendar, nodes).simulate()


class _Closes(dict):  # type: ignore[type-arg]
    """Session k's latest close of any symbol, looked up only for the symbols asked (held ones)."""

    def __init__(self, market: _Market, k: int) -> None:
        super().__init__()
        self.market, self.k, self.row = market, k, market.row

    def get(self, symbol: str, default: Any = None) -> Any:
        row = self.row.get(symbol)
        return default if row is None else int(self.market.latest_closes(row)[self.k])
