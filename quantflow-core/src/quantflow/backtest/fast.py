"""The vectorised fast path: one one-shot run of the signal part of the graph (everything upstream of
the action nodes), then a loop over only the sessions where a signal fires or an order is working,
applying the action nodes' decisions (`decide`, shared with the node) to `SimBroker` (the paper
broker's rules). It gives the orders, fills and equity of `run_bar_by_bar`, bit for bit, for
workflows whose signals depend on market data only; anything else is refused, never approximated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from quantflow.backtest import rules
from quantflow.backtest.config import BacktestConfig
from quantflow.backtest.decide import BarSignal, Book, SizingRule, decide
from quantflow.backtest.history import ClippedSource, History, load_history
from quantflow.backtest.results import (
    BacktestResult,
    EquityPoint,
    PositionRecord,
    build_result,
)
from quantflow.backtest.setup import BacktestError, prepare
from quantflow.backtest.simbroker import SimBroker
from quantflow.engine import RunContext, RunMode, RunStatus, compile_plan, execute
from quantflow.engine.plan import Step
from quantflow.gc_pause import gc_relaxed
from quantflow.market.calendar import default_calendar
from quantflow.market.sessions import to_vn_time
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
    with gc_relaxed():  # thousands of short-lived order objects over a large, stable heap
        return _simulate(history, config, _brokers(config, history.symbols, calendar), wired)


def _brokers(config: BacktestConfig, symbols: tuple[str, ...], calendar: Any) -> dict[str, SimBroker]:
    """Symbol -> its simulated account: one shared, or one per symbol (`config.accounts`)."""
    if config.accounts == "per_symbol":
        orders: list[Any] = []
        fills: list[Any] = []
        return {s: SimBroker(config.broker_config([s]), calendar, orders, fills) for s in symbols}
    shared = SimBroker(config.broker_config(list(symbols)), calendar)
    return dict.fromkeys(symbols, shared)


def _shared(brokers: dict[str, SimBroker]) -> bool:
    """One account for all symbols (`_brokers` makes either one shared or one per symbol)."""
    first, *rest = brokers.values()
    return not rest or rest[0] is first


def _distinct(brokers: dict[str, SimBroker]) -> list[SimBroker]:
    return list({id(b): b for b in brokers.values()}.values())


class _Market:
    """Per-symbol arrays on the backtest timeline (closes forward-filled, bar index or -1)."""

    def __init__(self, history: History) -> None:
        self.days = np.array(history.timeline, dtype="datetime64[D]")
        self.symbols = history.symbols
        n, m = len(self.symbols), len(self.days)
        self.row = {s: r for r, s in enumerate(self.symbols)}
        self.index = np.full((n, m), -1, dtype=np.int64)
        self.close = np.zeros((n, m), dtype=np.int64)
        for row, symbol in enumerate(self.symbols):
            h = history.series[symbol]
            pos = np.searchsorted(self.days, h.days[h.first_active:])
            self.index[row, pos] = np.arange(h.first_active, len(h.days))
            closes = np.rint(h.bars.close).astype(np.int64)
            last = np.maximum.accumulate(np.where(self.index[row] >= 0, np.arange(m), -1))
            # the latest close the broker has seen on each session (0 before the symbol's first bar)
            self.close[row] = np.where(last >= 0, closes[self.index[row, np.maximum(last, 0)]], 0)


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
                idx = market.index[row]
                matrix[row] = (idx >= 0) & np.asarray(values, dtype=bool)[np.maximum(idx, 0)]
            matrices[port] = matrix
        out.append(matrices)
    return out


def _fire_days(market: _Market, wired: list[tuple[Step, dict[str, Any]]], signals: list[dict[str, np.ndarray]]) -> np.ndarray:
    """Timeline positions where any action node has something true on a symbol's current bar."""
    fire = np.zeros(len(market.days), dtype=bool)
    for (step, inputs), matrices in zip(wired, signals, strict=True):
        if step.spec.type_id == CLOSE and inputs.get("when") is None:
            fire |= True  # close_position without `when`: every bar
        for matrix in matrices.values():
            fire |= matrix.any(axis=0)
    return np.flatnonzero(fire)


def _simulate(history: History, config: BacktestConfig, brokers: dict[str, SimBroker],
              wired: list[tuple[Step, dict[str, Any]]]) -> BacktestResult:
    market = _Market(history)
    signals = _signal_matrices(market, history, wired)
    fire = _fire_days(market, wired, signals).tolist()
    series = history.series
    accounts = _distinct(brokers)
    row_of = {s: i for i, s in enumerate(market.symbols)}
    cash_changes: list[tuple[int, int]] = []
    timeline = history.timeline
    k, upto = 0, len(timeline)
    for next_fire in [*fire, upto]:
        while k < next_fire or (k == next_fire < upto):
            working = sorted(s for b in accounts if b.open for s in b.open)
            if not working and k < next_fire:
                k = next_fire  # nothing working, no signal before the next firing session
                continue
            day = timeline[k]
            if working:
                for symbol in working:
                    i = int(market.index[row_of[symbol], k])
                    if i >= 0:
                        b = series[symbol].broker_bar(i)
                        brokers[symbol].on_bar(symbol, day, b.start, b.open, b.high, b.low, b.close, b.volume)
                cash_changes.append((k, sum(b.portfolio.cash for b in accounts)))
            if k == next_fire:
                for (step, inputs), matrices in zip(wired, signals, strict=True):
                    _decide_at(step, inputs, matrices, k, day, market, brokers, config)
            k += 1
    equity = _equity(market, history, accounts, cash_changes, config)
    last = {s: round(float(h.bars.close[-1])) for s, h in series.items()}
    final = history.timeline[-1]
    positions = []
    for account in accounts:
        for symbol in account.portfolio.symbols():
            p = account.portfolio.position(symbol, final)
            assert p is not None
            positions.append(PositionRecord(symbol=symbol, quantity=p.quantity, cost_basis=p.cost_basis,
                                            last_price=last[symbol], market_value=p.quantity * last[symbol]))
    positions.sort(key=lambda p: p.symbol)
    orders = [o.record() for o in accounts[0].orders]
    return build_result("fast", config, history.symbols, orders, accounts[0].fills, positions, equity)


