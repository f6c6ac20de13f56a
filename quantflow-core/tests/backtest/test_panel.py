"""Panel port values (`quantflow.nodes.panel`): a frame is still a Mapping[str, Bars] that never shows
a bar after the clock, and every node gives on panels exactly what it gives on plain dicts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date
from typing import Any

import anyio
import numpy as np
import pytest
from quantflow.backtest import BacktestConfig, rules, run_bar_by_bar
from quantflow.backtest.history import ClippedSource, load_history
from quantflow.builtin import formula as formulas
from quantflow.builtin.close_book import CloseBook
from quantflow.builtin.data_nodes import BarsParams, bars_node
from quantflow.data.bars import FIELDS, Bars
from quantflow.engine import RunContext
from quantflow.nodes.panel import Layout, PanelFrame, SeriesPanel

from .conftest import Source, needs_data, sma_cross

pytestmark = needs_data
SYMBOLS = ["HPG", "VNM", "FPT"]
START, END = date(2023, 1, 3), date(2023, 3, 31)


class PlainSource:
    """The same clipped history without `panel_window`: the bars node's per-symbol path."""

    def __init__(self, inner: ClippedSource) -> None:
        self.inner = inner

    async def bars(self, *args: Any) -> Bars:
        return await self.inner.bars(*args)


def _sessions(incremental: bool) -> list[tuple[Any, dict[str, Bars]]]:
    """(panel frame, per-symbol frame) from the bars node on every session of the period."""

    async def go() -> list[tuple[Any, dict[str, Bars]]]:
        history = await load_history(Source(*SYMBOLS), SYMBOLS, START, END, 40)
        clock = [rules.daily_close(history.timeline[0])]
        view = ClippedSource(history, lambda: clock[0])
        panel_state: dict[str, dict[str, Any]] = {}
        plain_state: dict[str, dict[str, Any]] = {}
        params = BarsParams(symbols=["VNM", "HPG", "FPT", "HPG"], lookback=40)
        out = []
        for day in history.timeline:
            clock[0] = rules.daily_close(day)
            runs = []
            for source, state in ((view, panel_state), (PlainSource(view), plain_state)):
                ctx = RunContext(run_id="t", data_source=source, clock=lambda: clock[0], state=state,
                                 incremental=incremental).for_node("bars")
                runs.append(await bars_node.invoke(ctx, params, {}))
            out.append((runs[0]["frame"], runs[1]["frame"]))
        return out

    return anyio.run(go)


@pytest.mark.parametrize("incremental", [True, False])
def test_a_panel_frame_is_the_per_symbol_frame(incremental: bool) -> None:
    for panel, plain in _sessions(incremental):
        assert isinstance(panel, PanelFrame) and isinstance(panel, Mapping)
        assert list(panel) == list(plain) == ["VNM", "HPG", "FPT"]  # requested order, no duplicates
        assert len(panel) == 3 and "HPG" in panel and "MWG" not in panel and panel.get("MWG") is None
        for symbol, bars in panel.items():
            assert isinstance(bars, Bars) and bars.symbol == symbol
            for name in ("time", *FIELDS):
                assert np.array_equal(getattr(bars, name), getattr(plain[symbol], name))


def test_a_panel_frame_never_shows_a_bar_after_the_clock() -> None:
    sessions = _sessions(False)
    for panel, _ in sessions:
        newest = max(bars.time[-1] for bars in panel.values())
        for bars in panel.values():
            assert bars.time[-1] <= newest
            assert np.array_equal(panel.lengths, [len(panel[s]) for s in panel])
    with pytest.raises(KeyError):
        sessions[0][0]["MWG"]


def test_the_clock_clips_the_panel_like_the_source() -> None:
    async def go() -> None:
        history = await load_history(Source(*SYMBOLS), SYMBOLS, START, END, 40)
        for day in history.timeline[::7]:
            now = rules.daily_close(day)
            view = ClippedSource(history, lambda now=now: now)
            panel, ends = view.panel_window(None)
            for symbol in SYMBOLS:
                served = await view.bars(symbol, "1D", None, None)
                assert ends[panel.row[symbol]] == len(served)
                cutoff = np.datetime64(now.astimezone(UTC).replace(tzinfo=None), "ns")
                assert served.time[-1] <= cutoff

    anyio.run(go)


FORMULAS = ["sma(close, 5)", "close > sma(close, 3)", "value / volume", "crossover(sma(close, 2), sma(close, 4))",
            "rsi(close, 3)", "a - b", "(high - low) / a"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_gives_the_same_on_panels_and_dicts(text: str) -> None:
    panel_state: dict[str, dict[str, Any]] = {}
    plain_state: dict[str, dict[str, Any]] = {}
    compiled = formulas.compiled(text)
    for panel, plain in _sessions(True):
        lengths = panel.lengths
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        a = SeriesPanel(panel.layout, panel.column("close", np.concatenate(
            [np.arange(p, p + n) for p, n in zip(panel.positions(), lengths, strict=True)]).astype(np.int64)), offsets)
        b = SeriesPanel(panel.layout, a.flat * 0.5, offsets)
        inputs = {"a": a, "b": b}
        got = formulas.evaluate(RunContext(run_id="t", state=panel_state, incremental=True).for_node("f"),
                                compiled, panel, inputs)
        want = formulas.evaluate(RunContext(run_id="t", state=plain_state, incremental=True).for_node("f"),
                                 compiled, plain, {k: dict(v) for k, v in inputs.items()})
        assert isinstance(got, SeriesPanel)
        assert set(got) == set(want)
        for symbol in want:
            assert got[symbol].dtype == want[symbol].dtype
            np.testing.assert_array_equal(got[symbol], want[symbol])  # NaN == NaN, bit for bit


def test_series_panel_is_a_mapping_of_arrays() -> None:
    layout = Layout.of(["A", "B", "C"])
    series = SeriesPanel(layout, np.array([1.0, 2.0, 3.0]), np.array([0, 2, 2, 3]))
    assert dict(series.items()).keys() == {"A", "B", "C"}
    assert list(series["A"]) == [1.0, 2.0] and len(series["B"]) == 0 and list(series["C"]) == [3.0]
    has, last = series.latest()
    assert list(has) == [True, False, True] and last[0] == 2.0 and last[2] == 3.0


def test_close_book_on_panels_equals_symbol_by_symbol() -> None:
    fast, slow = CloseBook(), CloseBook()
    for panel, plain in _sessions(True):
        fast.update_panel(panel)
        for symbol, bars in plain.items():
            slow.update(symbol, bars)
        for symbol in plain:
            assert fast.get(symbol) == slow.get(symbol)


def test_bar_by_bar_backtest_is_the_same_without_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole backtest, once through panels and once with the per-symbol frame path."""
    config = BacktestConfig(start=date(2022, 1, 4), end=date(2023, 6, 30), accounts="per_symbol")
    workflow = sma_cross(SYMBOLS)
    with_panels = anyio.run(lambda: run_bar_by_bar(workflow, Source(*SYMBOLS), config))
    monkeypatch.delattr(ClippedSource, "panel_window")
    without = anyio.run(lambda: run_bar_by_bar(workflow, Source(*SYMBOLS), config))
    assert with_panels.fills and with_panels.model_dump() == without.model_dump()
