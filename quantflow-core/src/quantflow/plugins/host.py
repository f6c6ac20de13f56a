"""Loads plugins from the `quantflow` entry-point group and collects what they register.

One loading path for everything: the built-in nodes and the paper broker are the `core` entry
point of the `quantflow` distribution, loaded exactly like a third-party plugin. A plugin that
fails to import, or whose hook raises, is reported with its distribution and error; the others
still load.

Environment:
  QUANTFLOW_LOAD_PLUGINS   comma-separated allow-list of plugin or distribution names
                           (set but empty: no third-party plugins). `core` always loads.
  QUANTFLOW_DISABLE_PLUGINS  comma-separated names never to load.
  QUANTFLOW_TRACE_PLUGINS  any non-empty value: log every hook call to stderr.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy
from pydantic import BaseModel, ConfigDict

from quantflow.errors import PluginError
from quantflow.plugins import hookspecs
from quantflow.plugins.components import ComponentSpec
from quantflow.plugins.registry import Registry

ENTRY_POINT_GROUP = "quantflow"
CORE_PLUGIN = "core"

# hook name → the registry kind it fills
HOOK_KINDS: dict[str, str] = {
    "register_node_types": "node_types",
    "register_data_sources": "data_sources",
    "register_brokers": "brokers",
    "register_agents": "agents",
    "register_expression_functions": "expression_functions",
}

class PluginInfo(BaseModel):
    """What `quantflow plugins` and `GET /api/plugins` report for one plugin."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    distribution: str | None
    version: str | None
    hooks: list[str]
    registered: dict[str, list[str]]
    errors: list[str]

@dataclass(slots=True)
class _PluginRecord:
    name: str
    distribution: str | None
    version: str | None
    errors: list[str] = field(default_factory=list)

def _names(value: str | None) -> set[str] | None:
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}

def _normalize(kind: str, item: Any) -> Any:
    """Accept the forms a plugin author naturally writes; refuse anything else clearly."""
    from quantflow.nodes.define import Node
    from quantflow.nodes.spec import NodeType

    if kind == "node_types":
        if isinstance(item, type) and issubclass(item, Node):
            return item.node_type()
        if isinstance(item, NodeType):
            return item
        raise PluginError(
            f"register_node_types: expected a NodeType, a @node function or a Node subclass, "
            f"got {item!r}"
        )
    if kind == "expression_functions":
        if not hasattr(item, "name"):
            raise PluginError(f"register_expression_functions: expected a FunctionSpec, got {item!r}")
        return item
    if not isinstance(item, ComponentSpec):
        raise PluginError(f"{kind}: expected a ComponentSpec subclass instance, got {item!r}")
    return item

class PluginHost:
    """The plugin manager plus the registry it fills. Build one with `PluginHost.load()`."""

    def __init__(self, *, trace: bool = False) -> None:
        self.pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        self._records: dict[str, _PluginRecord] = {}
        self._functions: Any = None
        if trace:
            self.pm.trace.root.setwriter(sys.stderr.write)
            self.pm.enable_tracing()

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
    ) -> PluginHost:
        """Discover and load every allowed plugin from the `quantflow` entry-point group."""
        env = os.environ if env is None else env
        host = cls(trace=bool(env.get("QUANTFLOW_TRACE_PLUGINS")))
        allowed = _names(env.get("QUANTFLOW_LOAD_PLUGINS"))
        disabled = _names(env.get("QUANTFLOW_DISABLE_PLUGINS")) or set()
        if entry_points is None:
            entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        for ep in sorted(entry_points, key=lambda e: (e.name != CORE_PLUGIN, e.name)):
            dist = ep.dist.name if ep.dist is not None else None
            version = ep.dist.version if ep.dist is not None else None
            names = {ep.name, dist} - {None}
            if ep.name != CORE_PLUGIN and (
                names & disabled or (allowed is not None and not names & allowed)
            ):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the host down
                host._records[ep.name] = _PluginRecord(
                    ep.name, dist, version, [f"failed to import {ep.value}: {type(exc).__name__}: {exc}"]
                )
                continue
            host.add_plugin(plugin, ep.name, distribution=dist, version=version)
        return host

    def add_plugin(
        self,
        plugin: object,
        name: str,
        *,
        distribution: str | None = None,
        version: str | None = None,
    ) -> None:
        """Register one plugin object or module and run its hooks (also for tests and embedding)."""
        record = _PluginRecord(name, distribution, version)
        self._records[name] = record
        self._functions = None
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:
            record.errors.append(f"could not register: {type(exc).__name__}: {exc}")
            return
        record.errors.extend(self._unknown_hooks(name))
        for hook_name, kind_name in HOOK_KINDS.items():
            self._run_hook(record, hook_name, kind_name)

    def _run_hook(self, record: _PluginRecord, hook_name: str, kind_name: str) -> None:
        others = [p for p in self.pm.get_plugins() if self.pm.get_name(p) != record.name]
        caller = self.pm.subset_hook_caller(hook_name, remove_plugins=others)
        if not caller.get_hookimpls():
            return
        kind = self.registry.kinds()[kind_name]

        def register(item: Any) -> None:
            try:
                kind.add(_normalize(kind_name, item), record.name)
            except PluginError as exc:
                record.errors.append(f"{hook_name}: {exc}")

        try:
            caller(register=register)
        except Exception as exc:
            record.errors.append(f"{hook_name} raised {type(exc).__name__}: {exc}")

    def _unknown_hooks(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        errors = []
        for caller in self.pm.get_hookcallers(plugin) or []:
            if not caller.has_spec():
                hint = difflib.get_close_matches(caller.name, HOOK_KINDS, n=1)
                did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
                errors.append(f"implements unknown hook {caller.name!r}{did_you_mean}")
        return errors

    def expression_registry(self) -> Any:
        """A `quantflow.expr.FunctionRegistry` of every function the plugins registered (the
        built-ins come from the `core` plugin), built once per host."""
        if self._functions is None:
            from quantflow.expr import FunctionRegistry

            registry = FunctionRegistry()
            for spec in self.registry.expression_functions:
                registry.register(spec)
            self._functions = registry
        return self._functions

    @property
    def errors(self) -> list[str]:
        """Every load problem, each naming its plugin and distribution."""
        return [
            f"plugin {r.name!r} ({r.distribution or 'no distribution'}): {e}"
            for r in self._records.values()
            for e in r.errors
        ]

    def plugins(self) -> list[PluginInfo]:
        infos = []
        for record in self._records.values():
            plugin = self.pm.get_plugin(record.name)
            hooks = sorted(
                c.name for c in (self.pm.get_hookcallers(plugin) or []) if plugin is not None
            )
            registered = {
                kind_name: ids
                for kind_name, kind in self.registry.kinds().items()
                if (ids := kind.ids_by_plugin(record.name))
            }
            infos.append(
                PluginInfo(
                    name=record.name,
                    distribution=record.distribution,
                    version=record.version,
                    hooks=hooks,
                    registered=registered,
                    errors=list(record.errors),
                )
            )
        return infos

_default: PluginHost | None = None

def get_host() -> PluginHost:
    """The process-wide host, loaded on first use from the environment."""
    global _default
    if _default is None:
        _default = PluginHost.load()
    return _default

def reset_host() -> None:
    """Forget the process-wide host (tests; after installing a plugin at run time)."""
    global _default
    _default = None
