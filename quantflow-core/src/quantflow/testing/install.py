"""Install a plugin project with pip into a private folder and run QuantFlow against it, as a user
would after `pip install` — without touching the current environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from quantflow.testing.serving import CLI


def pip_install_into(project: Path, target: Path) -> Path:
    """`pip install --target target project` (no dependencies: QuantFlow is already importable)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(project)],
        check=True,
        capture_output=True,
    )
    return target


def run_with(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python *args` with `target` first on the import path and every plugin allowed."""
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("QUANTFLOW_LOAD_PLUGINS", None)
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)


def quantflow_cli(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `quantflow` command, seeing what is installed in `target`."""
    return run_with(target, *CLI[1:], *args)
