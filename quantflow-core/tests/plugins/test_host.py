from __future__ import annotations

import importlib.metadata
import types
from typing import Any

import pytest
from quantflow.agents.spec import AgentSpec
from quantflow.data.source import DataSourceSpec
from quantflow.errors import PluginError
from quantflow.nodes import Category, Scalar, node
from quantflow.plugins import PluginHost, hookimpl
from quantflow.testing.plugins import make_plugin


@node("dup:thing", category=Category.LOGIC, title="Thing A")
def thing_a(x: Scalar) -> Scalar:
    return x


@node("dup:thing", category=Category.LOGIC, title="Thing B")
def thing_b(x: Scalar) -> Scalar:
    return -x


def test_two_plugins_claiming_one_type_id_is_an_error_naming_both() -> None:
    host = PluginHost()
    host.add_plugin(make_plugin("a", [thing_a]), "plugin-a", distribution="quantflow-a")
    host.add_plugin(make_plugin("b", [thing_b]), "plugin-b", distribution="quantflow-b")
    assert len(host.errors) == 1
    assert "plugin-a" in host.errors[0] and "plugin-b" in host.errors[0]
    assert "quantflow-b" in host.errors[0]
    # Neither wins: running "the one loaded last" could trade with the wrong code.
    with pytest.raises(PluginError, match="plugin-a.*plugin-b"):
        host.registry.node_types.get("dup:thing")
    assert "dup:thing" not in host.registry.node_types


def test_hook_that_raises_is_reported_and_other_plugins_still_load() -> None:
    broken = types.ModuleType("broken")

    @hookimpl
    def register_node_types(register: Any) -> None:
        raise RuntimeError("database unreachable")

    broken.register_node_types = register_node_types  # type: ignore[attr-defined]
    host = PluginHost()
    host.add_plugin(broken, "broken", distribution="quantflow-broken")
    host.add_plugin(make_plugin("ok", [thing_a]), "ok")
    assert host.errors == [
        "plugin 'broken' (quantflow-broken): register_node_types raised RuntimeError: database unreachable"
    ]
    assert "dup:thing" in host.registry.node_types


def test_misspelled_hook_is_reported_with_a_suggestion() -> None:
    typo = types.ModuleType("typo")

    @hookimpl
    def register_node_type(register: Any) -> None:  # missing "s"
        pass

    typo.register_node_type = register_node_type  # type: ignore[attr-defined]
    host = PluginHost()
    host.add_plugin(typo, "typo")
    assert len(host.errors) == 1
    assert "unknown hook 'register_node_type'" in host.errors[0]
    assert "did you mean 'register_node_types'" in host.errors[0]


def test_registering_something_that_is_not_a_node_is_refused_clearly() -> None:
    host = PluginHost()
    host.add_plugin(make_plugin("bad", ["not a node"]), "bad")
    assert "expected a NodeType" in host.errors[0]


class _FakeDist:
    def __init__(self, name: str) -> None:
        self.name, self.version = name, "1.2.3"


class _FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint: name, value, dist and load()."""

    group = "quantflow"

    def __init__(self, name: str, loader: Any, dist: str) -> None:
        self.name, self.value, self._loader, self.dist = name, f"{name}.plugin", loader, _FakeDist(dist)

    def load(self) -> Any:
        return self._loader()


def _entry_points() -> list[Any]:
    def import_failure() -> Any:
        raise ImportError("No module named 'missing_dependency'")

    real_core = next(
        ep for ep in importlib.metadata.entry_points(group="quantflow") if ep.name == "core"
    )
    return [
        real_core,
        _FakeEntryPoint("alpha", lambda: make_plugin("alpha", [thing_a]), "quantflow-alpha"),
        _FakeEntryPoint("broken", import_failure, "quantflow-broken"),
    ]


def test_load_reports_import_failures_with_distribution_and_keeps_going() -> None:
    host = PluginHost.load(env={}, entry_points=_entry_points())
    assert "core:manual_trigger" in host.registry.node_types
    assert "dup:thing" in host.registry.node_types
    (error,) = host.errors
    assert error.startswith("plugin 'broken' (quantflow-broken): failed to import")
    assert "missing_dependency" in error
    names = {p.name: p for p in host.plugins()}
    assert names["broken"].errors and names["alpha"].version == "1.2.3"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"core", "alpha", "broken"}),
        ({"QUANTFLOW_LOAD_PLUGINS": ""}, {"core"}),
        ({"QUANTFLOW_LOAD_PLUGINS": "alpha"}, {"core", "alpha"}),
        ({"QUANTFLOW_LOAD_PLUGINS": "quantflow-alpha"}, {"core", "alpha"}),
        ({"QUANTFLOW_DISABLE_PLUGINS": "broken, alpha"}, {"core"}),
        ({"QUANTFLOW_DISABLE_PLUGINS": "core"}, {"core", "alpha", "broken"}),
    ],
)
def test_allow_and_deny_lists(env: dict[str, str], expected: set[str]) -> None:
    host = PluginHost.load(env=env, entry_points=_entry_points())
    assert {p.name for p in host.plugins()} == expected


def test_trace_writes_hook_calls_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    PluginHost.load(env={"QUANTFLOW_TRACE_PLUGINS": "1"}, entry_points=_entry_points()[:2])
    assert "register_node_types" in capsys.readouterr().err


def test_plugin_info_lists_hooks_and_registered_ids() -> None:
    host = PluginHost.load(env={}, entry_points=_entry_points()[:2])
    info = {p.name: p for p in host.plugins()}["alpha"]
    assert info.distribution == "quantflow-alpha"
    assert info.hooks == ["register_node_types"]
    assert info.registered == {"node_types": ["dup:thing"]}


def test_component_ids_must_be_namespaced() -> None:
    with pytest.raises(PluginError, match="namespace:name"):
        DataSourceSpec(id="files", title="Files", factory=dict)
    spec = AgentSpec(id="test:agent", title="Agent", factory=lambda: "built")
    assert spec.create() == "built"
