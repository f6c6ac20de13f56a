"""The example third-party plugin, installed with pip, is found by `quantflow nodes` and passes its
own tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from quantflow.testing.install import quantflow_cli, run_with

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "quantflow-plugin-example"


def test_example_plugin_installs_lists_and_passes_its_tests(pip_install: Callable[[Path], Path]) -> None:
    target = pip_install(EXAMPLE)
    listed = quantflow_cli(target, "nodes", "--json")
    assert listed.returncode == 0, listed.stderr
    node = next(n for n in json.loads(listed.stdout)["node_types"] if n["type_id"] == "example:momentum")
    assert node["plugin"] == "example"
    assert node["params_schema"]["properties"]["window"]["minimum"] == 1
    plugins = {p["name"]: p for p in json.loads(quantflow_cli(target, "plugins").stdout)}
    assert plugins["example"]["registered"] == {
        "node_types": ["example:momentum"],
        "data_sources": ["example:random_walk"],
    }
    tests = run_with(target, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE / "tests"))
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout
