"""Backtest speed and agreement against backtrader (issue 4, item 5).

The strategy: long-only SMA(10/30) crossover, all-in (100 % of equity) with round-lot sizing, one
independent account of 1,000,000,000 VND per ticker (QuantFlow: ONE backtest over the universe with
per-symbol accounts, so one engine run per session serves every symbol; backtrader: one Cerebro per
ticker, the only way it keeps accounts apart — one Cerebro with all datas shares one broker), on the real daily bars of every stock in
../shared/data/vn/daily/vci_adjusted_2019_2025 (indices excluded), 2019 to 2025-11-12. Signals are
taken at the close and trade at the next session's open (QuantFlow ATO; backtrader market order).

Rule differences, aligned in backtrader so the trade lists can be compared:
  * size: QuantFlow's risk engine values a priceless buy at the session's ceiling, so an all-in
    buy is capped at what buying power covers at the ceiling (+fee); backtrader uses the same
    sizing function (`quantflow.backtest.rules.buy_quantity`);
  * orders: QuantFlow sends day limit orders at the band edge (buy at the ceiling, sell at the
    floor), which fill at the open; backtrader gets the same limit orders, valid for that session
    only (a session missing from the data expires them, as on the exchange);
  * volume: a fill takes at most the bar's volume in round lots, the rest expires with the day
    order (backtrader: a filler doing `quantflow.trading.paper.matching.fillable_quantity`);
  * HOSE refuses an order above 500,000 shares: QuantFlow's risk engine rejects it, backtrader
    does not send it;
  * crossover: QuantFlow's is "a > b now and a <= b on the bar before"; backtrader's CrossOver
    ignores a touch (a == b) and would miss such crossings, so the strategy compares the SMAs;
  * costs: 0.15 % fee both ways and 0.1 % sell tax, each rounded up to whole VND per fill, the
    tax taken from cash at the fill (backtrader's add_cash would apply it a bar late);
  * T+2: a sell signal sells only the shares settled by the order's session (none: skipped);
  * a buy signal buys even when a position is held (QuantFlow's node does: percent_equity sizes
    100 % of equity, capped by the cash left), so a sell skipped under T+2 is followed alike.
Whatever still differs is listed with its cause (`differences`).

Timed, for both engines, from bars already in memory (no file reading): QuantFlow's run includes
validating the workflow, aligning the history (cutting the bars to the period, whole-VND columns,
the panel), the signal run, the simulation and the result models (reading the fills into the
comparison's trade lists is not timed); backtrader's includes building each Cerebro and its
PandasData feed, and the run.

One run of each engine is one sample on a shared 2-core machine, where a single sample of the same
code swings by 10-20 %. So the three engines run in `--rounds` rounds (backtrader, fast path,
bar-by-bar, then again), each ratio is taken within a round (the same minutes of the machine for
both engines), and the headline ratio is the median over the rounds; every round's numbers are
printed. The first round's fast-path run is the first in the process (cold: process-wide caches
such as compiled formulas and tick and band lookups are empty, memory untouched): its ratio is
printed on its own line too. The fast path is then re-run `--fast-repeats` times (wall and CPU
spread), with its history alignment timed alone and the ratio without it reported beside. CPU
seconds (`time.process_time`) are given for both engines.

Lines: backtest_qf_bar_by_bar, backtest_qf_fast, backtest_backtrader (bars/s), backtest_ratios,
backtest_agreement. Run: .venv/bin/python bench/bench_backtest.py [--tickers N] [--rounds R]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

import anyio
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit
from quantflow.backtest import (
    BacktestConfig,
    rules,
    run_bar_by_bar,
    run_fast,
)
from quantflow.backtest.history import load_history
from quantflow.data.bars import Bars
from quantflow.data.directory import DirectoryConfig, DirectorySource
from quantflow.domain.instrument import Exchange, Instrument
from quantflow.market import FeeSchedule, default_calendar
from quantflow.market.exchanges import spec_for
from quantflow.plugins import get_host
from quantflow.testing.workflows import example, with_params
from quantflow.trading.paper.matching import fillable_quantity

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "vn"
DAILY = SHARED / "daily" / "vci_adjusted_2019_2025"
INDICES = {"VNINDEX", "VN30", "HNXINDEX", "UPCOMINDEX"}
START, END = date(2019, 1, 2), date(2025, 11, 12)
CASH = 1_000_000_000
FEES = FeeSchedule()
CPU: dict[str, float] = {}  # process CPU seconds of each engine's last timed section


def exchanges() -> dict[str, Exchange]:
    found = {}
    for line in (SHARED / "reference" / "symbols_by_exchange.csv").read_text(encoding="utf-8").splitlines()[1:]:
        symbol, exchange = line.split(",")[:2]
        found[symbol] = {"HSX": Exchange.HOSE, "HOSE": Exchange.HOSE, "HNX": Exchange.HNX}.get(exchange, Exchange.UPCOM)
    return found


class Memory:
    """Bars already in memory, so no engine pays for file reading inside the timed part."""

    def __init__(self, bars: dict[str, Bars]) -> None:
        self.data = bars

    def symbols(self) -> list[str]:
        return list(self.data)

    async def bars(self, symbol: str, resolution: str, start: Any, end: Any) -> Bars:
        return self.data[symbol]


def workflow(symbols: list[str]) -> dict[str, Any]:
    """The published SMA(10/30) crossover example, all-in: 100% of equity at the band edge."""
    order = {"sizing": "percent_equity", "percent": 100, "order_type": "LO", "limit_at": "band"}
    return with_params(example("sma_crossover"), bars={"symbols": symbols, "lookback": 300}, trade=order)


def run_quantflow(runner: Any, data: dict[str, Bars], config: BacktestConfig) -> tuple[float, dict[str, list[tuple[date, str, int]]]]:
    """One backtest over the whole universe: one engine run per session for every symbol, one
    independent account per symbol (`accounts="per_symbol"`), as backtrader's one run per ticker."""
    async def universe() -> Any:
        return await runner(workflow(list(data)), Memory(data), config)

    started, cpu = time.perf_counter(), time.process_time()
    result = anyio.run(universe)
    CPU[runner.__name__] = time.process_time() - cpu
    seconds = time.perf_counter() - started
    trades: dict[str, list[tuple[date, str, int]]] = {s: [] for s in data}  # for the comparison, untimed
    for f in result.fills:
        trades[f.symbol].append((f.day, f.side, f.quantity))
    return seconds, trades


