"""Real data is read from the shared folder (licensed for internal tests; never copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from quantflow.data import DirectoryConfig, DirectorySource

ALL_TICKERS = Path("/work/shared/data/vn/daily/vci_adjusted_2019_2025_all_tickers.csv.gz")


@pytest.fixture(scope="session")
def all_tickers() -> DirectorySource:
    """The 2.2 M-row long file, loaded once per test session (repair policy)."""
    if not ALL_TICKERS.exists():
        pytest.skip(f"real market data not available at {ALL_TICKERS}")
    source = DirectorySource(DirectoryConfig(path=ALL_TICKERS, preset="vci_long", policy="repair"))
    source.symbols()
    return source
