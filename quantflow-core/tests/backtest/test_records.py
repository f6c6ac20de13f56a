"""The bar-by-bar path builds its result rows without validating them again: they equal the
validated rows, field for field, on a real backtest with fills, rejections and expiries."""

from __future__ import annotations

from datetime import date

import anyio
from quantflow.backtest import BacktestConfig, bar_runner, rules
from quantflow.backtest.accounts import SymbolAccounts
from quantflow.backtest.results import FillRecord, OrderRecord, fill_rows, order_rows
from quantflow.market.sessions import to_vn_time

from .conftest import Source, needs_data, sma_cross

pytestmark = needs_data


def test_trusted_rows_equal_validated_rows() -> None:
    config = BacktestConfig(start=date(2022, 1, 4), end=date(2023, 12, 29), initial_cash=300_000_000,
                            accounts="per_symbol")
    workflow = sma_cross(["FPT", "HPG", "SSI"], order={"sizing": "percent_equity", "percent": 100, "order_type": "ATO"})

    async def go() -> None:
        prepared = bar_runner.prepare(workflow, config)
        history = await bar_runner.load_history(Source("FPT", "HPG", "SSI"), prepared.symbols, config.start, config.end,
                                                prepared.warmup)
        broker = bar_runner.make_broker(config, history.symbols)
        await broker.connect()
        await bar_runner._replay(prepared, history, broker, config, bar_runner.RunMode.BACKTEST, None)
        orders, fills = await broker.order_reports(), await broker.fill_reports()
        assert len(orders) > 20 and len(fills) > 20
        got_orders = order_rows(bar_runner._order_fields(o) for o in orders)
        for got, order in zip(got_orders, orders, strict=True):
            want = OrderRecord.of(order)
            assert got == want and got.model_dump_json() == want.model_dump_json()
        got_fills = fill_rows(bar_runner._fill_fields(f) for f in fills)
        for got_fill, fill in zip(got_fills, fills, strict=True):
            want_fill = FillRecord.of(fill, to_vn_time(fill.ts).date())
            assert got_fill == want_fill and got_fill.model_dump_json() == want_fill.model_dump_json()

    anyio.run(go)


def test_shares_by_row_mirror_the_holdings() -> None:
    """The per-row share counts the equity points are summed from say what `holdings` says."""
    config = BacktestConfig(start=date(2022, 1, 4), end=date(2022, 12, 30), initial_cash=300_000_000,
                            accounts="per_symbol")
    symbols = ["FPT", "HPG", "SSI", "VCB"]
    workflow = sma_cross(symbols, order={"sizing": "percent_equity", "percent": 100, "order_type": "ATO"})

    async def go() -> None:
        prepared = bar_runner.prepare(workflow, config)
        history = await bar_runner.load_history(Source(*symbols), prepared.symbols, config.start, config.end,
                                                prepared.warmup)
        broker = bar_runner.make_broker(config, history.symbols)
        await broker.connect()
        equity = await bar_runner._replay(prepared, history, broker, config, bar_runner.RunMode.BACKTEST, None)
        assert isinstance(broker, SymbolAccounts)
        by_row = broker.holdings_by_row()
        assert by_row is not None
        cash, held = broker.holdings()
        assert by_row[0] == cash and any(held.values())
        assert {s: int(q) for s, q in zip(history.symbols, by_row[1].tolist(), strict=True) if q} == \
            {s: q for s, q in held.items() if q}
        last = {s: round(float(history.series[s].bars.close[-1])) for s in history.symbols}
        assert equity[-1].equity == cash + sum(q * last[s] for s, q in held.items())

    anyio.run(go)


def test_session_closes_are_the_broker_bars_closes() -> None:
    """A lazy account's catch-up takes its bars from the sessions table (day, the session's close
    time, close) instead of building them: what the broker's bar carries, for every bar."""
    from quantflow.backtest.sessions import Sessions

    symbols = ["FPT", "HPG", "SSI", "VCB"]
    history = anyio.run(lambda: bar_runner.load_history(Source(*symbols), symbols, date(2021, 1, 4), date(2024, 12, 31), 50))
    sessions = Sessions(history)
    checked = 0
    for k, day in enumerate(history.timeline):
        rows, index = sessions.bars(k)
        for row, i in zip(rows.tolist(), index.tolist(), strict=True):
            bar = history.series[history.symbols[row]].broker_bar(i)
            assert (to_vn_time(bar.start).date(), bar.end, bar.close) == (day, rules.daily_close(day),
                                                                         int(sessions.close[row, k]))
            checked += 1
    assert checked > 3000


def test_broker_columns_are_the_symbols_broker_views() -> None:
    """What lockstep reads of the bars it matches orders on (`History.broker_columns`, computed for
    those bars only) is each symbol's own broker view (`SymbolHistory.whole`)."""
    import numpy as np

    symbols = ["FPT", "HPG", "SSI", "VCB"]
    history = anyio.run(lambda: bar_runner.load_history(Source(*symbols), symbols, date(2021, 1, 4), date(2024, 12, 31), 50))
    rng = np.random.default_rng(3)
    rows = rng.integers(0, len(symbols), 500)
    bars = np.array([rng.integers(0, len(history.series[history.symbols[r]].days)) for r in rows.tolist()])
    found = history.broker_columns(rows, bars)
    expected = np.stack([history.series[history.symbols[r]].whole[:, i] for r, i in zip(rows.tolist(), bars.tolist(), strict=True)], axis=1)
    assert np.array_equal(found, expected)
