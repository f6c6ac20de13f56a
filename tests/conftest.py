"""Fixtures for cross-package tests that install real distributions with pip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from quantflow.testing.install import pip_install_into


@pytest.fixture
def pip_install(tmp_path: Path) -> Callable[[Path], Path]:
    """Install a project into a private folder under tmp_path and return that folder."""
    return lambda project: pip_install_into(project, tmp_path / "site")
