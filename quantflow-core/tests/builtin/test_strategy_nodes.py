"""Data and logic nodes on real HPG/VCB bars: one-shot and bar-by-bar runs agree."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from typing import Any

import anyio
import numpy as np
import pytest
from quantflow.data.bars import Bars
from quantflow.engine import RunContext, RunMode, RunStatus, compile_plan, execute
from quantflow.plugins import get_host
from quantflow.testing.data import require_shared_data, shared_data_dir
from quantflow.workflow import ProblemCode, validate

DATA = shared_data_dir() / "daily" / "vci_adjusted_2019_2025"


def load(symbol: str) -> Bars:
    with (DATA / f"{symbol}.csv").open() as handle:
        rows = list(csv.DictReader(handle))[:-1]  # the last row is a partial intraday snapshot
    time = np.array([np.datetime64(r["date"][:10], "ns") for r in rows])
    col = lambda k: np.array([round(float(r[k]) * 1000) for r in rows], dtype=float)  # noqa: E731
    return Bars(symbol, time, col("open"), col("high"), col("low"), col("close"), np.array([float(r["volume"]) for r in rows]))


class Source:
    def __init__(self, *symbols: str) -> None:
        self.data = {s: load(s) for s in symbols}

    def symbols(self) -> list[str]:
        return list(self.data)

    async def bars(self, symbol: str, resolution: str, start: Any, end: Any) -> Bars:
        return self.data[symbol]


WORKFLOW = {
    "id": "w",
    "name": "SMA cross with RSI filter",
    "nodes": [
        {"id": "go", "type": "core:manual_trigger"},
        {"id": "bars", "type": "core:bars", "params": {"symbols": ["HPG", "VCB"], "lookback": 5000}},
        {"id": "fast", "type": "core:indicator", "params": {"function": "sma", "args": [10]}},
        {"id": "slow", "type": "core:indicator", "params": {"function": "sma", "args": [30]}},
        {"id": "cross", "type": "core:crossover", "params": {"direction": "above"}},
        {"id": "calm", "type": "core:condition", "params": {"formula": "rsi(close, 14) < 70"}},
        {"id": "entry", "type": "core:and"},
        {"id": "rank", "type": "core:rank", "params": {"top_n": 1}},
    ],
    "edges": [
        {"source": "go", "source_port": "out", "target": "bars", "target_port": "trigger"},
        {"source": "bars", "source_port": "frame", "target": "fast", "target_port": "frame"},
        {"source": "bars", "source_port": "frame", "target": "slow", "target_port": "frame"},
        {"source": "bars", "source_port": "frame", "target": "calm", "target_port": "frame"},
        {"source": "fast", "source_port": "out", "target": "cross", "target_port": "a"},
        {"source": "slow", "source_port": "out", "target": "cross", "target_port": "b"},
        {"source": "cross", "source_port": "out", "target": "entry", "target_port": "conditions"},
        {"source": "calm", "source_port": "out", "target": "entry", "target_port": "conditions"},
        {"source": "bars", "source_port": "frame", "target": "rank", "target_port": "frame"},
        {"source": "fast", "source_port": "out", "target": "rank", "target_port": "a"},
    ],
}

@pytest.fixture(autouse=True)
def needs_data() -> None:
    require_shared_data("daily", "vci_adjusted_2019_2025")


def plan() -> Any:
    result = validate(WORKFLOW, get_host().registry.node_types)
    assert result.ok, [str(p) for p in result.errors]
    return compile_plan(result)


def test_one_shot_and_bar_by_bar_give_the_same_signals() -> None:
    source, compiled = Source("HPG", "VCB"), plan()
    end = datetime(2025, 11, 12, tzinfo=UTC)
    one_shot = anyio.run(execute, compiled, RunContext(run_id="a", mode=RunMode.BACKTEST, data_source=source, clock=lambda: end))
    assert one_shot.status is RunStatus.SUCCEEDED
    entries = one_shot.outputs["entry"]["out"]
    assert entries["HPG"].sum() > 5  # the strategy trades on real data

    times = source.data["HPG"].time[-300:]
    state: dict[str, Any] = {}
    streamed: dict[str, list[bool]] = {"HPG": [], "VCB": []}
    for t in times:
        now = datetime.fromisoformat(str(t)[:19]).replace(tzinfo=UTC)
        ctx = RunContext(run_id="b", mode=RunMode.BACKTEST, data_source=source, clock=lambda now=now: now, state=state, incremental=True)
        result = anyio.run(execute, compiled, ctx)
        assert result.status is RunStatus.SUCCEEDED, result.errors
        for symbol, values in result.outputs["entry"]["out"].items():
            streamed[symbol].extend(values.tolist())
    # first incremental run loads the full history (lookback 5000) then one new bar per run
    for symbol in ("HPG", "VCB"):
        assert streamed[symbol][-299:] == entries[symbol][-299:].tolist()


def test_bars_node_never_returns_a_bar_after_the_clock() -> None:
    source, compiled = Source("HPG", "VCB"), plan()
    cut = datetime(2022, 1, 5, tzinfo=UTC)
    result = anyio.run(execute, compiled, RunContext(run_id="c", data_source=source, clock=lambda: cut))
    frame = result.outputs["bars"]["frame"]
    assert frame["HPG"].time[-1] == np.datetime64("2022-01-05")
    assert frame["HPG"].close[-1] == 26830.0  # adjusted, thousand VND x 1000


def test_formula_typos_are_invalid_params_with_positions() -> None:
    bad = {**WORKFLOW, "nodes": [*WORKFLOW["nodes"][:5], {"id": "calm", "type": "core:condition", "params": {"formula": "rsii(close, 14) < 70"}}, *WORKFLOW["nodes"][6:]]}
    result = validate(bad, get_host().registry.node_types)
    (problem,) = [p for p in result.problems if p.code is ProblemCode.INVALID_PARAM]
    assert problem.node_id == "calm" and problem.param == "formula"
    assert "line 1, column 1" in problem.message and "rsi" in problem.message
    number = {**WORKFLOW, "nodes": [*WORKFLOW["nodes"][:5], {"id": "calm", "type": "core:condition", "params": {"formula": "rsi(close, 14)"}}, *WORKFLOW["nodes"][6:]]}
    (problem,) = [p for p in validate(number, get_host().registry.node_types).problems if p.code is ProblemCode.INVALID_PARAM]
    assert "needs bool" in problem.message
