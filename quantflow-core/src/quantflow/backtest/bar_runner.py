"""The bar-by-bar backtest: the engine, the data interface, the risk engine and the paper broker of
paper trading, driven by a clock that steps through history one session at a time.

Per session: every symbol's bar goes to the paper broker first (orders from earlier sessions fill
or expire by its rules), then the compiled plan runs once, incrementally, with the clock at that
bar's close, the shared session `state`, and a data source clipped to the clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np

from quantflow.backtest import rules
from quantflow.backtest.accounts import SymbolAccounts
from quantflow.backtest.config import BacktestConfig
from quantflow.backtest.history import ClippedSource, History, load_history
from quantflow.backtest.results import (
    VALUE,
    BacktestResult,
    EquityPoint,
    FillFields,
    OrderFields,
    PositionRecord,
    build_result,
    equity_points,
    fill_rows,
    order_rows,
)
from quantflow.backtest.sessions import Sessions
from quantflow.backtest.setup import BacktestError, Prepared, prepare
from quantflow.domain.orders import Fill, Order
from quantflow.engine import RunContext, RunMode, RunStatus, execute
from quantflow.gc_pause import gc_relaxed, keep_young_empty
from quantflow.market.calendar import default_calendar
from quantflow.market.sessions import vn_day
from quantflow.plugins.registry import Kind
from quantflow.trading.paper import PaperBroker

Progress = Callable[[int, int], None]  # (sessions done, sessions in total)


async def run_bar_by_bar(
    workflow: Any, source: Any, config: BacktestConfig, *, types: Kind[Any] | None = None,
    mode: RunMode = RunMode.BACKTEST, progress: Progress | None = None,
) -> BacktestResult:
    prepared = prepare(workflow, config, types)
    history = await load_history(source, prepared.symbols, config.start, config.end, prepared.warmup)
    broker = make_broker(config, history.symbols)
    await broker.connect()
    with gc_relaxed():  # thousands of short-lived order objects, then result rows, over a large, stable heap
        equity = await _replay(prepared, history, broker, config, mode, progress)
        return await collect(broker, config, history, equity, "bar_by_bar")


def make_broker(config: BacktestConfig, symbols: tuple[str, ...]) -> PaperBroker | SymbolAccounts:
    """The paper broker of the backtest: one account, or one per symbol (`config.accounts`)."""
    if config.accounts == "per_symbol":
        return SymbolAccounts({s: config.broker_config([s]) for s in symbols}, default_calendar())
    return PaperBroker(config.broker_config(list(symbols)), calendar=default_calendar())


async def _replay(prepared: Prepared, history: History, broker: PaperBroker | SymbolAccounts, config: BacktestConfig,
                  mode: RunMode, progress: Progress | None) -> list[EquityPoint]:
    closing = [rules.daily_close(day) for day in history.timeline]  # each session's close: the run's clock
    clock = [closing[0]]
    view = ClippedSource(history, lambda: clock[0])
    sessions = Sessions(history)
    accounts = broker if isinstance(broker, SymbolAccounts) else None  # (asked once, not per session)
    if accounts is not None:
        timeline = history.timeline
        accounts.start_sessions(history.symbols, lambda symbol, i: history.series[symbol].broker_bar(i),
                                lambda row, k: (timeline[k], closing[k], sessions.close.item(row, k)))
    services = {"instruments": config.instruments(list(history.symbols)), "fees": config.fees,
                "calendar": default_calendar()}
    state: dict[str, dict[str, Any]] = {}
    cash_of: list[int] = []  # each session's cash and equity, for the equity curve
    equity_of: list[int] = []
    total = len(history.timeline)
    row_of = {s: r for r, s in enumerate(history.symbols)}
    closes_at = np.ascontiguousarray(sessions.close.T)  # per session: every row's latest close
    top_close = max(int(sessions.close.max(initial=0)), 1)
    logger = logging.getLogger("quantflow.run")

    def now() -> datetime:
        return clock[0]

    for k, day in enumerate(history.timeline):
        rows, index = sessions.bars(k)
        sessions.check(k)
        if accounts is not None:
            await accounts.on_session(rows, index, session=k)
        else:
            for row, i in zip(rows.tolist(), index.tolist(), strict=True):
                await broker.on_bar(history.series[history.symbols[row]].broker_bar(i))
        clock[0] = closing[k]
        ctx = RunContext(run_id=f"backtest-{day.isoformat()}", mode=mode, data_source=view, broker=broker,
                         clock=now, logger=logger, state=state, incremental=True, services=services)
        # One chain after another: a backtest's nodes never wait on anything outside the process,
        # so this is the concurrent engine's order without its task group on every session.
        result = await execute(prepared.plan, ctx, concurrent=False)
        if result.status is not RunStatus.SUCCEEDED:
            raise BacktestError(f"the run on {day} failed: " + "; ".join(f"{n}: {e}" for n, e in result.errors.items()))
        by_row = accounts.holdings_by_row() if accounts is not None else None
        if by_row is not None and by_row[1].sum(dtype=np.float64) * top_close < _EXACT:  # int64 stays exact
            cash, value = by_row[0], int(by_row[1] @ closes_at[k])
        else:
            cash, held = broker.holdings()
            closes = sessions.close[:, k].tolist()  # Python ints: the sum is exact whatever its size
            value = sum(q * closes[row_of[s]] for s, q in held.items())
        cash_of.append(cash)
        equity_of.append(cash + value)
        if progress is not None:
            progress(k + 1, total)
        keep_young_empty()  # what the session left behind lives to the end of the run
    return equity_points(history.timeline, cash_of, equity_of)


async def collect(broker: PaperBroker | SymbolAccounts, config: BacktestConfig, history: History,
                  equity: list[EquityPoint], path: Any) -> BacktestResult:
    """The broker's reports, as result records (also used for paper sessions replayed in tests)."""
    orders = order_rows(_order_fields(o) for o in await broker.order_reports())
    fills = fill_rows(_fill_fields(f) for f in await broker.fill_reports())
    last = {s: round(float(h.bars.close[-1])) for s, h in history.series.items()}
    positions = [PositionRecord(symbol=p.symbol, quantity=p.quantity, cost_basis=p.cost_basis,
                                last_price=last[p.symbol], market_value=p.quantity * last[p.symbol])
                 for p in await broker.position_reports()]
    return build_result(path, config, history.symbols, orders, fills, positions, equity)


_EXACT = 2.0**61  # below this (with room for the float estimate), shares x closes cannot overflow int64


def _order_fields(o: Order) -> OrderFields:
    """`OrderRecord.of(o)`'s fields, for building it trusted: a ledger order's fields are already
    of the record's types (thousands per backtest; the parity tests hold these rows equal to the
    fast path's)."""
    return (o.client_order_id, o.symbol, VALUE[o.side], VALUE[o.order_type], o.quantity, o.price, o.created_at,
            VALUE[o.status], o.filled_quantity, o.filled_notional, o.fees_paid, o.taxes_paid, o.reject_code)


def _fill_fields(f: Fill) -> FillFields:
    """`FillRecord.of(f, its session day)`'s fields, for building it trusted (a broker fill is
    already valid)."""
    return (f.client_order_id, f.symbol, VALUE[f.side], f.quantity, f.price, f.fee, f.tax, vn_day(f.ts))
