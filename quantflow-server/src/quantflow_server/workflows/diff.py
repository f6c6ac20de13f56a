"""A structural diff of two workflow documents: what a reviewer wants to see, not a text diff."""

from __future__ import annotations

from typing import Any

from quantflow_server.workflows.schemas import DiffOut, NodeChange, ParamChange

_MISSING = object()


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, ParamChange]:
    changes = {}
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key, _MISSING), new.get(key, _MISSING)
        if a != b:
            changes[key] = ParamChange(old=None if a is _MISSING else a, new=None if b is _MISSING else b)
    return changes


def _edge_key(edge: dict[str, Any]) -> tuple[str, str, str, str]:
    return (edge["source"], edge["source_port"], edge["target"], edge["target_port"])


def diff_documents(old: dict[str, Any], new: dict[str, Any], from_revision: int, to_revision: int) -> DiffOut:
    """Both documents are normalised workflow JSON (as stored); node identity is the node id."""
    old_nodes = {n["id"]: n for n in old.get("nodes", [])}
    new_nodes = {n["id"]: n for n in new.get("nodes", [])}
    changed = []
    for node_id in sorted(old_nodes.keys() & new_nodes.keys()):
        a, b = old_nodes[node_id], new_nodes[node_id]
        params = _changes(a.get("params") or {}, b.get("params") or {})
        fields = _changes(
            {k: a.get(k) for k in ("type", "type_version", "title", "position")},
            {k: b.get(k) for k in ("type", "type_version", "title", "position")},
        )
        if params or fields:
            changed.append(NodeChange(node_id=node_id, params=params, fields=fields))
    old_edges = {_edge_key(e): e for e in old.get("edges", [])}
    new_edges = {_edge_key(e): e for e in new.get("edges", [])}

    def edge_list(keys: set[tuple[str, str, str, str]]) -> list[dict[str, str]]:
        return [dict(zip(("source", "source_port", "target", "target_port"), k, strict=True)) for k in sorted(keys)]

    return DiffOut(
        from_revision=from_revision,
        to_revision=to_revision,
        fields=_changes(
            {k: old.get(k) for k in ("name", "description")}, {k: new.get(k) for k in ("name", "description")}
        ),
        nodes_added=[new_nodes[i] for i in sorted(new_nodes.keys() - old_nodes.keys())],
        nodes_removed=[old_nodes[i] for i in sorted(old_nodes.keys() - new_nodes.keys())],
        nodes_changed=changed,
        edges_added=edge_list(new_edges.keys() - old_edges.keys()),
        edges_removed=edge_list(old_edges.keys() - new_edges.keys()),
    )
