"""A workflow naming symbols the data cannot trade in the period fails before it runs, naming every
such symbol and what to do, on both paths (not from inside the bars node, one symbol at a time)."""

from __future__ import annotations

from datetime import date

import anyio
import numpy as np
import pytest
from quantflow.backtest import BacktestConfig, run_bar_by_bar, run_fast
from quantflow.data.bars import Bars
from quantflow.data.memory import MemorySource
from quantflow.errors import QuantflowError
from quantflow.testing.workflows import example, with_params


def _bars(symbol: str, first: str) -> Bars:
    time = np.arange(np.datetime64(first), np.datetime64(first) + 200).astype("datetime64[ns]") + np.timedelta64(8, "h")
    price = np.full(200, 20_000.0)
    return Bars(symbol, time, price, price, price, price, np.full(200, 1e6))


@pytest.mark.parametrize("run", [run_fast, run_bar_by_bar])
def test_symbols_without_bars_in_the_period_are_all_named(run: object) -> None:
    source = MemorySource({"AAA": _bars("AAA", "2023-01-01"), "BBB": _bars("BBB", "2025-01-01"),
                           "CCC": _bars("CCC", "2025-02-01")})
    workflow = with_params(example("sma_crossover"), bars={"symbols": ["AAA", "BBB", "CCC"], "lookback": 60})
    config = BacktestConfig(start=date(2023, 3, 1), end=date(2023, 6, 30))
    with pytest.raises(QuantflowError) as failure:
        anyio.run(run, workflow, source, config)  # type: ignore[arg-type]
    assert str(failure.value) == ("the data has no bars between 2023-03-01 and 2023-06-30 for BBB, CCC: remove them "
                                  "from the workflow's symbols, or choose a period the data covers")
