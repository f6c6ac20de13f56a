"""Compile a validated workflow once into a plan: steps in topological order, each knowing where
its inputs come from and who waits for it. Executing a plan does no graph work at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import rustworkx as rx

from quantflow.errors import WorkflowError
from quantflow.gc_pause import gc_paused
from quantflow.nodes.spec import NodeParams, NodeType
from quantflow.workflow.validate import ValidationResult


class InputWiring(NamedTuple):
    name: str
    multiple: bool
    sources: tuple[tuple[int, str], ...]  # (step index, output port)


class Step(NamedTuple):
    """Immutable and cheap to build (a named tuple): a 10,000-node plan builds 10,000 of them."""

    position: int  # in `Plan.steps` (not `index`, which would hide `tuple.index`)
    node_id: str
    spec: NodeType
    params: NodeParams
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
    with gc_paused():
        return _compile(result, targets)


def _compile(result: ValidationResult, targets: Iterable[str] | None) -> Plan:
    if not result.ok:
        shown = result.errors[:20]
        more = len(result.errors) - len(shown)
        raise WorkflowError(
            "the workflow has errors; fix them first:\n"
            + "\n".join(str(p) for p in shown)
            + (f"\n… and {more} more" if more else "")
        )
    graph, index = result.graph, result.index
    keep: set[int] | None = None
    if targets is not None:
        keep = set()
        for target_id in targets:
            if target_id not in index:
                raise WorkflowError(f"target node {target_id!r} is not in the workflow")
            keep.add(index[target_id])
            keep |= rx.ancestors(graph, index[target_id])
    generations = [
        [i for i in gen if keep is None or i in keep] for gen in rx.topological_generations(graph)
    ]
    order = [graph[i] for gen in generations for i in gen]
    position = {node_id: step_index for step_index, node_id in enumerate(order)}

    wiring: list[dict[str, list[tuple[int, str]]]] = [{} for _ in order]
    dependants: list[set[int]] = [set() for _ in order]
    upstream: list[set[int]] = [set() for _ in order]
    for edge in result.edges:
        target = position.get(edge.target)
        if target is None:
            continue
        source = position[edge.source]
        wiring[target].setdefault(edge.target_port, []).append((source, edge.source_port))
        dependants[source].add(target)
        upstream[target].add(source)

    steps = []
    for step_index, node_id in enumerate(order):
        resolved = result.resolved[node_id]
        assert resolved.params is not None  # guaranteed by result.ok
        spec_inputs = resolved.spec.inputs
        inputs = tuple([
            InputWiring(name, spec_inputs[name].multiple, tuple(sources))
            for name, sources in wiring[step_index].items()
        ])
        steps.append(
            Step(
                step_index,
                node_id,
                resolved.spec,
                resolved.params,
                inputs,
                tuple(sorted(dependants[step_index])),
                len(upstream[step_index]),
            )
        )
    # Steps are numbered generation by generation, so each generation is a run of positions.
    spans: list[tuple[int, ...]] = []
    first = 0
    for gen in generations:
        if gen:
            spans.append(tuple(range(first, first + len(gen))))
            first += len(gen)
    return Plan(steps=tuple(steps), generations=tuple(spans))
