"""Node SDK: everything a plugin author needs to write a node type."""

from quantflow.nodes.define import (
    AnyValue,
    BoolSeries,
    Event,
    Frame,
    Node,
    Orders,
    Scalar,
    Series,
    Signal,
    Text,
    node,
)
from quantflow.nodes.info import NodeTypeInfo, PortInfo, describe
from quantflow.nodes.ports import PortType, compatibility_table, is_compatible
from quantflow.nodes.spec import Category, NodeParams, NodeType, NoParams, Port

__all__ = [
    "AnyValue",
    "BoolSeries",
    "Category",
    "Event",
    "Frame",
    "Node",
    "NodeParams",
    "NodeType",
    "NodeTypeInfo",
    "NoParams",
    "Orders",
    "Port",
    "PortInfo",
    "PortType",
    "Scalar",
    "Series",
    "Signal",
    "Text",
    "compatibility_table",
    "describe",
    "is_compatible",
    "node",
]
