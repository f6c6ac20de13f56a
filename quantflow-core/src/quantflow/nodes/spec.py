"""What a node type is: metadata the canvas and validator read, and one callable the engine runs.

Node authors rarely build a `NodeType` by hand: they subclass `Node` or decorate a function
(`quantflow.nodes.node`), and both produce this one frozen description.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from quantflow.errors import PluginError
from quantflow.nodes.ports import PortType

if TYPE_CHECKING:
    from quantflow.engine.context import RunContext

TYPE_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_.]*$")
PORT_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Category(StrEnum):
    TRIGGER = "trigger"
    DATA = "data"
    LOGIC = "logic"
    ACTION = "action"
    MODEL = "model"
    AGENT = "agent"


class NodeParams(BaseModel):
    """Base of every params model: frozen, and an unknown param is an error, never ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class NoParams(NodeParams):
    """Params of a node type that takes none."""


@dataclass(frozen=True, slots=True)
class Port:
    """A named, typed input or output. `required` and `multiple` only mean something on inputs:
    a `multiple` input accepts several edges and receives their values as a list."""

    type: PortType
    description: str = ""
    required: bool = True
    multiple: bool = False


# `invoke(ctx, params, inputs)` returns the node's outputs by port name, or an awaitable of them.
Invoke = Callable[["RunContext", NodeParams, Mapping[str, Any]], Any]
# A migration turns the params of version k into the params of version k + 1.
Migration = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class NodeType:
    type_id: str
    version: int
    category: Category
    title: str
    invoke: Invoke
    is_async: bool
    description: str = ""
    icon: str = ""
    inputs: Mapping[str, Port] = field(default_factory=dict)
    outputs: Mapping[str, Port] = field(default_factory=dict)
    params_model: type[NodeParams] = NoParams
    ui: Mapping[str, Any] = field(default_factory=dict)
    side_effects: bool = False
    cacheable: bool = True  # False for nodes whose output depends on more than params + inputs
    stateful: bool = False  # keeps memory across the runs of a session via ctx.node_state()
    deprecated: str | None = None  # the message shown to users, naming the replacement
    migrations: Mapping[int, Migration] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_node_type(self)

    def migrate_params(self, params: dict[str, Any], from_version: int) -> dict[str, Any]:
        """Bring params saved by an older version of this type up to `self.version`."""
        for version in range(from_version, self.version):
            params = self.migrations[version](dict(params))
        return params

    def can_migrate_from(self, version: int) -> bool:
        return 1 <= version <= self.version and all(
            v in self.migrations for v in range(version, self.version)
        )


def check_node_type(spec: NodeType) -> None:
    """Refuse a malformed definition when it is registered, not when a user first runs it."""
    where = f"node type {spec.type_id!r}"
    if not TYPE_ID_PATTERN.match(spec.type_id):
        raise PluginError(
            f"{where}: type_id must be 'namespace:name' in lower case (e.g. 'core:sma_cross')"
        )
    if spec.version < 1:
        raise PluginError(f"{where}: version must be an integer >= 1, got {spec.version}")
    for kind, ports in (("input", spec.inputs), ("output", spec.outputs)):
        for name, port in ports.items():
            if not PORT_NAME_PATTERN.match(name):
                raise PluginError(f"{where}: {kind} port name {name!r} is not an identifier")
            if not isinstance(port, Port):
                raise PluginError(f"{where}: {kind} port {name!r} must be a quantflow.nodes.Port")
    config = spec.params_model.model_config
    if not (issubclass(spec.params_model, NodeParams) or (
        config.get("frozen") and config.get("extra") == "forbid"
    )):
        raise PluginError(
            f"{where}: params model {spec.params_model.__name__} must subclass "
            "quantflow.nodes.NodeParams (frozen, extra='forbid')"
        )
    for version in spec.migrations:
        if not 1 <= version < spec.version:
            raise PluginError(
                f"{where}: migration from version {version} is outside 1..{spec.version - 1}"
            )
