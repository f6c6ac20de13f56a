from __future__ import annotations

from typing import Any

import anyio
import pytest
from quantflow.engine import (
    NodeState,
    OutputCache,
    Run,
    RunContext,
    RunEvent,
    RunMode,
    RunStatus,
    compile_plan,
    execute,
)
from quantflow.errors import WorkflowError
from quantflow.nodes import AnyValue, Category, Node, Port, PortType, Scalar, node
from quantflow.plugins import PluginHost
from quantflow.testing.plugins import make_plugin
from quantflow.workflow import validate

CALLS: list[str] = []


@node("eng:count", category=Category.LOGIC, title="Counted scale")
def counted(x: Scalar) -> Scalar:
    CALLS.append("count")
    return x * 10


@node("eng:effect", category=Category.ACTION, title="Side effect", side_effects=True)
def effect(x: Scalar) -> Scalar:
    CALLS.append("effect")
    return x


@node("eng:ctx", category=Category.DATA, title="Reads the context")
def reads_context(ctx: RunContext) -> AnyValue:
    return (ctx.run_id, ctx.mode.value)


BARRIER: dict[str, anyio.Event] = {}


@node("eng:meet_a", category=Category.LOGIC, title="Meet A")
async def meet_a(x: Scalar) -> Scalar:
    BARRIER["a"].set()
    await BARRIER["b"].wait()  # only finishes if meet_b runs at the same time
    return x


@node("eng:meet_b", category=Category.LOGIC, title="Meet B")
async def meet_b(x: Scalar) -> Scalar:
    BARRIER["b"].set()
    await BARRIER["a"].wait()
    return x


ORDER: list[str] = []


@node("eng:note_async", category=Category.LOGIC, title="Notes its id (async, never waits)", stateful=True)
async def note_async(ctx: RunContext, x: Scalar) -> Scalar:
    ORDER.append(ctx.node_id or "")
    return x + 1


@node("eng:note", category=Category.LOGIC, title="Notes its id", stateful=True)
def note(ctx: RunContext, x: Scalar) -> Scalar:
    ORDER.append(ctx.node_id or "")
    return x * 2


class BadOutput(Node):
    type_id = "eng:bad_output"
    category = Category.LOGIC
    title = "Returns nonsense"
    inputs = {"x": Port(PortType.SCALAR)}
    outputs = {"out": Port(PortType.SCALAR)}

    def run(self, ctx: Any, x: float) -> Any:
        return 42


@pytest.fixture(scope="module")
def types(host: PluginHost) -> Any:
    h = PluginHost()
    for name, plugin in ((n, host.pm.get_plugin(n)) for n in ("core", "testnodes")):
        h.add_plugin(plugin, name)
    h.add_plugin(make_plugin("eng", [counted, effect, reads_context, meet_a, meet_b, note_async, note, BadOutput]), "eng")
    assert h.errors == []
    return h.registry.node_types


def plan_of(types: Any, nodes: list[tuple[str, str, dict[str, Any]]], edges: list[str], targets: Any = None) -> Any:
    """nodes: (id, type, params); edges: 'a.out->b.x'."""
    parsed = []
    for e in edges:
        left, right = e.split("->")
        (s, sp), (t, tp) = left.split("."), right.split(".")
        parsed.append({"source": s, "source_port": sp, "target": t, "target_port": tp})
    document = {
        "id": "w",
        "name": "W",
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
        "edges": parsed,
    }
    result = validate(document, types)
    assert result.ok, [str(p) for p in result.errors]
    return compile_plan(result, targets)


def run(plan: Any, **kwargs: Any) -> tuple[Any, list[RunEvent]]:
    events: list[RunEvent] = []
    ctx = kwargs.pop("ctx", RunContext(run_id="r1", mode=RunMode.BACKTEST))
    result = anyio.run(lambda: execute(plan, ctx, [events.append], **kwargs))
    return result, events


