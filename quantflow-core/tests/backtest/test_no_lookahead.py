"""A node can never see a bar after the current one, however it asks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import anyio
import numpy as np
from quantflow.backtest import BacktestConfig, run_bar_by_bar, run_fast
from quantflow.backtest.setup import node_types
from quantflow.engine import RunContext
from quantflow.nodes import Category, Event, node

from .conftest import Source, needs_data, sma_cross

pytestmark = needs_data
SEEN: list[tuple[datetime, np.datetime64, int]] = []


@node("test:peek", category=Category.LOGIC, title="Cheat", stateful=True)
async def peek(ctx: RunContext, trigger: Event = None) -> Event:
    """Tries every way to read tomorrow: no end, an end far in the future, a start in the future."""
    future = datetime(2030, 1, 1, tzinfo=UTC)
    for end in (None, future):
        bars = await ctx.data_source.bars("HPG", "1D", None, end)
        SEEN.append((ctx.now(), bars.time[-1], len(bars)))
    ahead = await ctx.data_source.bars("HPG", "1D", ctx.now(), future)
    SEEN.append((ctx.now(), ahead.time[-1] if len(ahead) else np.datetime64("NaT"), len(ahead)))
    return {"time": ctx.now().isoformat(), "reason": "peek"}


def cheating_workflow() -> dict[str, Any]:
    workflow = sma_cross(["HPG"])
    workflow["nodes"].append({"id": "peek", "type": "test:peek"})
    return workflow


def test_a_cheating_node_never_sees_a_future_bar() -> None:
    SEEN.clear()
    config = BacktestConfig(start=date(2023, 1, 3), end=date(2023, 3, 31))
    source = Source("HPG")
    anyio.run(lambda: run_bar_by_bar(cheating_workflow(), source, config, types=node_types([peek])))
    sessions = {now for now, _, _ in SEEN}
    assert len(sessions) > 55 and len(SEEN) == 3 * len(sessions)  # three reads a session
    full = source.data["HPG"]
    for now, last, _ in SEEN:
        cutoff = np.datetime64(now.astimezone(UTC).replace(tzinfo=None), "ns")
        assert np.isnat(last) or last <= cutoff
        # what it got is exactly everything up to now: the current bar is visible, tomorrow is not
        visible = full.time[full.time <= cutoff]
        assert np.isnat(last) or last == visible[-1]


def test_fast_path_signals_are_the_same_bars_one_at_a_time() -> None:
    """The fast path runs the signal graph once over all history; a cheat inside it would make
    its orders differ from the bar-by-bar path's, which the parity tests forbid. Here: the fast
    path refuses a side-effect node it cannot simulate rather than guessing."""
    workflow = sma_cross(["HPG"])
    workflow["nodes"].append({"id": "note", "type": "core:log"})
    config = BacktestConfig(start=date(2023, 1, 3), end=date(2023, 3, 31))
    try:
        anyio.run(lambda: run_fast(workflow, Source("HPG"), config))
    except Exception as exc:  # noqa: BLE001
        assert "bar-by-bar" in str(exc)
    else:
        raise AssertionError("the fast path must refuse core:log")
