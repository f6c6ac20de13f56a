"""Compile a validated workflow once into a plan: steps in topological order, each knowing where
its inputs come from and who waits for it. Executing a plan does no graph work at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import rustworkx as rx

from quantflow.errors import WorkflowError
from quantflow.nodes.spec import NodeParams, NodeType
from quantflow.workflow.validate import ValidationResult, build_graph


@dataclass(frozen=True, slots=True)
class InputWiring:
    name: str
    multiple: bool
    sources: tuple[tuple[int, str], ...]  # (step index, output port)


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    node_id: str
    spec: NodeType
    params: NodeParams
    params_key: str  # canonical JSON of the params: part of the cache key
    inputs: tuple[InputWiring, ...]
    dependants: tuple[int, ...]
    n_dependencies: int  # distinct upstream steps


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...]
    generations: tuple[tuple[int, ...], ...]  # steps that may run together, generation by generation

    def step(self, node_id: str) -> Step:
        for step in self.steps:
            if step.node_id == node_id:
                return step
        raise KeyError(node_id)


def compile_plan(result: ValidationResult, targets: Iterable[str] | None = None) -> Plan:
    """Build the plan; with `targets`, only those nodes and what they depend on (partial run)."""
    if not result.ok:
        raise WorkflowError(
            "the workflow has errors; fix them first:\n" + "\n".join(str(p) for p in result.errors)
        )
    graph, index = build_graph(result.resolved, result.edges)
    keep: set[int] | None = None
    if targets is not None:
        keep = set()
        for target in targets:
            if target not in index:
                raise WorkflowError(f"target node {target!r} is not in the workflow")
            keep.add(index[target])
            keep |= rx.ancestors(graph, index[target])
    generations = [
        [i for i in gen if keep is None or i in keep] for gen in rx.topological_generations(graph)
    ]
    order = [i for gen in generations for i in gen]
    position = {graph_index: step_index for step_index, graph_index in enumerate(order)}

    incoming: dict[int, dict[str, list[tuple[int, str]]]] = {}
    for edge in result.edges:
        target = index[edge.target]
        if target in position:
            incoming.setdefault(position[target], {}).setdefault(edge.target_port, []).append(
                (position[index[edge.source]], edge.source_port)
            )

    steps = []
    for step_index, graph_index in enumerate(order):
        resolved = result.resolved[graph[graph_index]]
        assert resolved.params is not None  # guaranteed by result.ok
        wired = incoming.get(step_index, {})
        inputs = tuple(
            InputWiring(name, port.multiple, tuple(wired[name]))
            for name, port in resolved.spec.inputs.items()
            if name in wired
        )
        dependants = sorted({position[s] for s in graph.successor_indices(graph_index) if s in position})
        upstream = {source for wiring in inputs for source, _ in wiring.sources}
        steps.append(
            Step(
                index=step_index,
                node_id=resolved.node.id,
                spec=resolved.spec,
                params=resolved.params,
                params_key=resolved.params.model_dump_json(),
                inputs=inputs,
                dependants=tuple(dependants),
                n_dependencies=len(upstream),
            )
        )
    return Plan(
        steps=tuple(steps),
        generations=tuple(tuple(position[i] for i in gen) for gen in generations if gen),
    )