def test_chain_runs_in_order_and_passes_values(types: Any) -> None:
    plan = plan_of(
        types,
        [("c", "core:constant", {"value": 3}), ("s1", "test:scale", {"factor": 2}), ("s2", "test:scale", {"factor": 5})],
        ["c.out->s1.x", "s1.out->s2.x"],
    )
    result, events = run(plan)
    assert result.status is RunStatus.SUCCEEDED
    assert result.outputs["s2"] == {"out": 30.0}
    kinds = [(e.kind, getattr(e, "node_id", None)) for e in events]
    assert kinds == [
        ("run_started", None),
        ("node_started", "c"), ("node_finished", "c"),
        ("node_started", "s1"), ("node_finished", "s1"),
        ("node_started", "s2"), ("node_finished", "s2"),
        ("run_finished", None),
    ]
    assert all(e.run_id == "r1" for e in events)
    assert events[-1].to_dict()["status"] == "succeeded"


def test_independent_branches_run_concurrently(types: Any) -> None:
    BARRIER.update(a=anyio.Event(), b=anyio.Event())

    async def go() -> Any:
        with anyio.fail_after(5):  # a sequential engine would deadlock here
            return await execute(plan, RunContext(run_id="r"))

    plan = plan_of(
        types,
        [("c", "core:constant", {}), ("a", "eng:meet_a", {}), ("b", "eng:meet_b", {})],
        ["c.out->a.x", "c.out->b.x"],
    )
    assert anyio.run(go).status is RunStatus.SUCCEEDED


def test_one_chain_after_another_keeps_the_concurrent_order(types: Any) -> None:
    """concurrent=False (backtests): for nodes that never wait, the same node order and outputs as
    the task group gives, fan-outs of async nodes and several roots included."""
    nodes = [("c1", "core:constant", {"value": 1}), ("c2", "core:constant", {"value": 2})]
    nodes += [(f"a{i}", "eng:note_async", {}) for i in range(4)] + [(f"s{i}", "eng:note", {}) for i in range(4)]
    nodes += [("j", "eng:note_async", {})]
    edges = ["c1.out->a0.x", "c1.out->a1.x", "c1.out->s0.x", "c2.out->a2.x", "a0.out->s1.x", "a0.out->a3.x",
             "a1.out->s2.x", "a2.out->s3.x", "s2.out->j.x"]
    plan = plan_of(types, nodes, edges)
    seen = []
    for concurrent in (True, False):
        ORDER.clear()
        result = anyio.run(lambda concurrent=concurrent: execute(plan, RunContext(run_id="r"), concurrent=concurrent))
        assert result.status is RunStatus.SUCCEEDED
        seen.append((list(ORDER), result.outputs))
    assert seen[0] == seen[1]
    assert len(seen[0][0]) == 9


def test_one_chain_after_another_reports_events_and_cancels(types: Any) -> None:
    plan = plan_of(types, [("c", "core:constant", {"value": 3}), ("s1", "test:scale", {"factor": 2})], ["c.out->s1.x"])
    result, events = run(plan, concurrent=False)
    assert result.outputs["s1"] == {"out": 6.0}
    assert [e.kind for e in events] == ["run_started", "node_started", "node_finished", "node_started",
                                        "node_finished", "run_finished"]

    async def cancelled() -> Any:
        run_ = Run(plan, RunContext(run_id="r"), concurrent=False)
        run_.cancel()
        return await run_.execute()

    assert anyio.run(cancelled).status is RunStatus.CANCELLED


def test_failure_skips_dependants_with_reason_and_others_continue(types: Any) -> None:
    plan = plan_of(
        types,
        [
            ("c", "core:constant", {"value": 1}),
            ("bad", "test:boom", {}),
            ("after", "test:scale", {}),
            ("later", "test:scale", {}),
            ("ok", "test:scale", {}),
        ],
        ["c.out->bad.x", "bad.out->after.x", "after.out->later.x", "c.out->ok.x"],
    )
    result, events = run(plan)
    assert result.status is RunStatus.FAILED
    assert result.states == {
        "c": NodeState.SUCCEEDED, "bad": NodeState.FAILED, "after": NodeState.SKIPPED,
        "later": NodeState.SKIPPED, "ok": NodeState.SUCCEEDED,
    }
    failed = next(e for e in events if e.kind == "node_failed")
    assert (failed.error_type, failed.message) == ("ValueError", "boom on purpose")
    skipped = {e.node_id: e.reason for e in events if e.kind == "node_skipped"}
    assert skipped == {"after": "upstream node 'bad' did not succeed", "later": "upstream node 'bad' did not succeed"}
    assert events[-1].failed == 1 and events[-1].skipped == 2


