"""Trigger nodes through the validator and the engine, price-alert crossing rules, and what
`trigger_specs` tells a host."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime
from typing import Any

import anyio
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.builtin import plugin as core_plugin
from quantflow.builtin.trigger_nodes import crossings
from quantflow.data.bars import Bars
from quantflow.engine import RunContext, RunMode, RunStatus, compile_plan, execute
from quantflow.market.sessions import VN_TZ
from quantflow.nodes import Category, Event, Frame, node
from quantflow.plugins import PluginHost, get_host
from quantflow.testing.plugins import make_plugin
from quantflow.triggers import (
    WAKE_SERVICE,
    TriggerKind,
    TriggerSpec,
    Wake,
    next_fire_time,
    trigger_specs,
)
from quantflow.workflow import ProblemCode, validate

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # 15:00 in Hanoi, a Monday


def workflow(*nodes: dict[str, Any], edges: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"id": "w", "name": "triggers", "nodes": list(nodes), "edges": edges or []}


def run(flow: dict[str, Any], ctx: RunContext) -> Any:
    result = validate(flow, get_host().registry.node_types)
    assert result.ok, [str(p) for p in result.errors]
    outcome = anyio.run(execute, compile_plan(result), ctx)
    assert outcome.status is RunStatus.SUCCEEDED, outcome.errors
    return outcome.outputs


# -- validation ------------------------------------------------------------------------------------


def test_an_invalid_cron_is_an_invalid_param_on_that_node() -> None:
    flow = workflow({"id": "every", "type": "core:schedule", "params": {"cron": "0 25 * * *"}})
    result = validate(flow, get_host().registry.node_types)
    [problem] = result.errors
    assert (problem.code, problem.node_id, problem.param) == (ProblemCode.INVALID_PARAM, "every", "cron")
    assert "not a valid cron expression" in problem.message


def test_tick_needs_symbols_and_alert_needs_a_positive_level() -> None:
    flow = workflow(
        {"id": "tick", "type": "core:on_tick", "params": {"symbols": []}},
        {"id": "alert", "type": "core:price_alert", "params": {"symbol": "HPG", "level": 0}},
    )
    problems = {(p.node_id, p.param) for p in validate(flow, get_host().registry.node_types).errors}
    assert problems == {("tick", "symbols"), ("alert", "level")}


def test_params_schemas_describe_every_field_for_the_canvas() -> None:
    for type_id in ("core:schedule", "core:on_bar_close", "core:on_tick", "core:price_alert"):
        spec = get_host().registry.node_types.get(type_id)
        properties = spec.params_model.model_json_schema()["properties"]
        assert all(p.get("description") for p in properties.values()), type_id


# -- events ----------------------------------------------------------------------------------------


def test_a_manual_run_fires_every_trigger_at_the_run_clock() -> None:
    flow = workflow(
        {"id": "daily", "type": "core:schedule", "params": {"cron": "0 15 * * 1-5", "trading_days_only": True}},
        {"id": "bar", "type": "core:on_bar_close", "params": {"resolution": "5m"}},
        {"id": "tick", "type": "core:on_tick", "params": {"symbols": ["HPG", "VCB"]}},
    )
    out = run(flow, RunContext(run_id="r1", clock=lambda: NOW))
    daily, bar, tick = out["daily"]["out"], out["bar"]["out"], out["tick"]["out"]
    assert daily == {
        "time": NOW.isoformat(), "reason": "schedule", "fired": True, "run_id": "r1",
        "cron": "0 15 * * 1-5", "trading_days_only": True,
        "next_time": datetime(2025, 3, 4, 15, 0, tzinfo=VN_TZ).isoformat(),
    }
    assert (bar["reason"], bar["resolution"], bar["symbols"], bar["fired"]) == ("bar_close", "5m", [], True)
    assert (tick["reason"], tick["symbols"], tick["fired"]) == ("tick", ["HPG", "VCB"], True)


def test_a_wake_gives_the_time_and_details_and_only_its_kind_fires() -> None:
    flow = workflow(
        {"id": "daily", "type": "core:schedule", "params": {"cron": "0 15 * * *"}},
        {"id": "tick", "type": "core:on_tick", "params": {"symbols": ["HPG"]}},
    )
    when = datetime(2025, 3, 3, 10, 15, 3, tzinfo=VN_TZ)
    wake = Wake(TriggerKind.TICK, when, "tick", {"symbol": "HPG", "price": 27_550})
    out = run(flow, RunContext(run_id="r2", clock=lambda: NOW, services={WAKE_SERVICE: wake}))
    tick, daily = out["tick"]["out"], out["daily"]["out"]
    assert tick["time"] == when.isoformat() and tick["fired"] is True
    assert tick["details"] == {"symbol": "HPG", "price": 27_550} and tick["woken_by"] == "tick"
    assert daily["fired"] is False and daily["woken_by"] == "tick"


# -- price alert: what a cross is ------------------------------------------------------------------

ABOVE = [
    # prices, previous from an earlier run, crossed at each price
    ([90, 110], None, [False, True]),  # a plain cross
    ([110], None, [False]),  # the first price ever has nothing before it
    ([90, 100, 101], None, [False, False, True]),  # touching is not crossing; leaving the touch is
    ([100, 100, 100], None, [False, False, False]),  # resting on the level
    ([110, 90, 110], None, [False, False, True]),  # down and back up: crosses again
    ([50, 500], None, [False, True]),  # a gap over the level still crosses
    ([90, np.nan, 110], None, [False, False, True]),  # a missing price is skipped, not a reset
    ([110], 95.0, [True]),  # the previous run's last price counts
    ([110], 100.0, [True]),
    ([100], 95.0, [False]),
    ([], 95.0, []),
]


@pytest.mark.parametrize(("prices", "previous", "expected"), ABOVE)
def test_crossing_above(prices: list[float], previous: float | None, expected: list[bool]) -> None:
    crossed, _, _ = crossings(np.array(prices, dtype=float), 100, "above", previous)
    assert crossed.tolist() == expected


def test_crossing_below_mirrors_above() -> None:
    prices = np.array([110, 100, 99, 120, 80, 80], dtype=float)
    crossed, before, last = crossings(prices, 100, "below", None)
    assert crossed.tolist() == [False, False, True, False, True, False]
    assert (before, last) == (80.0, 80.0)


@settings(max_examples=150, deadline=None)
@given(
    prices=st.lists(st.one_of(st.integers(95, 105).map(float), st.just(float("nan"))), max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=8),
    direction=st.sampled_from(["above", "below"]),
)
def test_one_shot_and_bar_by_bar_alerts_agree(prices: list[float], cuts: list[int], direction: str) -> None:
    """Feeding prices in any pieces, carrying the last price, marks the same crosses as all at once."""
    values = np.array(prices, dtype=float)
    whole, _, _ = crossings(values, 100, direction, None)
    previous, pieces = None, []
    for chunk in np.split(values, sorted(c for c in cuts if c <= len(values))):
        crossed, _, previous = crossings(chunk, 100, direction, previous)
        pieces.append(crossed)
    assert np.concatenate(pieces).tolist() == whole.tolist()
    finite = [p for p in prices if not math.isnan(p)]
    pairs = list(itertools.pairwise(finite))
    if direction == "above":
        expected = sum(a <= 100 < b for a, b in pairs)
    else:
        expected = sum(a >= 100 > b for a, b in pairs)
    assert int(whole.sum()) == expected


def bars(symbol: str, days: list[str], closes: list[float]) -> Bars:
    c = np.array(closes, dtype=float)
    return Bars(symbol, np.array(days, dtype="datetime64[ns]"), c, c, c, c, np.ones_like(c))


ALERT = workflow(
    {"id": "go", "type": "core:manual_trigger"},
    {"id": "bars", "type": "test:frame"},
    {"id": "alert", "type": "core:price_alert", "params": {"symbol": "HPG", "level": 27_500, "direction": "above"}},
    edges=[
        {"source": "go", "source_port": "out", "target": "bars", "target_port": "trigger"},
        {"source": "bars", "source_port": "out", "target": "alert", "target_port": "frame"},
    ],
)


FRAME: dict[str, Bars] = {}


@node("test:frame", category=Category.DATA, title="Frame")
def frame_source(trigger: Event = None) -> Frame:
    """Whatever the test put in FRAME: the bars new in this run."""
    return dict(FRAME)


@pytest.fixture(scope="module")
def types() -> Any:
    host = PluginHost()
    host.add_plugin(core_plugin, "core", distribution="quantflow")
    host.add_plugin(make_plugin("framenodes", [frame_source]), "framenodes", distribution="quantflow-test")
    assert host.errors == []
    return host.registry.node_types


@pytest.fixture()
def host_with_frame(types: Any) -> Any:
    FRAME.clear()
    yield FRAME, types
    FRAME.clear()


def test_alert_node_over_a_whole_history(host_with_frame: Any) -> None:
    frame, types = host_with_frame
    frame["HPG"] = bars("HPG", ["2025-03-03", "2025-03-04", "2025-03-05"], [27_000, 27_500, 27_600])
    result = validate(ALERT, types)
    outcome = anyio.run(execute, compile_plan(result), RunContext(run_id="a", clock=lambda: NOW))
    alert = outcome.outputs["alert"]
    assert alert["crossed"]["HPG"].tolist() == [False, False, True]
    assert alert["out"] == {
        "time": "2025-03-05T00:00:00+00:00", "reason": "price_alert", "fired": True, "run_id": "a",
        "symbol": "HPG", "level": 27_500, "direction": "above", "price": 27_600.0, "previous": 27_500.0,
    }


def test_alert_node_remembers_the_last_price_between_bar_by_bar_runs(host_with_frame: Any) -> None:
    frame, types = host_with_frame
    plan = compile_plan(validate(ALERT, types))
    ctx = RunContext(run_id="s", mode=RunMode.BACKTEST, clock=lambda: NOW, incremental=True)
    fired = []
    for day, close in [("2025-03-03", 27_400), ("2025-03-04", 27_500), ("2025-03-05", 27_700), ("2025-03-06", 27_800)]:
        frame["HPG"] = bars("HPG", [day], [close])
        fired.append(anyio.run(execute, plan, ctx).outputs["alert"]["out"]["fired"])
    assert fired == [False, False, True, False]
    frame.clear()  # a run with no new HPG bar: nothing crosses, the memory stays
    quiet = anyio.run(execute, plan, ctx).outputs["alert"]
    assert quiet["out"]["fired"] is False and quiet["crossed"] == {}
    frame["HPG"] = bars("HPG", ["2025-03-07"], [27_000])
    assert anyio.run(execute, plan, ctx).outputs["alert"]["out"]["previous"] == 27_800.0


def test_alert_node_needs_an_input() -> None:
    flow = workflow({"id": "alert", "type": "core:price_alert", "params": {"symbol": "HPG", "level": 1}})
    result = validate(flow, get_host().registry.node_types)
    outcome = anyio.run(execute, compile_plan(result), RunContext(run_id="x", clock=lambda: NOW))
    assert "connect a frame" in outcome.errors["alert"]


# -- what hosts read -------------------------------------------------------------------------------


def test_trigger_specs_tell_the_host_what_wakes_each_node(host_with_frame: Any) -> None:
    _, types = host_with_frame
    flow = workflow(
        {"id": "go", "type": "core:manual_trigger"},
        {"id": "daily", "type": "core:schedule", "params": {"cron": "30 14 * * 1-5", "trading_days_only": True}},
        {"id": "bar", "type": "core:on_bar_close", "params": {"resolution": "15m", "symbols": ["FPT"]}},
        {"id": "tick", "type": "core:on_tick", "params": {"symbols": ["HPG", "VCB"]}},
        {"id": "bars", "type": "test:frame"},
        {"id": "alert", "type": "core:price_alert", "params": {"symbol": "VNM", "level": 61_000, "direction": "below"}},
        {"id": "log", "type": "core:log"},
        edges=[
            {"source": "tick", "source_port": "out", "target": "bars", "target_port": "trigger"},
            {"source": "bars", "source_port": "out", "target": "alert", "target_port": "frame"},
            {"source": "alert", "source_port": "out", "target": "log", "target_port": "value"},
        ],
    )
    specs = {s.node_id: s for s in trigger_specs(compile_plan(validate(flow, types)))}
    assert set(specs) == {"go", "daily", "bar", "tick", "alert"}
    assert specs["go"] == TriggerSpec("go", "core:manual_trigger", TriggerKind.MANUAL, {})
    assert specs["daily"].kind is TriggerKind.SCHEDULE
    assert specs["daily"].params == {"cron": "30 14 * * 1-5", "trading_days_only": True}
    assert next_fire_time(specs["daily"].params, NOW) == datetime(2025, 3, 4, 14, 30, tzinfo=VN_TZ)
    assert (specs["bar"].kind, specs["bar"].params["resolution"], specs["bar"].symbols()) == (
        TriggerKind.BAR_CLOSE, "15m", ["FPT"],
    )
    assert specs["tick"].symbols() == ["HPG", "VCB"] and specs["daily"].symbols() == []
    assert (specs["alert"].kind, specs["alert"].symbols()) == (TriggerKind.PRICE_ALERT, ["VNM"])
