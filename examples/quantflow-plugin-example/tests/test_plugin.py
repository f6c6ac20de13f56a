from __future__ import annotations

from datetime import UTC, datetime

import anyio
import numpy as np
from quantflow.engine import RunContext, compile_plan, execute
from quantflow.plugins import PluginHost
from quantflow.workflow import validate
from quantflow_example import plugin


def host() -> PluginHost:
    h = PluginHost.load(env={"QUANTFLOW_LOAD_PLUGINS": ""})  # the built-ins only
    h.add_plugin(plugin, "example")
    assert h.errors == []
    return h


def test_registers_its_node_and_source() -> None:
    h = host()
    assert "example:momentum" in h.registry.node_types
    assert "example:random_walk" in h.registry.data_sources


def test_momentum_runs_in_a_workflow_on_its_own_data_source() -> None:
    h = host()
    source = h.registry.data_sources.get("example:random_walk").create({"symbols": ["AAA", "BBB"], "days": 60})
    workflow = {
        "id": "demo",
        "name": "Momentum demo",
        "nodes": [
            {"id": "go", "type": "core:manual_trigger"},
            {"id": "bars", "type": "core:bars", "params": {"symbols": ["AAA", "BBB"]}},
            {"id": "mom", "type": "example:momentum", "params": {"window": 5}},
        ],
        "edges": [
            {"source": "go", "source_port": "out", "target": "bars", "target_port": "trigger"},
            {"source": "bars", "source_port": "frame", "target": "mom", "target_port": "frame"},
        ],
    }
    result = validate(workflow, h.registry.node_types)
    assert result.ok, [str(p) for p in result.problems]
    ctx = RunContext(run_id="t", data_source=source, clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    run = anyio.run(execute, compile_plan(result), ctx)
    scores = run.outputs["mom"]["out"]["AAA"]
    close = run.outputs["bars"]["frame"]["AAA"].close
    assert np.isnan(scores[:5]).all()
    assert np.isclose(scores[5], (close[5] / close[0] - 1) * 100)


def test_invalid_params_are_reported_by_the_validator() -> None:
    h = host()
    result = validate(
        {"id": "w", "name": "W", "nodes": [{"id": "m", "type": "example:momentum", "params": {"window": 0}}]},
        h.registry.node_types,
    )
    assert {(p.code.value, p.param, p.port) for p in result.errors} == {
        ("invalid_param", "window", None),
        ("missing_required_input", None, "frame"),
    }