def _decide_at(step: Step, inputs: dict[str, Any], matrices: dict[str, np.ndarray], k: int, day: date,
               market: _Market, brokers: dict[str, SimBroker], config: BacktestConfig) -> None:
    p = step.params
    close_node = step.spec.type_id == CLOSE
    calendar = next(iter(brokers.values())).calendar
    at = rules.order_time(rules.daily_close(day), calendar)
    order_day = to_vn_time(at).date()
    signals = []
    none = np.zeros(len(market.symbols), dtype=bool)
    buy, sell = (matrices[port][:, k] if port in matrices else none for port in ("buy", "sell"))
    if close_node:
        when = matrices["when"][:, k] if "when" in matrices else market.index[:, k] >= 0
        candidates = np.flatnonzero(when).tolist()
    else:
        candidates = np.flatnonzero(buy | sell).tolist()
    for row in candidates:
        symbol = market.symbols[row]
        i = int(market.index[row, k])
        if i < 0:
            continue
        if close_node:
            held = brokers[symbol].portfolio.position(symbol, day) is not None
            is_buy, is_sell = False, held
        else:
            is_buy, is_sell = bool(buy[row]), bool(sell[row])
        if not (is_buy or is_sell):
            continue
        atr = inputs.get("atr")
        atr_value = float(atr[symbol][i]) if atr is not None and symbol in atr else None
        instrument = brokers[symbol].instruments[symbol]
        close = int(market.close[row, k])
        limits = rules.limits_for(instrument, close, order_day)
        if limits is not None:  # as the node: no valid band, no order
            signals.append(BarSignal(symbol, close, is_buy, is_sell, atr_value, instrument, limits))
    if not signals:
        return
    closes = _Closes(market, k)
    rule = (SizingRule("quantity", 1, 100.0, 1.0, 1.0, p.order_type, p.limit_offset_ticks, p.limit_at) if close_node else  # type: ignore[attr-defined]
            SizingRule(p.sizing, p.quantity, p.percent, p.risk_percent, p.atr_multiple, p.order_type,  # type: ignore[attr-defined]
                       p.limit_offset_ticks, p.limit_at))  # type: ignore[attr-defined]
    limits_of = {s.symbol: s.limits for s in signals}
    for broker, group in _by_account(brokers, signals):
        quantities = dict(sorted(broker.portfolio.quantities().items()))
        reserved = broker.reserved()
        book = Book(cash=broker.portfolio.cash, buying_power=broker.portfolio.cash - reserved, held=quantities,
                    sellable={s: broker.sellable(s, order_day) for s in quantities}, closes=closes)
        steps = decide(step.node_id, rule, group, book, config.fees, at, sell_all=close_node)
        try:
            request = next(steps)
            while True:
                request = steps.send(broker.submit(request, limits_of[request.symbol]))
        except StopIteration:
            pass


def _by_account(brokers: dict[str, SimBroker], signals: list[BarSignal]) -> list[tuple[SimBroker, list[BarSignal]]]:
    """As the node's `_by_account`: all signals against a shared account, else symbol by symbol."""
    if _shared(brokers):
        return [(brokers[signals[0].symbol], signals)]
    return [(brokers[s.symbol], [s]) for s in sorted(signals, key=lambda s: s.symbol)]


class _Closes(dict):  # type: ignore[type-arg]
    """Session k's latest close of any symbol, looked up only for the symbols asked (held ones)."""

    def __init__(self, market: _Market, k: int) -> None:
        super().__init__()
        self.market, self.k, self.row = market, k, market.row

    def get(self, symbol: str, default: Any = None) -> Any:
        row = self.row.get(symbol)
        return default if row is None else int(self.market.close[row, self.k])


def _equity(market: _Market, history: History, accounts: list[SimBroker], cash_changes: list[tuple[int, int]],
            config: BacktestConfig) -> list[EquityPoint]:
    m = len(market.days)
    cash = np.full(m, config.initial_cash * len(accounts), dtype=np.int64)
    for k, value in cash_changes:
        cash[k:] = value
    held = np.zeros((len(market.symbols), m), dtype=np.int64)
    row_of = {s: i for i, s in enumerate(market.symbols)}
    day_pos = {d: k for k, d in enumerate(history.timeline)}
    for fill in accounts[0].fills:
        sign = 1 if fill.side == "buy" else -1
        held[row_of[fill.symbol], day_pos[fill.day]:] += sign * fill.quantity
    equity = cash + (held * market.close).sum(axis=0)
    return [EquityPoint(day=d, cash=int(c), equity=int(e)) for d, c, e in zip(history.timeline, cash, equity, strict=True)]
