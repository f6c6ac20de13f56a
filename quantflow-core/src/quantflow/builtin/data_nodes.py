"""Data nodes: where bars enter a workflow."""

from __future__ import annotations

import csv
import difflib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from quantflow.builtin import formula as formulas
from quantflow.data.bars import Bars
from quantflow.engine.context import RunContext
from quantflow.errors import QuantflowError
from quantflow.expr import ExpressionError
from quantflow.nodes import AnyValue, Category, Event, Frame, NodeParams, Port, PortType, Series, node
from quantflow.nodes.panel import Layout, PanelFrame
from quantflow.plugins import get_host

Resolution = Literal["1m", "5m", "15m", "30m", "1H", "1D"]
Symbol = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Z0-9_.\-]+$")]


class BarsParams(NodeParams):
    symbols: list[Symbol] = Field(
        default_factory=list, max_length=2000,
        description="Symbols to load (ignored when a universe is connected).",
    )
    resolution: Resolution = Field("1D", description="Bar length.")
    lookback: int = Field(
        300, ge=1, le=100_000,
        description="Bars of history loaded before the first live bar (warm-up for indicators).",
    )


@node(
    "core:bars",
    category=Category.DATA,
    title="Bars",
    icon="candlestick",
    stateful=True,
    outputs={"frame": Port(PortType.FRAME, "Bars per symbol (only new bars in an incremental run).")},
)
async def bars_node(
    ctx: RunContext,
    params: BarsParams,
    trigger: Event = None,
    universe: Annotated[Any, Port(PortType.ANY, "A list of symbols from a universe node.", required=False)] = None,
) -> Frame:
    """Loads OHLCV bars from the run's data source, never past the run's clock."""
    source = ctx.data_source
    if source is None:
        raise QuantflowError("this run has no data source; start it as a backtest or paper run")
    # once each: a repeated symbol would otherwise be read twice, the second time as "nothing new"
    state = ctx.node_state()
    wanted = universe if universe is not None else params.symbols
    known = state.get("_symbols")
    if known is not None and known[0] is wanted and known[1] == len(wanted):
        symbols = known[2]  # the same list as in the previous run (a session's usual case)
    else:
        symbols = list(dict.fromkeys(wanted))
        state["_symbols"] = (wanted, len(wanted), symbols)
    if not symbols:
        raise QuantflowError("no symbols: set 'symbols' or connect a universe")
    now = ctx.now()
    if params.resolution == "1D" and hasattr(source, "panel_window"):
        return _panel_frame(ctx, params, source, symbols, now, state)
    frame: dict[str, Bars] = {}
    cutoff = np.datetime64(now.replace(tzinfo=None), "ns")
    for symbol in symbols:
        bars = await source.bars(symbol, params.resolution, None, now)
        end = int(np.searchsorted(bars.time, cutoff, side="right"))  # never a bar after now
        if not ctx.incremental:
            frame[symbol] = bars.upto(end)
            continue
        seen = state.get(symbol)
        if seen is None:
            start = max(0, end - params.lookback)
        elif end and bars.time[end - 1] == seen:
            start = end  # nothing new (the usual case for a symbol without a bar this session)
        elif end > 1 and bars.time[end - 2] == seen:
            start = end - 1  # one new bar (the usual case)
        else:
            start = int(np.searchsorted(bars.time, seen, side="right"))
        if start < end:
            state[symbol] = bars.time[end - 1]
        frame[symbol] = _slice(bars, start, end)
    return frame


def _panel_frame(ctx: RunContext, params: BarsParams, source: Any, symbols: list[str], now: datetime,
                 state: dict[str, Any]) -> PanelFrame:
    """The frame from a source that holds every symbol in one `Panel` (a backtest's history): the
    same bars as the per-symbol path, as positions, with no per-symbol work per run."""
    panel, ends = source.panel_window(now)
    cached = state.get("_layout")
    if cached is None or cached[1] is not panel or (cached[4] is not symbols and cached[0] != tuple(symbols)):
        key = tuple(symbols)
        missing = [s for s in key if s not in panel.row]
        if missing:
            raise QuantflowError(f"{missing[0]} is not in this backtest's data")
        layout = Layout.of(key)
        cached = state["_layout"] = (key, panel, layout, np.array([panel.row[s] for s in layout.symbols], dtype=np.int64),
                                     symbols)
    _, _, layout, rows, _ = cached
    upto_now = panel.ends(np.datetime64(now.replace(tzinfo=None), "ns"))
    ends = ends[rows] if upto_now is ends else np.minimum(ends[rows], upto_now[rows])
    if not ctx.incremental:
        return PanelFrame(panel, layout, rows, np.zeros(len(rows), dtype=np.int64), ends)
    seen = state.get("_seen")  # per panel row: bars already emitted (-1: none yet)
    if seen is None or len(seen) != len(panel.symbols):
        seen = state["_seen"] = np.full(len(panel.symbols), -1, dtype=np.int64)
    before = seen[rows]
    starts = np.where(before < 0, np.maximum(ends - params.lookback, 0), before)
    new = starts < ends
    seen[rows[new]] = ends[new]
    return PanelFrame(panel, layout, rows, starts, ends)


