"""A result's repr is a summary: asyncio.run / anyio.run format the repr of their main task's
result when they exit (CPython 3.11), so it must stay small however many rows the result has."""

from __future__ import annotations

from datetime import date

import anyio
from quantflow.backtest import BacktestConfig, run_fast

from .conftest import Source, needs_data, sma_cross

pytestmark = needs_data


def test_a_result_repr_is_a_summary_not_every_row() -> None:
    config = BacktestConfig(start=date(2022, 1, 4), end=date(2024, 12, 31))
    result = anyio.run(lambda: run_fast(sma_cross(["FPT", "HPG"]), Source("FPT", "HPG"), config))
    text = repr(result)
    assert f"orders=<{len(result.orders)} rows>" in text and f"equity=<{len(result.equity)} rows>" in text
    assert "metrics=Metrics(" in text
    assert len(text) < 2_000 < len(result.model_dump_json())
