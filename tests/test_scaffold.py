"""`quantflow plugin new` scaffolds a plugin that installs, is listed, and passes its own tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from quantflow.cli.scaffold import plugin_group
from quantflow.testing.install import quantflow_cli, run_with


def test_scaffolded_plugin_passes_its_tests(tmp_path: Path, pip_install: Callable[[Path], Path]) -> None:
    result = CliRunner().invoke(plugin_group, ["new", "my_signals", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    project = tmp_path / "quantflow-my-signals"
    target = pip_install(project)
    nodes = json.loads(quantflow_cli(target, "nodes", "--json").stdout)["node_types"]
    assert "my_signals:scale" in {n["type_id"] for n in nodes}
    tests = run_with(target, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project / "tests"))
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout


def test_bad_names_and_existing_folders_are_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(plugin_group, ["new", "My-Plugin", "--dir", str(tmp_path)])
    assert bad.exit_code == 1 and "lower-case letters" in bad.output
    assert runner.invoke(plugin_group, ["new", "twice", "--dir", str(tmp_path)]).exit_code == 0
    again = runner.invoke(plugin_group, ["new", "twice", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output
