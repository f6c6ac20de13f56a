"""A throwaway plugin package, really installed with pip, shows up in `quantflow nodes --json`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from quantflow.testing.install import quantflow_cli

PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "quantflow-throwaway"
version = "0.0.1"

[project.entry-points.quantflow]
throwaway = "quantflow_throwaway"
"""

MODULE = '''
from quantflow.nodes import Category, Scalar, node
from quantflow.plugins import hookimpl

@node("throwaway:triple", category=Category.LOGIC, title="Triple")
def triple(x: Scalar) -> Scalar:
    """Multiplies by three."""
    return 3 * x

@hookimpl
def register_node_types(register):
    register(triple)
'''

BROKEN = "import this_module_does_not_exist\n"


def _project(tmp_path: Path, name: str, module_source: str) -> Path:
    src = tmp_path / name
    package = src / name.replace("-", "_")
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(module_source)
    (src / "pyproject.toml").write_text(
        PYPROJECT.replace("quantflow-throwaway", name)
        .replace("quantflow_throwaway", name.replace("-", "_"))
        .replace("throwaway = ", f"{name.split('-')[-1]} = ")
    )
    return src


def test_installed_plugin_node_is_listed_and_a_broken_one_is_reported(
    tmp_path: Path, pip_install: Callable[[Path], Path]
) -> None:
    target = pip_install(_project(tmp_path, "quantflow-throwaway", MODULE))
    pip_install(_project(tmp_path, "quantflow-broken", BROKEN))
    listed = quantflow_cli(target, "nodes", "--json")
    assert listed.returncode == 0, listed.stderr
    triple = next(n for n in json.loads(listed.stdout)["node_types"] if n["type_id"] == "throwaway:triple")
    assert triple["plugin"] == "throwaway"
    assert triple["description"] == "Multiplies by three."
    plugins = {p["name"]: p for p in json.loads(quantflow_cli(target, "plugins").stdout)}
    assert plugins["throwaway"]["distribution"] == "quantflow-throwaway"
    assert plugins["throwaway"]["registered"] == {"node_types": ["throwaway:triple"]}
    assert "this_module_does_not_exist" in plugins["broken"]["errors"][0]