def repeat_fast(data: dict[str, Bars], config: BacktestConfig, times: int) -> dict[str, Any]:
    """The fast path again, `times` times, and its history alignment alone (cutting the in-memory
    bars to the period, whole-VND columns, the panel: work the timed run includes). A run of a
    fraction of a second is at the mercy of the scheduler on a shared machine, so the spread of
    wall and CPU times is reported, not one draw."""
    walls, cpus, loads = [], [], []
    symbols = list(data)
    for _ in range(times):
        seconds, _trades = run_quantflow(run_fast, data, config)
        walls.append(seconds)
        cpus.append(CPU["run_fast"])

        async def align() -> None:
            await load_history(Memory(data), symbols, config.start, config.end, 300)

        started = time.perf_counter()
        anyio.run(align)
        loads.append(time.perf_counter() - started)
    return {"wall": walls, "cpu": cpus, "alignment": loads}


def run_backtrader(data: dict[str, Bars], exchange_of: dict[str, Exchange]) -> tuple[float, dict[str, list[tuple[date, str, int]]]]:
    import backtrader as bt
    import pandas as pd

    calendar = default_calendar()

    class VnCosts(bt.CommInfoBase):
        params = (("stocklike", True), ("commtype", bt.CommInfoBase.COMM_FIXED))

        def _getcommission(self, size: float, price: float, pseudoexec: bool) -> float:
            return float(FEES.fee(round(abs(size) * price)))  # the sell tax is charged on the fill below

    class RoundLotVolumeCap:
        """At most the bar's volume, in round lots (odd lots all or nothing), as the paper broker."""

        def __call__(self, order: Any, price: float, ago: int) -> int:
            return fillable_quantity(int(abs(order.executed.remsize)), int(order.data.volume[ago]), 100)

    class SmaCross(bt.Strategy):
        params = (("instrument", None),)

        def __init__(self) -> None:
            self.fast, self.slow = bt.ind.SMA(period=10), bt.ind.SMA(period=30)
            self.fills: list[tuple[date, str, int]] = []
            self.bought: list[tuple[date, int]] = []  # buy fills (day, shares), for T+2

        def next(self) -> None:
            today = self.data.datetime.date(0)
            if today < START:
                return
            fast, slow = self.fast, self.slow
            up = fast[-1] <= slow[-1] and fast[0] > slow[0]
            down = fast[-1] >= slow[-1] and fast[0] < slow[0]
            close = round(self.data.close[0])
            order_day = calendar.next_trading_day(today)
            # bars are stamped at midnight: noon of the order's session ends its validity there
            day_only = {"exectype": bt.Order.Limit, "valid": datetime.combine(order_day, time_of_day(12))}
            instrument = self.p.instrument
            limits = rules.limits_for(instrument, close, order_day)
            held = int(self.position.size)
            if limits is None:  # no valid band (penny price): QuantFlow sends nothing either
                return
            if held and down:  # sell what has settled by the order's session
                sellable = held - sum(q for d, q in self.bought if calendar.settlement_date(d) > order_day)
                sellable -= sellable % 100
                if sellable > 0:
                    self.sell(size=sellable, price=limits.floor, **day_only)
            elif up:  # as QuantFlow's node: a buy signal buys, holding or not
                cash = round(self.broker.getcash())
                qty = rules.buy_quantity("percent_equity", lot=100, equity=cash + held * close, close=close, held=held,
                                         reserve_at=limits.ceiling, buying_power=cash, fees=FEES, quantity=0,
                                         percent=100.0, risk_percent=1.0, atr_multiple=1.0, atr=None)
                maximum = spec_for(instrument.exchange).max_order_quantity
                if qty and (maximum is None or qty <= maximum):
                    self.buy(size=qty, price=limits.ceiling, **day_only)

        def notify_order(self, order: Any) -> None:
            if order.status in (order.Partial, order.Completed):
                fill = order.executed.exbits[-1]  # this execution (a day order may fill in parts)
                day = bt.num2date(order.executed.dt).date()
                size = int(abs(fill.size))
                side = "buy" if order.isbuy() else "sell"
                if side == "buy":
                    self.bought.append((day, size))
                else:  # backtrader gives commission code an unsigned size, so the tax goes here
                    self.broker.cash -= FEES.sell_tax(round(size * fill.price))
                self.fills.append((day, side, size))

    trades: dict[str, list[tuple[date, str, int]]] = {}
    frames = {}
    for symbol, bars in data.items():
        frames[symbol] = pd.DataFrame(
            {"open": np.rint(bars.open), "high": np.rint(bars.high), "low": np.rint(bars.low), "close": np.rint(bars.close),
             "volume": bars.volume},  # whole VND, as QuantFlow's broker sees them
            index=pd.DatetimeIndex(bars.time.astype("datetime64[D]")))
    started, cpu = time.perf_counter(), time.process_time()
    for symbol, frame in frames.items():
        cerebro = bt.Cerebro(stdstats=False)
        cerebro.adddata(bt.feeds.PandasData(dataname=frame))
        cerebro.broker.setcash(float(CASH))
        cerebro.broker.addcommissioninfo(VnCosts())
        cerebro.broker.set_filler(RoundLotVolumeCap())
        cerebro.addstrategy(SmaCross, instrument=Instrument(symbol=symbol, exchange=exchange_of.get(symbol, Exchange.HOSE)))
        (strategy,) = cerebro.run()
        trades[symbol] = strategy.fills
    CPU["backtrader"] = time.process_time() - cpu
    return time.perf_counter() - started, trades


