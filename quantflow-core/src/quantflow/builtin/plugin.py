"""The `core` plugin: registers the built-in nodes and components through the public hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quantflow.builtin import (
    action_nodes,
    basic_nodes,
    data_nodes,
    logic_nodes,
    notify_nodes,
    trigger_nodes,
)
from quantflow.plugins.hookspecs import hookimpl

NODE_MODULES = (basic_nodes, trigger_nodes, data_nodes, logic_nodes, action_nodes, notify_nodes)


@hookimpl
def register_node_types(register: Callable[[Any], None]) -> None:
    for module in NODE_MODULES:
        for node_type in module.NODE_TYPES:
            register(node_type)


@hookimpl
def register_expression_functions(register: Callable[[Any], None]) -> None:
    from quantflow.expr.builtins import BUILTINS

    for spec in BUILTINS:
        register(spec)


@hookimpl
def register_data_sources(register: Callable[[Any], None]) -> None:
    from quantflow.data import register_builtin_data_sources

    register_builtin_data_sources(register)


@hookimpl
def register_brokers(register: Callable[[Any], None]) -> None:
    from quantflow.trading import register_builtin_brokers

    register_builtin_brokers(register)
