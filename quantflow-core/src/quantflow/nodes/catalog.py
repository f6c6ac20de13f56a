"""The node catalog: every registered node type's description plus the port compatibility table.
The CLI (`quantflow nodes --json`) and the server (`GET /api/node-types`) serve exactly this."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from quantflow.nodes.info import NodeTypeInfo, describe
from quantflow.nodes.ports import PortType, compatibility_table
from quantflow.nodes.spec import NodeType
from quantflow.plugins.registry import Kind


class NodeCatalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    port_types: list[str]
    port_compatibility: dict[str, list[str]]
    node_types: list[NodeTypeInfo]


def build_catalog(node_types: Kind[NodeType]) -> NodeCatalog:
    return NodeCatalog(
        port_types=[t.value for t in PortType],
        port_compatibility=compatibility_table(),
        node_types=[
            describe(spec, node_types.owner(spec.type_id))
            for spec in sorted(node_types, key=lambda s: (s.category.value, s.type_id))
        ],
    )