def differences(qf: dict[str, list[Any]], other: dict[str, list[Any]], data: dict[str, Bars]) -> list[dict[str, Any]]:
    """Per ticker, the first fill where the engines diverge, with its cause found in the data
    (after a divergence the two accounts hold different cash, so later fills differ by consequence)."""
    out = []
    for symbol in sorted(qf):
        a, b = qf[symbol], other.get(symbol, [])
        if a == b:
            continue
        i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        x, y = (a[i] if i < len(a) else None), (b[i] if i < len(b) else None)
        bars = data[symbol]
        volume = dict(zip(bars.time.astype("datetime64[D]").astype(date).tolist(), bars.volume.tolist(), strict=True))
        if x and y and x[:2] == y[:2]:
            lots = math.floor(volume.get(x[0], 0) / 100) * 100
            cause = ("volume cap: QuantFlow fills at most the bar's volume" if x[2] == lots
                     else "same fill, different quantity (cash differs)")
        elif x and y and x[1] == y[1] and x[0] != y[0]:
            cause = "a session missing from the data: QuantFlow's day order expires, backtrader fills on the next bar"
        elif x is None or y is None:
            cause = "one engine has an extra fill at the end of the data"
        else:
            cause = "unexplained"
        out.append({"symbol": symbol, "fill_index": i, "quantflow": _show(x), "backtrader": _show(y),
                    "later_fills_differing": sum(p != q for p, q in zip(a[i:], b[i:], strict=False)), "cause": cause})
    return out