def test_node_timeout(types: Any) -> None:
    plan = plan_of(types, [("c", "core:constant", {}), ("z", "test:slow", {})], ["c.out->z.x"])
    result, events = run(plan, node_timeout=0.05)
    assert result.states["z"] is NodeState.FAILED
    assert "did not finish within 0.05 s" in result.errors["z"]


def test_cancel_mid_run(types: Any) -> None:
    plan = plan_of(
        types,
        [("c", "core:constant", {}), ("z", "test:slow", {}), ("after", "test:scale", {})],
        ["c.out->z.x", "z.out->after.x"],
    )
    events: list[RunEvent] = []

    async def go() -> Any:
        run_ = Run(plan, RunContext(run_id="r"))

        def on_event(event: RunEvent) -> None:
            events.append(event)
            if event.kind == "node_started" and event.node_id == "z":
                run_.cancel()

        run_.subscribe(on_event)
        return await run_.execute()

    result = anyio.run(go)
    assert result.status is RunStatus.CANCELLED
    assert result.states == {"c": NodeState.SUCCEEDED, "z": NodeState.SKIPPED, "after": NodeState.SKIPPED}
    assert {e.node_id for e in events if e.kind == "node_skipped"} == {"z", "after"}
    assert events[-1].kind == "run_finished" and events[-1].status is RunStatus.CANCELLED


def test_pure_nodes_are_cached_side_effects_never(types: Any) -> None:
    plan = plan_of(
        types,
        [("c", "core:constant", {"value": 2}), ("n", "eng:count", {}), ("e", "eng:effect", {})],
        ["c.out->n.x", "n.out->e.x"],
    )
    cache = OutputCache()
    CALLS.clear()
    first, _ = run(plan, cache=cache)
    second, events = run(plan, cache=cache)
    assert CALLS == ["count", "effect", "effect"]
    assert second.outputs == first.outputs
    assert [e.cached for e in events if e.kind == "node_finished"] == [True, True, False]
    # different params upstream → different key → the pure node runs again
    changed = plan_of(
        types,
        [("c", "core:constant", {"value": 3}), ("n", "eng:count", {}), ("e", "eng:effect", {})],
        ["c.out->n.x", "n.out->e.x"],
    )
    CALLS.clear()
    third, _ = run(changed, cache=cache)
    assert CALLS == ["count", "effect"] and third.outputs["n"] == {"out": 30.0}


def test_partial_execution_runs_only_what_targets_need(types: Any) -> None:
    plan = plan_of(
        types,
        [("c", "core:constant", {"value": 1}), ("a", "test:scale", {}), ("b", "eng:effect", {})],
        ["c.out->a.x", "c.out->b.x"],
        targets=["a"],
    )
    result, _ = run(plan)
    assert set(result.states) == {"c", "a"}
    with pytest.raises(WorkflowError, match="'nope'"):
        plan_of(types, [("c", "core:constant", {})], [], targets=["nope"])


def test_nodes_see_the_run_context(types: Any) -> None:
    plan = plan_of(types, [("x", "eng:ctx", {})], [])
    result, _ = run(plan, ctx=RunContext(run_id="abc", mode=RunMode.LIVE))
    assert result.outputs["x"] == {"out": ("abc", "live")}


def test_a_node_returning_the_wrong_shape_fails_clearly(types: Any) -> None:
    plan = plan_of(types, [("c", "core:constant", {}), ("x", "eng:bad_output", {})], ["c.out->x.x"])
    result, _ = run(plan)
    assert result.errors["x"] == "NodeOutputError: returned int, expected a dict of outputs ['out']"


def test_compile_refuses_an_invalid_workflow(types: Any) -> None:
    result = validate({"id": "w", "name": "W", "nodes": [{"id": "a", "type": "x:y"}]}, types)
    with pytest.raises(WorkflowError, match="unknown node type"):
        compile_plan(result)


def test_generations_group_independent_nodes(types: Any) -> None:
    plan = plan_of(
        types,
        [("c", "core:constant", {}), ("a", "test:scale", {}), ("b", "test:scale", {}), ("s", "core:sum", {})],
        ["c.out->a.x", "c.out->b.x", "a.out->s.values", "b.out->s.values"],
    )
    names = [sorted(plan.steps[i].node_id for i in gen) for gen in plan.generations]
    assert names == [["c"], ["a", "b"], ["s"]]
    result, _ = run(plan)
    assert result.outputs["s"] == {"out": 0.0}
