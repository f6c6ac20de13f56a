"""What the plugins registered, by kind and id, and who registered it.

An id claimed by two plugins belongs to neither: running "whichever loaded last" could trade with
the wrong code, so the id is marked conflicted and every use of it reports both owners.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from quantflow.errors import PluginError

T = TypeVar("T")


@dataclass(slots=True)
class Registered(Generic[T]):
    item: T
    plugin: str


@dataclass(slots=True)
class Kind(Generic[T]):
    """One kind of registrable thing (node types, brokers, …), keyed by a stable id."""

    name: str
    key: Callable[[T], str]
    entries: dict[str, Registered[T]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)

    def add(self, item: T, plugin: str) -> None:
        item_id = self.key(item)
        if item_id in self.conflicts:
            self.conflicts[item_id].append(plugin)
            raise self._conflict_error(item_id)
        existing = self.entries.get(item_id)
        if existing is not None:
            del self.entries[item_id]
            self.conflicts[item_id] = [existing.plugin, plugin]
            raise self._conflict_error(item_id)
        self.entries[item_id] = Registered(item, plugin)

    def get(self, item_id: str) -> T:
        if item_id in self.conflicts:
            raise self._conflict_error(item_id)
        try:
            return self.entries[item_id].item
        except KeyError:
            raise PluginError(f"no {self.name} {item_id!r} is registered") from None

    def owner(self, item_id: str) -> str:
        return self.entries[item_id].plugin

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.entries

    def __iter__(self) -> Iterator[T]:
        return (entry.item for entry in self.entries.values())

    def ids_by_plugin(self, plugin: str) -> list[str]:
        return sorted(i for i, entry in self.entries.items() if entry.plugin == plugin)

    def _conflict_error(self, item_id: str) -> PluginError:
        owners = " and ".join(repr(p) for p in self.conflicts[item_id])
        return PluginError(
            f"{self.name} {item_id!r} is registered by both {owners}; it is disabled until one "
            f"of them is uninstalled or disabled with QUANTFLOW_DISABLE_PLUGINS"
        )


def _node_type_id(item: Any) -> str:
    return str(item.type_id)


def _component_id(item: Any) -> str:
    return str(item.id)


def _function_name(item: Any) -> str:
    return str(item.name)


@dataclass(slots=True)
class Registry:
    node_types: Kind[Any] = field(default_factory=lambda: Kind("node type", _node_type_id))
    data_sources: Kind[Any] = field(default_factory=lambda: Kind("data source", _component_id))
    brokers: Kind[Any] = field(default_factory=lambda: Kind("broker", _component_id))
    agents: Kind[Any] = field(default_factory=lambda: Kind("agent", _component_id))
    expression_functions: Kind[Any] = field(
        default_factory=lambda: Kind("expression function", _function_name)
    )

    def kinds(self) -> dict[str, Kind[Any]]:
        return {
            "node_types": self.node_types,
            "data_sources": self.data_sources,
            "brokers": self.brokers,
            "agents": self.agents,
            "expression_functions": self.expression_functions,
        }