def _show(fill: tuple[date, str, int] | None) -> str | None:
    return None if fill is None else f"{fill[0]} {fill[1]} {fill[2]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all three engines; ratios per round, median reported")
    parser.add_argument("--fast-repeats", type=int, default=5, help="extra fast-path runs, for its spread")
    args = parser.parse_args()
    source = DirectorySource(DirectoryConfig(path=DAILY, preset="vci", end=END, policy="repair", check_calendar=False))
    symbols = [s for s in sorted(source.symbols()) if s not in INDICES][: args.tickers]
    data = {s: source.read(s) for s in symbols}
    exchange_of = exchanges()
    config = BacktestConfig(start=START, end=END, initial_cash=CASH, accounts="per_symbol",
                            exchanges={s: exchange_of.get(s, Exchange.HOSE) for s in symbols})
    n_bars = int(sum(int(np.sum(b.time.astype("datetime64[D]") >= np.datetime64(START))) for b in data.values()))

    started = time.perf_counter()
    get_host()  # QuantFlow's imports and plugin discovery, once per process (backtrader's import is untimed too)
    anyio.run(anyio.sleep, 0)  # and the event loop backend's import, which the first anyio.run pays
    host_seconds = time.perf_counter() - started
    rounds: list[dict[str, float]] = []
    trade_lists: list[tuple[Any, Any, Any]] = []
    for _ in range(args.rounds):
        bt_seconds, bt_trades = run_backtrader(data, exchange_of)
        fast_seconds, fast_trades = run_quantflow(run_fast, data, config)
        bar_seconds, bar_trades = run_quantflow(run_bar_by_bar, data, config)
        rounds.append({"backtrader": bt_seconds, "fast": fast_seconds, "bar_by_bar": bar_seconds,
                       "backtrader_cpu": CPU["backtrader"], "fast_cpu": CPU["run_fast"], "bar_by_bar_cpu": CPU["run_bar_by_bar"]})
        trade_lists.append((bt_trades, fast_trades, bar_trades))
    bt_trades, fast_trades, bar_trades = trade_lists[0]

    def per_round(name: str) -> list[float]:
        return [r[name] for r in rounds]

    def ratios(name: str) -> list[float]:
        return [r["backtrader"] / r[name] for r in rounds]

    common = {"tickers": len(symbols), "bars": n_bars, "period": f"{START}..{END}", "rounds": args.rounds}
    for label, name in (("backtest_backtrader", "backtrader"), ("backtest_qf_bar_by_bar", "bar_by_bar")):
        seconds = statistics.median(per_round(name))
        emit(label, **common, seconds=round(seconds, 3), bars_per_s=round(n_bars / seconds),
             seconds_per_round=_rounded(per_round(name)), cpu_seconds_per_round=_rounded(per_round(f"{name}_cpu")))
    again = repeat_fast(data, config, args.fast_repeats)
    fast_seconds = statistics.median(per_round("fast"))
    median = statistics.median(again["wall"])
    alignment = statistics.median(again["alignment"])
    emit("backtest_qf_fast", **common, seconds=round(fast_seconds, 3), bars_per_s=round(n_bars / fast_seconds),
         seconds_per_round=_rounded(per_round("fast")), cpu_seconds_per_round=_rounded(per_round("fast_cpu")),
         first_run_seconds=round(rounds[0]["fast"], 3), plugin_host_load_seconds=round(host_seconds, 3),
         repeats=args.fast_repeats, repeat_wall_seconds=_rounded(again["wall"]), repeat_cpu_seconds=_rounded(again["cpu"]),
         history_alignment_median_seconds=round(alignment, 3), repeat_median_without_alignment_seconds=round(median - alignment, 3))
    bt_median = statistics.median(per_round("backtrader"))
    emit("backtest_ratios", bar_by_bar_vs_backtrader=round(statistics.median(ratios("bar_by_bar")), 2), goal_bar_by_bar=10,
         fast_vs_backtrader=round(statistics.median(ratios("fast")), 2), goal_fast=200,
         bar_by_bar_per_round=_rounded(ratios("bar_by_bar"), 2), fast_per_round=_rounded(ratios("fast"), 2),
         fast_first_run_vs_backtrader=round(rounds[0]["backtrader"] / rounds[0]["fast"], 2),
         bar_by_bar_vs_backtrader_cpu=round(statistics.median(per_round("backtrader_cpu")) / statistics.median(per_round("bar_by_bar_cpu")), 2),
         fast_vs_backtrader_cpu=round(statistics.median(per_round("backtrader_cpu")) / statistics.median(per_round("fast_cpu")), 2),
         fast_repeats_median_vs_backtrader=round(bt_median / median, 2),
         fast_without_alignment_vs_backtrader=round(bt_median / (median - alignment), 2))
    diffs = differences(bar_trades, bt_trades, data)
    emit("backtest_agreement", fast_equals_bar_by_bar=fast_trades == bar_trades,
         same_in_every_round=all(t == trade_lists[0] for t in trade_lists),
         fills_quantflow=sum(map(len, bar_trades.values())), fills_backtrader=sum(map(len, bt_trades.values())),
         tickers_identical=sum(bar_trades[s] == bt_trades.get(s, []) for s in symbols),
         tickers_same_dates=sum([f[:2] for f in bar_trades[s]] == [f[:2] for f in bt_trades.get(s, [])] for s in symbols),
         tickers_diverging=len(diffs), first_divergence_causes={c: sum(d["cause"] == c for d in diffs) for c in sorted({d["cause"] for d in diffs})})
    for diff in diffs:
        print("  diff", diff, file=sys.stderr)


def _rounded(values: list[float], digits: int = 3) -> list[float]:
    return [round(v, digits) for v in values]


if __name__ == "__main__":
    main()
