"""Checks a workflow document and reports every problem in one pass; never raises on any input.

The document is first checked structurally (pydantic), then each node against its registered
type, then the edges and the graph. Parts that are broken are left out of later checks so that
one mistake does not cascade into a page of follow-on errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import rustworkx as rx
from pydantic import ValidationError

from quantflow.gc_pause import gc_paused
from quantflow.nodes.ports import is_compatible
from quantflow.nodes.spec import Category, NodeParams, NodeType
from quantflow.plugins.registry import Kind
from quantflow.workflow.model import Edge, Workflow, WorkflowNode
from quantflow.workflow.problems import Problem, ProblemCode, Severity

C = ProblemCode
_WARNINGS = frozenset({C.NO_TRIGGER, C.UNREACHABLE_NODE, C.DEPRECATED_TYPE})


@dataclass(slots=True)
class ResolvedNode:
    """A node whose type is known: what the later checks and the engine work with."""

    node: WorkflowNode
    spec: NodeType
    params: NodeParams | None  # None when the params are invalid (then the result is not ok)


@dataclass(slots=True)
class ValidationResult:
    problems: list[Problem]
    workflow: Workflow | None
    resolved: dict[str, ResolvedNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    # The graph of `resolved` and `edges` (node payloads are ids), kept for the compiler.
    graph: rx.PyDiGraph = field(default_factory=rx.PyDiGraph)
    index: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(document: Any, node_types: Kind[NodeType]) -> ValidationResult:
    """Validate a workflow given as parsed JSON (or a `Workflow`) against the registered types."""
    try:
        with gc_paused():
            return _Validator(node_types).run(document)
    except RecursionError:
        return ValidationResult(
            [Problem(code=C.INVALID_DOCUMENT, message="the document is nested too deeply to read")],
            None,
        )


class _Validator:
    def __init__(self, node_types: Kind[NodeType]) -> None:
        self.node_types = node_types
        self.problems: list[Problem] = []

    def report(self, code: ProblemCode, message: str, **where: Any) -> None:
        severity = Severity.WARNING if code in _WARNINGS else Severity.ERROR
        self.problems.append(Problem(code=code, severity=severity, message=message, **where))

    def run(self, document: Any) -> ValidationResult:
        workflow, nodes, edges = self.structure(document)
        resolved = self.resolve_nodes(nodes)
        good_edges = self.check_edges(edges, resolved, {n.id for n in nodes})
        graph, index = build_graph(resolved, good_edges)
        self.check_graph(resolved, graph, index)
        has_errors = any(p.severity is Severity.ERROR for p in self.problems)
        return ValidationResult(
            self.problems, None if has_errors else workflow, resolved, good_edges, graph, index
        )

    # -- structure -----------------------------------------------------------------------------

    def structure(self, document: Any) -> tuple[Workflow | None, list[WorkflowNode], list[Edge]]:
        if isinstance(document, Workflow):
            return document, list(document.nodes), list(document.edges)
        if not isinstance(document, Mapping):
            self.report(C.INVALID_DOCUMENT, f"a workflow must be a JSON object, got {_kind(document)}")
            return None, [], []
        try:
            workflow = Workflow.model_validate(document)
            return workflow, list(workflow.nodes), list(workflow.edges)
        except ValidationError as exc:
            self._structural_problems(document, exc)
        return None, self._salvage(document.get("nodes"), WorkflowNode), self._salvage(
            document.get("edges"), Edge
        )

    def _structural_problems(self, document: Mapping[str, Any], exc: ValidationError) -> None:
        raw_nodes = document.get("nodes")
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            field_path = ".".join(str(p) for p in loc[2:])
            if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
                raw = raw_nodes[loc[1]] if isinstance(raw_nodes, list) else None
                node_id = raw.get("id") if isinstance(raw, Mapping) and isinstance(raw.get("id"), str) else None
                label = f"node #{loc[1]}" + (f" ({node_id!r})" if node_id else "")
                self.report(
                    C.INVALID_NODE,
                    f"{label}: field {field_path or '(node)'!r}: {_explain(error)}",
                    node_id=node_id,
                    details={"index": loc[1], "field": field_path},
                )
            elif len(loc) >= 2 and loc[0] == "edges" and isinstance(loc[1], int):
                self.report(
                    C.INVALID_EDGE,
                    f"edge #{loc[1]}: field {field_path or '(edge)'!r}: {_explain(error)}",
                    details={"index": loc[1], "field": field_path},
                )
            else:
                where = ".".join(str(p) for p in loc) or "(document)"
                self.report(C.INVALID_DOCUMENT, f"field {where!r}: {_explain(error)}", details={"field": where})

    @staticmethod
    def _salvage(raw: Any, model: type[Any]) -> list[Any]:
        """The items of a broken document that are individually valid, to check the rest."""
        if not isinstance(raw, list):
            return []
        good = []
        for item in raw:
            try:
                good.append(model.model_validate(item))
            except ValidationError:
                pass
        return good

    # -- nodes ---------------------------------------------------------------------------------

    def resolve_nodes(self, nodes: list[WorkflowNode]) -> dict[str, ResolvedNode]:
        resolved: dict[str, ResolvedNode] = {}
        seen: set[str] = set()
        for node in nodes:
            if node.id in seen:
                self.report(
                    C.DUPLICATE_NODE_ID,
                    f"node id {node.id!r} is used more than once; give each node its own id",
                    node_id=node.id,
                )
                continue
            seen.add(node.id)
            spec = self._node_type(node)
            if spec is None:
                continue
            # A node with bad params still takes part in the port and graph checks.
            resolved[node.id] = ResolvedNode(node, spec, self._params(node, spec))
        return resolved

    def _node_type(self, node: WorkflowNode) -> NodeType | None:
        kind = self.node_types
        if node.type in kind.conflicts:
            owners = " and ".join(kind.conflicts[node.type])
            self.report(
                C.CONFLICTING_TYPE,
                f"node type {node.type!r} is provided by two plugins ({owners}); disable one of them",
                node_id=node.id,
                details={"plugins": list(kind.conflicts[node.type])},
            )
            return None
        if node.type not in kind:
            close = difflib.get_close_matches(node.type, list(kind.entries), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; is the plugin that provides it installed?"
            self.report(
                C.UNKNOWN_TYPE, f"unknown node type {node.type!r}{hint}", node_id=node.id,
                details={"suggestion": close[0] if close else None},
            )
            return None
        spec = kind.get(node.type)
        if node.type_version != spec.version and not spec.can_migrate_from(node.type_version):
            self.report(
                C.UNKNOWN_TYPE_VERSION,
                f"node type {node.type!r} version {node.type_version} is not known to the installed "
                f"plugin (it provides version {spec.version}"
                + (" and no migration from yours)" if node.type_version < spec.version else "); upgrade the plugin"),
                node_id=node.id,
                details={"installed_version": spec.version},
            )
            return None
        if spec.deprecated:
            self.report(C.DEPRECATED_TYPE, f"node type {node.type!r} is deprecated: {spec.deprecated}", node_id=node.id)
        return spec

    def _params(self, node: WorkflowNode, spec: NodeType) -> NodeParams | None:
        raw = dict(node.params)
        if node.type_version < spec.version:
            try:
                raw = spec.migrate_params(raw, node.type_version)
            except Exception as exc:
                self.report(
                    C.INVALID_PARAM,
                    f"params saved by version {node.type_version} could not be migrated to version "
                    f"{spec.version}: {exc}",
                    node_id=node.id,
                )
                return None
        try:
            return spec.params_model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                param = ".".join(str(p) for p in error["loc"])
                self.report(
                    C.INVALID_PARAM,
                    f"param {param!r}: {_explain(error)}",
                    node_id=node.id,
                    param=param or None,
                    details={"input": _preview(error.get("input"))},
                )
            return None

    # -- edges ---------------------------------------------------------------------------------

    def check_edges(
        self, edges: list[Edge], resolved: Mapping[str, ResolvedNode], node_ids: set[str]
    ) -> list[Edge]:
        good: list[Edge] = []
        seen: set[tuple[str, str, str, str]] = set()
        fan_in: dict[tuple[str, str], list[Edge]] = {}
        for edge in edges:  # the hot loop of a large workflow: messages are built only on error
            s, sp, t, tp = edge.source, edge.source_port, edge.target, edge.target_port
            if s not in node_ids or t not in node_ids:
                self._dangling(edge, node_ids)
                continue
            key = (s, sp, t, tp)
            if key in seen:
                self.report(C.DUPLICATE_EDGE, f"{_label(edge)} appears twice", node_id=t, port=tp)
                continue
            seen.add(key)
            source, target = resolved.get(s), resolved.get(t)
            if source is None or target is None:
                continue  # the broken node already has its own problem
            out_port, in_port = source.spec.outputs.get(sp), target.spec.inputs.get(tp)
            if out_port is None or in_port is None:
                if out_port is None:
                    self._unknown_port(source, sp, "output", edge)
                if in_port is None:
                    self._unknown_port(target, tp, "input", edge)
                continue
            if out_port.type is not in_port.type and not is_compatible(out_port.type, in_port.type):
                self.report(
                    C.PORT_TYPE_MISMATCH,
                    f"{_label(edge)}: output {sp!r} gives {out_port.type.value} but input "
                    f"{tp!r} takes {in_port.type.value}",
                    node_id=t,
                    port=tp,
                    details={"source_type": out_port.type.value, "target_type": in_port.type.value},
                )
                continue
            incoming = fan_in.get((t, tp))
            if incoming is None:
                fan_in[(t, tp)] = [edge]
            else:
                incoming.append(edge)
            good.append(edge)
        for (target_id, port_name), incoming in fan_in.items():
            if len(incoming) > 1 and not resolved[target_id].spec.inputs[port_name].multiple:
                sources = [f"{e.source}.{e.source_port}" for e in incoming]
                self.report(
                    C.MULTIPLE_INPUTS_TO_SINGLE_PORT,
                    f"input {port_name!r} takes one connection but has {len(incoming)}: {', '.join(sources)}",
                    node_id=target_id,
                    port=port_name,
                    details={"sources": sources},
                )
        for node_id, item in resolved.items():
            for name, input_port in item.spec.inputs.items():
                if input_port.required and (node_id, name) not in fan_in:
                    self.report(
                        C.MISSING_REQUIRED_INPUT,
                        f"input {name!r} ({input_port.type.value}) is required but not connected",
                        node_id=node_id,
                        port=name,
                    )
        return good

    def _dangling(self, edge: Edge, node_ids: set[str]) -> None:
        missing = [end for end in (edge.source, edge.target) if end not in node_ids]
        present = [end for end in (edge.target, edge.source) if end in node_ids]
        self.report(
            C.DANGLING_EDGE,
            f"{_label(edge)} points at missing node{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(m) for m in missing),
            node_id=present[0] if present else None,
            details={"missing": missing},
        )

    def _unknown_port(self, item: ResolvedNode, name: str, kind: str, edge: Edge) -> None:
        ports = item.spec.inputs if kind == "input" else item.spec.outputs
        close = difflib.get_close_matches(name, list(ports), n=1)
        available = ", ".join(repr(p) for p in ports) or "none"
        self.report(
            C.UNKNOWN_PORT,
            f"{_label(edge)}: {item.spec.type_id} has no {kind} {name!r}"
            + (f"; did you mean {close[0]!r}?" if close else f" ({kind}s: {available})"),
            node_id=item.node.id,
            port=name,
        )

    # -- graph ---------------------------------------------------------------------------------

    def check_graph(
        self, resolved: Mapping[str, ResolvedNode], graph: rx.PyDiGraph, index: Mapping[str, int]
    ) -> None:
        for component in rx.strongly_connected_components(graph):
            if len(component) > 1 or graph.has_edge(component[0], component[0]):
                names = sorted(graph[i] for i in component)
                self.report(
                    C.CYCLE,
                    "these nodes form a cycle; a workflow must flow one way: " + " → ".join(names),
                    node_id=names[0],
                    details={"nodes": names},
                )
        triggers = [index[i] for i, r in resolved.items() if r.spec.category is Category.TRIGGER]
        if not resolved:
            return
        if not triggers:
            self.report(C.NO_TRIGGER, "the workflow has no trigger node, so it only runs when started by hand")
            return
        reachable: set[int] = set(triggers)
        for t in triggers:
            reachable |= rx.descendants(graph, t)
        for node_id, i in index.items():
            if i not in reachable:
                self.report(
                    C.UNREACHABLE_NODE,
                    "no trigger leads to this node, so it never runs on a schedule or market event",
                    node_id=node_id,
                )


def build_graph(
    resolved: Mapping[str, ResolvedNode], edges: Iterable[Edge]
) -> tuple[rx.PyDiGraph, dict[str, int]]:
    """A rustworkx graph whose node payloads are node ids, and the id → index map."""
    graph = rx.PyDiGraph(multigraph=False)
    ids = list(resolved)
    index = dict(zip(ids, graph.add_nodes_from(ids), strict=True))
    graph.add_edges_from_no_data(
        [(index[e.source], index[e.target]) for e in edges if e.source in index and e.target in index]
    )
    return graph, index


def _label(edge: Edge) -> str:
    return f"edge {edge.source}.{edge.source_port} → {edge.target}.{edge.target_port}"


def _explain(error: Mapping[str, Any]) -> str:
    """pydantic's message, with the expected shape spelled out for the common cases."""
    kind, message = error.get("type", ""), str(error.get("msg", "invalid value"))
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if ":" in pattern:
            return "must look like 'namespace:name' in lower case, e.g. 'core:sma_cross'"
        return "may contain only letters, digits, '_', '-' and '.'"
    return f"{message} (got {_preview(error.get('input'))})"


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)

