"""Build an in-memory plugin for a test, without packaging it:

    host = PluginHost()
    host.add_plugin(make_plugin("mine", node_types=[my_node]), "mine")
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any

from quantflow.plugins.hookspecs import hookimpl


def make_plugin(name: str, node_types: Iterable[Any] = (), **components: Iterable[Any]) -> types.ModuleType:
    """A module implementing `register_node_types` (and `register_<kind>` for each keyword, e.g.
    `data_sources=[spec]`) that registers the given items."""
    module = types.ModuleType(name)
    kinds = {"node_types": list(node_types), **{k: list(v) for k, v in components.items()}}
    for kind, items in kinds.items():
        if items:
            setattr(module, f"register_{kind}", _registrar(f"register_{kind}", items))
    return module


def _registrar(hook_name: str, items: list[Any]) -> Any:
    def register_items(register: Any) -> None:
        for item in items:
            register(item)

    register_items.__name__ = hook_name
    return hookimpl(specname=hook_name)(register_items)
