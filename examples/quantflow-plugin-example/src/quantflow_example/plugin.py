"""The module the `quantflow` entry point names: it implements the hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quantflow.data import DataSourceSpec
from quantflow.plugins import hookimpl

from quantflow_example.nodes import momentum
from quantflow_example.source import RandomWalkConfig, RandomWalkSource


@hookimpl
def register_node_types(register: Callable[[Any], None]) -> None:
    register(momentum)


@hookimpl
def register_data_sources(register: Callable[[DataSourceSpec], None]) -> None:
    register(
        DataSourceSpec(
            id="example:random_walk",
            title="Random walk (synthetic)",
            description="A seeded synthetic market for demos and tests.",
            factory=RandomWalkSource,
            config_model=RandomWalkConfig,
        )
    )
