"""The hooks a QuantFlow plugin may implement. Each takes a `register` callback, called once per
thing the plugin provides (the `llm` pattern): the host knows which plugin registered what.

Signatures here are the contract; `docs/plugins.md` repeats them and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from quantflow.agents.spec import AgentSpec
    from quantflow.data.source import DataSourceSpec
    from quantflow.nodes.spec import NodeType
    from quantflow.trading.broker import BrokerSpec

hookspec = pluggy.HookspecMarker("quantflow")
hookimpl = pluggy.HookimplMarker("quantflow")


@hookspec
def register_node_types(register: Callable[[NodeType | type], None]) -> None:
    """Register node types: call register(x) with a NodeType, a @node function or a Node subclass."""


@hookspec
def register_data_sources(register: Callable[[DataSourceSpec], None]) -> None:
    """Register data sources (historical bars/ticks, live feeds): call register(DataSourceSpec)."""


@hookspec
def register_brokers(register: Callable[[BrokerSpec], None]) -> None:
    """Register brokers that place orders: call register(BrokerSpec)."""


@hookspec
def register_agents(register: Callable[[AgentSpec], None]) -> None:
    """Register agents (LLM or rule-based decision makers with memory): call register(AgentSpec)."""


@hookspec
def register_expression_functions(register: Callable[[Any], None]) -> None:
    """Register functions for the expression language: call register(quantflow.expr.FunctionSpec)."""
