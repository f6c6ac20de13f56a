"""core:memory from rows and the seeded synthetic market."""

from __future__ import annotations

from datetime import date

import anyio
import numpy as np
import pytest
from quantflow.data import DataQualityError, MemoryConfig, MemorySource, SyntheticConfig
from quantflow.data.quality import ProblemCode
from quantflow.data.synthetic import generate_market
from quantflow.market.calendar import default_calendar
from quantflow.market.ticks import ladder


def test_rows_are_checked_like_files() -> None:
    rows = {"ABC": [("2024-03-04", 100, 110, 90, 105, 10), ("2024-03-05", 100, 110, 90, float("nan"), 10)]}
    with pytest.raises(DataQualityError) as caught:
        MemorySource.from_rows(rows)
    problem = caught.value.report.problems[0]
    assert (problem.file, problem.line, problem.field, problem.code) == (
        "memory:ABC", 2, "close", ProblemCode.NON_FINITE)
    repaired = MemorySource.from_rows(rows, policy="repair")
    assert len(repaired.read("ABC")) == 1


def test_rows_in_thousands_convert_exactly_and_serve_async() -> None:
    config = MemoryConfig(rows={"HPG": [(date(2022, 1, 5), 26.9, 27.0, 26.8, 26.83, 100)]},
                          price_unit="thousand_vnd")
    source = MemorySource.from_config(config)
    bars = anyio.run(source.bars, "HPG", "1D", None, None)
    assert bars.close.tolist() == [26830]
    assert bars.time[0] == np.datetime64("2022-01-05T08:00", "ns")
    assert source.metadata["synthetic"] is False


def test_synthetic_market_is_seeded_labelled_and_realistic() -> None:
    config = SyntheticConfig(seed=3, symbols=("SYNA", "SYNB"), start=date(2024, 1, 1),
                             end=date(2024, 6, 30))
    a, b = generate_market(config), generate_market(config)
    assert np.array_equal(a["SYNA"].close, b["SYNA"].close)
    assert not np.array_equal(a["SYNA"].close, a["SYNB"].close)
    other = generate_market(config.model_copy(update={"seed": 4}))
    assert not np.array_equal(a["SYNA"].close, other["SYNA"].close)

    bars = a["SYNA"]
    sessions = default_calendar().trading_days(date(2024, 1, 1), date(2024, 6, 30))
    assert bars.time.astype("datetime64[D]").tolist() == sessions  # 08:00 UTC stays on the day
    hose = ladder("HOSE")
    for field in ("open", "high", "low", "close"):
        assert all(hose.is_on_tick(int(p)) for p in getattr(bars, field).tolist()), field
    assert np.all(bars.high >= np.maximum(bars.open, bars.close))
    assert np.all(bars.low <= np.minimum(bars.open, bars.close))
    previous = np.concatenate(([config.start_price], bars.close[:-1]))
    assert np.all(bars.high <= previous * 1.07) and np.all(bars.low >= previous * 0.93)
    assert np.all(bars.volume % 100 == 0) and np.all(bars.volume > 0)

    source = MemorySource.from_config(MemoryConfig(synthetic=config))
    assert source.synthetic is True and source.metadata["synthetic"] is True
    assert source.symbols() == ["SYNA", "SYNB"]


def test_rows_and_synthetic_together_are_refused() -> None:
    with pytest.raises(Exception, match="not both"):
        MemorySource.from_config(MemoryConfig(rows={"A": []}, synthetic=SyntheticConfig()))
