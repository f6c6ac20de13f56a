"""Every example workflow validates; every trading example backtests on real data, and its fast
path places exactly the orders of its bar-by-bar run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import pytest
from quantflow.backtest import BacktestConfig, run_bar_by_bar, run_fast
from quantflow.data import DirectoryConfig, DirectorySource
from quantflow.nodes import Category
from quantflow.plugins import get_host
from quantflow.testing.data import require_shared_data
from quantflow.workflow import validate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "workflows"
TRADING = ["sma_crossover", "rsi_mean_reversion", "breakout_atr_stop", "sector_rotation"]


def load(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_example_validates_without_problems(path: Path) -> None:
    result = validate(json.loads(path.read_text(encoding="utf-8")), get_host().registry.node_types)
    assert result.problems == []


def test_the_examples_use_every_node_category_in_use() -> None:
    types = get_host().registry.node_types
    used = {types.get(n["type"]).category for name in TRADING for n in load(name)["nodes"]}
    assert used == {Category.TRIGGER, Category.DATA, Category.LOGIC, Category.ACTION}


@pytest.mark.parametrize("name", TRADING)
def test_example_backtests_and_both_paths_agree(name: str) -> None:
    folder = require_shared_data("daily", "vci_adjusted_2019_2025")
    source = DirectorySource(DirectoryConfig(path=folder, preset="vci", policy="repair", end=date(2025, 11, 12)))
    config = BacktestConfig(start=date(2023, 1, 3), end=date(2024, 12, 31))
    slow = anyio.run(lambda: run_bar_by_bar(load(name), source, config))
    fast = anyio.run(lambda: run_fast(load(name), source, config))
    assert slow.fills, f"{name} never traded in two years of real data"
    assert all(o.quantity % 100 == 0 for o in slow.orders)
    assert slow.orders == fast.orders and slow.fills == fast.fills and slow.equity == fast.equity
