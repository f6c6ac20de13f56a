"""Core engine numbers (issue: quantflow-core foundation).

  validate_compile_10k   validate + compile a 10,000-node, 20,000-edge workflow (goal < 100 ms)
  topo_1m                topological generations of a 1,000,000-node graph, QuantFlow's path
                         (rustworkx) against bare networkx.topological_sort (goal < 1 s)
  engine_overhead        per-node cost of running 1,000 trivial nodes as a chain and as a fan-out,
                         against calling the same functions in a plain loop (goal < 50 µs a node)

Run: .venv/bin/python bench/bench_core.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import anyio
import networkx as nx
import rustworkx as rx

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_of, emit  # noqa: E402
from quantflow.builtin import plugin as core_plugin  # noqa: E402
from quantflow.engine import RunContext, compile_plan, execute  # noqa: E402
from quantflow.plugins import PluginHost  # noqa: E402
from quantflow.workflow import validate  # noqa: E402


def core_types() -> Any:
    host = PluginHost()
    host.add_plugin(core_plugin, "core")
    return host.registry.node_types


def generated_workflow(n_nodes: int = 10_000, n_edges: int = 20_000, seed: int = 7) -> dict[str, Any]:
    """A trigger, 1,000 constants fed by it, and sums each fed by earlier nodes: a realistic DAG."""
    rng = random.Random(seed)
    nodes = [{"id": "t", "type": "core:manual_trigger", "params": {}, "position": {"x": 0, "y": 0}}]
    edges = []
    n_constants = 1_000
    for i in range(n_constants):
        nodes.append({"id": f"c{i}", "type": "core:constant", "params": {"value": i}, "position": {"x": 1, "y": i}})
        edges.append({"source": "t", "source_port": "out", "target": f"c{i}", "target_port": "trigger"})
    n_sums = n_nodes - 1 - n_constants
    per_sum = (n_edges - len(edges)) / n_sums
    for j in range(n_sums):
        node_id = f"s{j}"
        nodes.append({"id": node_id, "type": "core:sum", "params": {}, "position": {"x": 2, "y": j}})
        earlier = n_constants + j
        k = int(per_sum) + (1 if rng.random() < per_sum - int(per_sum) else 0)
        for pick in rng.sample(range(earlier), k):
            source = f"c{pick}" if pick < n_constants else f"s{pick - n_constants}"
            edges.append({"source": source, "source_port": "out", "target": node_id, "target_port": "values"})
    return {"schema_version": 1, "id": "bench", "name": "Bench", "nodes": nodes, "edges": edges}


def bench_validate_compile(types: Any) -> None:
    document = generated_workflow()
    result = validate(document, types)
    assert result.ok, result.errors[:3]
    validate_s = best_of(lambda: validate(document, types))
    total_s = best_of(lambda: compile_plan(validate(document, types)))
    emit(
        "validate_compile_10k",
        nodes=len(document["nodes"]),
        edges=len(document["edges"]),
        validate_ms=round(validate_s * 1000, 1),
        validate_compile_ms=round(total_s * 1000, 1),
        goal_ms=100,
    )


def bench_topological_1m() -> None:
    n = 1_000_000
    rng = random.Random(1)
    edges = [(i, i + 1 + rng.randrange(min(50, n - i - 1))) for i in range(n - 1)]

    def quantflow_path() -> None:
        graph = rx.PyDiGraph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from_no_data(edges)
        rx.topological_generations(graph)

    nx_graph = nx.DiGraph()
    nx_graph.add_nodes_from(range(n))
    nx_graph.add_edges_from(edges)
    qf_s = best_of(quantflow_path, repeat=3)
    nx_s = best_of(lambda: list(nx.topological_sort(nx_graph)), repeat=3)
    emit(
        "topo_1m",
        nodes=n,
        edges=len(edges),
        quantflow_s_incl_build=round(qf_s, 3),
        networkx_topological_sort_s=round(nx_s, 3),
        ratio_networkx_over_quantflow=round(nx_s / qf_s, 2),
        goal_s=1.0,
    )


def chain_and_fanout(kind: str, n: int = 1_000) -> dict[str, Any]:
    """1,000 trivial core:sum nodes: each adds the one number it receives."""
    nodes = [{"id": "root", "type": "core:constant", "params": {"value": 1}}]
    edges = []
    for i in range(n - 1):
        nodes.append({"id": f"n{i}", "type": "core:sum", "params": {}})
        source = "root" if kind == "fanout" or i == 0 else f"n{i - 1}"
        edges.append({"source": source, "source_port": "out", "target": f"n{i}", "target_port": "values"})
    return {"id": kind, "name": kind, "nodes": nodes, "edges": edges}


def bench_engine_overhead(types: Any) -> None:
    from quantflow.builtin.basic_nodes import sum_node
    from quantflow.nodes import NoParams

    ctx = RunContext(run_id="bench")
    params = NoParams()
    for kind in ("chain", "fanout"):
        document = chain_and_fanout(kind)
        result = validate(document, types)
        plan = compile_plan(result)
        n = len(plan.steps)
        run_s = best_of(lambda plan=plan: anyio.run(execute, plan, ctx), repeat=7)
        direct_s = best_of(
            lambda n=n: [sum_node.invoke(ctx, params, {"values": [1.0]}) for _ in range(n)], repeat=7
        )
        emit(
            "engine_overhead",
            shape=kind,
            nodes=n,
            engine_us_per_node=round(run_s / n * 1e6, 2),
            direct_call_us_per_node=round(direct_s / n * 1e6, 2),
            overhead_us_per_node=round((run_s - direct_s) / n * 1e6, 2),
            ratio_engine_over_direct=round(run_s / direct_s, 1),
            goal_us_per_node=50,
        )


if __name__ == "__main__":
    types = core_types()
    bench_validate_compile(types)
    bench_engine_overhead(types)
    bench_topological_1m()
