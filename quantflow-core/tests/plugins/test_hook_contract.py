"""Every hook is documented with its exact signature and exercised by a test; adding a hook
without both fails here."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from quantflow.agents.spec import AgentSpec
from quantflow.data.source import DataSourceSpec
from quantflow.nodes import Category, Scalar, node
from quantflow.plugins import PluginHost, hookspecs
from quantflow.plugins.components import ComponentSpec
from quantflow.plugins.host import HOOK_KINDS
from quantflow.testing.plugins import make_plugin

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "plugins.md"


def _hook_functions() -> dict[str, Any]:
    return {
        name: fn
        for name, fn in vars(hookspecs).items()
        if inspect.isfunction(fn) and hasattr(fn, "quantflow_spec")
    }


def _signature_line(fn: Any) -> str:
    return f"def {fn.__name__}{inspect.signature(fn)}".replace("'", "")


@node("contract:node", category=Category.LOGIC, title="Contract node")
def contract_node(x: Scalar) -> Scalar:
    return x


class _FunctionSpec:
    name = "contract_fn"


# One registrable sample per hook: the test below registers it through a plugin and finds it.
SAMPLES: dict[str, tuple[str, Any]] = {
    "register_node_types": ("contract:node", contract_node),
    "register_data_sources": ("contract:source", DataSourceSpec(id="contract:source", title="S", factory=dict)),
    "register_brokers": ("contract:broker", ComponentSpec(id="contract:broker", title="B", factory=dict)),
    "register_agents": ("contract:agent", AgentSpec(id="contract:agent", title="A", factory=dict)),
    "register_expression_functions": ("contract_fn", _FunctionSpec()),
}


def test_every_hook_has_a_docstring_a_guide_entry_and_a_sample() -> None:
    hooks = _hook_functions()
    assert set(hooks) == set(HOOK_KINDS) == set(SAMPLES)
    guide = GUIDE.read_text(encoding="utf-8").replace("\\|", "|")
    for name, fn in hooks.items():
        assert (fn.__doc__ or "").strip(), f"hook {name} has no docstring"
        assert _signature_line(fn) in guide, f"docs/plugins.md lacks the exact signature of {name}"


@pytest.mark.parametrize("hook", sorted(SAMPLES))
def test_each_hook_registers_into_its_registry(hook: str) -> None:
    item_id, sample = SAMPLES[hook]
    kind = HOOK_KINDS[hook]
    host = PluginHost()
    host.add_plugin(make_plugin("contract", **{kind: [sample]}), "contract")
    assert host.errors == []
    registry_kind = host.registry.kinds()[kind]
    assert item_id in registry_kind
    assert registry_kind.owner(item_id) == "contract"
    (info,) = host.plugins()
    assert info.hooks == [hook]
    assert info.registered == {kind: [item_id]}
