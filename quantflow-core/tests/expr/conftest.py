"""Shared fixtures: real HPG daily bars read from the shared data folder (never copied here)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from quantflow.testing.data import require_shared_data


@pytest.fixture(scope="session")
def hpg() -> dict[str, np.ndarray]:
    with require_shared_data("daily", "vci_adjusted_2019_2025", "HPG.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:-1]  # the last row is a partial intraday snapshot
    return {
        field: np.array([float(row[field]) for row in rows])
        for field in ("open", "high", "low", "close", "volume")
    }
