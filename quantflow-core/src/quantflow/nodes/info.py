"""The JSON description of a node type: everything the canvas needs to draw, connect and configure
it, and nothing it could use to bypass the validator."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from quantflow.nodes.ports import PortType
from quantflow.nodes.spec import NodeType


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PortInfo(_Frozen):
    name: str
    type: PortType
    description: str
    required: bool
    multiple: bool


class NodeTypeInfo(_Frozen):
    type_id: str
    version: int
    category: str
    title: str
    description: str
    icon: str
    plugin: str
    inputs: list[PortInfo]
    outputs: list[PortInfo]
    params_schema: dict[str, Any]
    ui: dict[str, Any]
    side_effects: bool
    cacheable: bool
    stateful: bool
    deprecated: str | None
    migrates_from: list[int]


def describe(spec: NodeType, plugin: str) -> NodeTypeInfo:
    def ports(items: Any) -> list[PortInfo]:
        return [
            PortInfo(
                name=name,
                type=port.type,
                description=port.description,
                required=port.required,
                multiple=port.multiple,
            )
            for name, port in items
        ]

    return NodeTypeInfo(
        type_id=spec.type_id,
        version=spec.version,
        category=spec.category.value,
        title=spec.title,
        description=spec.description,
        icon=spec.icon,
        plugin=plugin,
        inputs=ports(spec.inputs.items()),
        outputs=ports(spec.outputs.items()),
        params_schema=spec.params_model.model_json_schema(),
        ui=dict(spec.ui),
        side_effects=spec.side_effects,
        cacheable=spec.cacheable,
        stateful=spec.stateful,
        deprecated=spec.deprecated,
        migrates_from=sorted(v for v in range(1, spec.version) if spec.can_migrate_from(v)),
    )