def _slice(bars: Bars, start: int, end: int) -> Bars:
    return Bars(
        bars.symbol, bars.time[start:end], bars.open[start:end], bars.high[start:end],
        bars.low[start:end], bars.close[start:end], bars.volume[start:end],
    )


class UniverseParams(NodeParams):
    symbols: list[Symbol] = Field(default_factory=list, max_length=5000, description="A static list.")
    reference_file: str | None = Field(
        None,
        description="CSV with a 'symbol' column and optional 'exchange' and 'icb_code*' columns "
        "(e.g. an ICB sector list); filters below apply to it.",
    )
    exchange: Literal["HOSE", "HNX", "UPCOM"] | None = None
    icb_code: str | None = Field(None, max_length=10, description="Keep symbols in this ICB code (any level).")


@node("core:universe", category=Category.DATA, title="Universe", icon="list")
def universe_node(params: UniverseParams, trigger: Event = None) -> AnyValue:
    """A list of symbols: static, or filtered from a reference file by exchange or ICB sector
    (with both, the static list is narrowed by the filters)."""
    chosen = list(dict.fromkeys(params.symbols))
    if not params.reference_file:
        return chosen
    path = Path(params.reference_file)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise QuantflowError(f"cannot read reference file {path}: {exc}") from None
    if rows and "symbol" not in rows[0]:
        raise QuantflowError(f"{path} has no 'symbol' column")
    matches = [row["symbol"] for row in rows if _matches(row, params)]
    return [s for s in chosen if s in set(matches)] if chosen else list(dict.fromkeys(matches))


def _matches(row: dict[str, str], params: UniverseParams) -> bool:
    if params.exchange and row.get("exchange", "").upper() != params.exchange:
        return False
    icb_codes = {value for key, value in row.items() if key and key.startswith("icb_code")}
    return not params.icb_code or params.icb_code in icb_codes


class IndicatorParams(NodeParams):
    function: str = Field("sma", min_length=1, max_length=40, description="An expression-language function.")
    field: Literal["open", "high", "low", "close", "volume", "value"] = "close"
    args: list[float] = Field(default_factory=lambda: [20.0], max_length=8, description="Arguments after the series.")

    @field_validator("function")
    @classmethod
    def known_function(cls, name: str) -> str:
        registry = get_host().expression_registry()
        if registry.get(name) is None:
            close = difflib.get_close_matches(name, registry.names(), n=1)
            raise ValueError(f"unknown function {name!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
        return name

    def formula(self) -> str:
        rendered = [str(int(a)) if float(a).is_integer() else repr(a) for a in self.args]
        return f"{self.function}({', '.join([self.field, *rendered])})"


@node("core:indicator", category=Category.DATA, title="Indicator", icon="activity", stateful=True)
def indicator_node(ctx: RunContext, params: IndicatorParams, frame: Frame) -> Series:
    """Any expression-language function of one bar field, e.g. rsi(close, 14), as a node."""
    state = ctx.node_state() if ctx.incremental else None
    known = state.get("_compiled") if state is not None else None
    if known is not None and known[0] is params:
        compiled = known[1]  # the same node params as in the previous run: the same formula
    else:
        try:
            compiled = formulas.compiled(params.formula())
        except ExpressionError as exc:
            raise QuantflowError(f"indicator {params.formula()}: {exc}") from None
        if state is not None:
            state["_compiled"] = (params, compiled)
    return formulas.evaluate(ctx, compiled, frame, {})


@node("core:latest_quote", category=Category.DATA, title="Latest quote", icon="tag")
def latest_quote_node(frame: Frame) -> Series:
    """The latest close per symbol (one value each), in VND."""
    return {symbol: bars.close[-1:] for symbol, bars in frame.items() if len(bars)}


NODE_TYPES = [bars_node, universe_node, indicator_node, latest_quote_node]
