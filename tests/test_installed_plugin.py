"""A throwaway plugin package, really installed with pip, shows up in `quantflow nodes --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def _install(tmp_path: Path, name: str, module_source: str) -> Path:
    src = tmp_path / name
    package = src / name.replace("-", "_")
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(module_source)
    (src / "pyproject.toml").write_text(
        PYPROJECT.replace("quantflow-throwaway", name).replace("quantflow_throwaway", name.replace("-", "_"))
        .replace("throwaway = ", f"{name.split('-')[-1]} = ")
    )
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps",
         "--target", str(target), str(src)],
        check=True,
        capture_output=True,
    )
    return target


def _quantflow(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("QUANTFLOW_LOAD_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-c", "from quantflow.cli.main import main; main()", *args],
        env=env, capture_output=True, text=True, check=False,
    )


def test_installed_plugin_node_is_listed_and_a_broken_one_is_reported(tmp_path: Path) -> None:
    target = _install(tmp_path, "quantflow-throwaway", MODULE)
    _install(tmp_path, "quantflow-broken", BROKEN)
    listed = _quantflow(target, "nodes", "--json")
    assert listed.returncode == 0, listed.stderr
    triple = next(n for n in json.loads(listed.stdout)["node_types"] if n["type_id"] == "throwaway:triple")
    assert triple["plugin"] == "throwaway"
    assert triple["description"] == "Multiplies by three."
    plugins = {p["name"]: p for p in json.loads(_quantflow(target, "plugins").stdout)}
    assert plugins["throwaway"]["distribution"] == "quantflow-throwaway"
    assert plugins["throwaway"]["registered"] == {"node_types": ["throwaway:triple"]}
    assert "this_module_does_not_exist" in plugins["broken"]["errors"][0]
