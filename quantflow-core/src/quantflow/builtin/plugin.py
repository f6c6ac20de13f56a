"""The `core` plugin: registers the built-in nodes and components through the public hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quantflow.builtin import basic_nodes
from quantflow.plugins.hookspecs import hookimpl


@hookimpl
def register_node_types(register: Callable[[Any], None]) -> None:
    for node_type in basic_nodes.NODE_TYPES:
        register(node_type)
