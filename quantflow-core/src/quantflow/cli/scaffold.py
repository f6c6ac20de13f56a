"""`quantflow plugin new NAME`: a plugin project that installs, registers one node, and passes
its own tests out of the box."""

from __future__ import annotations

import re
from pathlib import Path

import click

NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "quantflow-{dash}"
version = "0.1.0"
description = "A QuantFlow plugin."
requires-python = ">=3.11"
dependencies = ["quantflow>=0.1"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points.quantflow]
{name} = "quantflow_{name}.plugin"

[tool.hatch.build.targets.wheel]
packages = ["src/quantflow_{name}"]
"""

NODES = '''\
"""The node types of this plugin. Type ids are namespaced ("{name}:...") and never change."""

from __future__ import annotations

from pydantic import Field

from quantflow.nodes import Category, NodeParams, Scalar, node


class ScaleParams(NodeParams):
    factor: float = Field(2.0, description="Multiply the input by this.")


@node("{name}:scale", category=Category.LOGIC, title="Scale")
def scale(x: Scalar, params: ScaleParams) -> Scalar:
    """Multiplies a number by a factor."""
    return x * params.factor
'''

PLUGIN = '''\
"""The module the `quantflow` entry point names: it implements the plugin hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quantflow.plugins import hookimpl
from quantflow_{name}.nodes import scale


@hookimpl
def register_node_types(register: Callable[[Any], None]) -> None:
    register(scale)
'''

TESTS = '''\
from __future__ import annotations

import anyio

from quantflow.engine import RunContext, compile_plan, execute
from quantflow.plugins import PluginHost
from quantflow.workflow import validate
from quantflow_{name} import plugin


def host() -> PluginHost:
    h = PluginHost.load(env={{"QUANTFLOW_LOAD_PLUGINS": ""}})
    h.add_plugin(plugin, "{name}")
    assert h.errors == []
    return h


def test_scale_node_runs_in_a_workflow() -> None:
    workflow = {{
        "id": "w",
        "name": "W",
        "nodes": [
            {{"id": "c", "type": "core:constant", "params": {{"value": 21}}}},
            {{"id": "s", "type": "{name}:scale", "params": {{"factor": 2}}}},
        ],
        "edges": [{{"source": "c", "source_port": "out", "target": "s", "target_port": "x"}}],
    }}
    result = validate(workflow, host().registry.node_types)
    assert result.ok, [str(p) for p in result.errors]
    run = anyio.run(execute, compile_plan(result), RunContext(run_id="t"))
    assert run.outputs["s"] == {{"out": 42.0}}


def test_bad_params_are_reported() -> None:
    workflow = {{"id": "w", "name": "W", "nodes": [{{"id": "s", "type": "{name}:scale", "params": {{"factr": 2}}}}]}}
    problems = validate(workflow, host().registry.node_types).errors
    assert any(p.code.value == "invalid_param" and p.param == "factr" for p in problems)
'''

README = """\
# quantflow-{dash}

A QuantFlow plugin. Install it next to QuantFlow and its nodes appear in `quantflow nodes` and
on the canvas:

    pip install -e '.[test]'
    pytest
"""


@click.group("plugin")
def plugin_group() -> None:
    """Tools for plugin authors."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
def new_plugin(name: str, parent: Path) -> None:
    """Create quantflow-NAME/: a plugin with one node type and passing tests."""
    if not NAME.match(name):
        raise click.ClickException(
            f"plugin name {name!r} must be 2-31 characters of lower-case letters, digits and '_', "
            "starting with a letter (it becomes the node namespace, e.g. 'mybroker:place')"
        )
    dash = name.replace("_", "-")
    root = parent / f"quantflow-{dash}"
    if root.exists():
        raise click.ClickException(f"{root} already exists; choose another name or folder")
    package = root / "src" / f"quantflow_{name}"
    files = {
        root / "pyproject.toml": PYPROJECT,
        root / "README.md": README,
        package / "__init__.py": '"""A QuantFlow plugin."""\n',
        package / "py.typed": "",
        package / "nodes.py": NODES,
        package / "plugin.py": PLUGIN,
        root / "tests" / "test_plugin.py": TESTS,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(name=name, dash=dash), encoding="utf-8")
    click.echo(f"created {root}: cd {root} && pip install -e '.[test]' && pytest")
