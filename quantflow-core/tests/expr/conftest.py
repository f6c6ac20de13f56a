"""Shared fixtures: real HPG daily bars read from the shared data folder (never copied here)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

HPG = Path("/work/shared/data/vn/daily/vci_adjusted_2019_2025/HPG.csv")


@pytest.fixture(scope="session")
def hpg() -> dict[str, np.ndarray]:
    if not HPG.exists():
        pytest.skip(f"real market data not available at {HPG}")
    with HPG.open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:-1]  # the last row is a partial intraday snapshot
    return {
        field: np.array([float(row[field]) for row in rows])
        for field in ("open", "high", "low", "close", "volume")
    }
