"""Fixtures shared by the core tests: a plugin host with the built-ins and a few test nodes."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import pytest
from quantflow.builtin import plugin as core_plugin
from quantflow.engine import RunContext
from quantflow.nodes import Category, Node, NodeParams, Port, PortType, Scalar, Series, node
from quantflow.plugins import PluginHost
from quantflow.testing.plugins import make_plugin


class ScaleParams(NodeParams):
    factor: float = 2.0


@node("test:scale", category=Category.LOGIC, title="Scale")
def scale(x: Scalar, params: ScaleParams) -> Scalar:
    return x * params.factor


@node("test:boom", category=Category.LOGIC, title="Always fails")
def boom(x: Scalar) -> Scalar:
    raise ValueError("boom on purpose")


@node("test:slow", category=Category.LOGIC, title="Sleeps")
async def slow(x: Scalar) -> Scalar:
    await anyio.sleep(10)
    return x


@node("test:series_source", category=Category.DATA, title="Series source")
def series_source() -> Series:
    return [1.0, 2.0, 3.0]


@node("test:bool_source", category=Category.DATA, title="Bool series source")
def bool_source() -> Annotated[Any, PortType.BOOL_SERIES]:
    return [True, False]


class Pair(Node):
    """Two outputs from one input."""

    type_id = "test:pair"
    category = Category.LOGIC
    title = "Pair"
    inputs = {"x": Port(PortType.SCALAR)}
    outputs = {"lo": Port(PortType.SCALAR), "hi": Port(PortType.SCALAR)}

    async def run(self, ctx: RunContext, x: float) -> dict[str, float]:
        return {"lo": x - 1, "hi": x + 1}


TEST_NODES = [scale, boom, slow, series_source, bool_source, Pair]


@pytest.fixture(scope="session")
def host() -> PluginHost:
    h = PluginHost()
    h.add_plugin(core_plugin, "core", distribution="quantflow")
    h.add_plugin(make_plugin("testnodes", TEST_NODES), "testnodes", distribution="quantflow-testnodes")
    assert h.errors == []
    return h


@pytest.fixture(scope="session")
def node_types(host: PluginHost) -> Any:
    return host.registry.node_types


