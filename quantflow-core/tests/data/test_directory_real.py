"""core:directory on the real shared files: exact units, timestamps, cut-off and reports."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import anyio
import numpy as np
import pytest
from quantflow.data import (
    DataQualityError,
    DataSourceError,
    DirectoryConfig,
    DirectorySource,
)
from quantflow.data.quality import ProblemCode
from quantflow.domain.money import vnd_from_thousands

VN = Path("/work/shared/data/vn")
DAILY = VN / "daily"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real market data not available at {path}")
    return path


def _day(bars, day: str) -> int:
    """Index of the bar of session `day` (stamped 08:00 UTC = 15:00 in Vietnam)."""
    hits = np.flatnonzero(bars.time == np.datetime64(f"{day}T08:00", "ns"))
    assert len(hits) == 1, day
    return int(hits[0])


@pytest.fixture(scope="module")
def vci() -> DirectorySource:
    path = need(DAILY / "vci_adjusted_2019_2025")
    return DirectorySource(DirectoryConfig(path=path, preset="vci", end=date(2025, 11, 12)))


def test_raw_hpg_close_on_2022_01_05_is_46800_vnd() -> None:
    path = need(DAILY / "raw_unadjusted_2006_2022")
    source = DirectorySource(DirectoryConfig(path=path, preset="raw_vnd", policy="repair"))
    assert "HPG" in source.symbols() and "E1VFVN30" in source.symbols()
    bars = source.read("HPG")
    i = _day(bars, "2022-01-05")
    assert (bars.open[i], bars.high[i], bars.low[i], bars.close[i]) == (46900, 47350, 46800, 46800)
    assert bars.volume[i] == 19546400
    assert i == len(bars) - 1


def test_raw_hpg_strict_rejects_and_names_the_bad_line() -> None:
    path = need(DAILY / "raw_unadjusted_2006_2022" / "hose_HPG.csv")
    source = DirectorySource(DirectoryConfig(path=path, preset="raw_vnd"))
    with pytest.raises(DataQualityError) as caught:
        source.read("HPG")
    problems = caught.value.report.problems
    bad = [p for p in problems if p.code is ProblemCode.BAD_NUMBER]
    assert [(p.line, p.field, p.value) for p in bad] == [(446, "volume", "-")]
    with path.open() as handle:
        assert handle.read().splitlines()[445].split(",")[6] == "-"  # line 446 holds volume "-"
    assert "hose_HPG.csv line 446" in str(caught.value)
    assert all(p.action == "rejected" for p in problems)


def test_vci_hpg_converts_every_value_exactly(vci: DirectorySource) -> None:
    with need(DAILY / "vci_adjusted_2019_2025" / "HPG.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))[:-1]  # the last row is after `end`
    bars = vci.read("HPG")
    assert len(bars) == len(rows) == 1533
    for field in ("open", "high", "low", "close"):
        expected = [vnd_from_thousands(row[field]) for row in rows]
        assert getattr(bars, field).tolist() == expected, field
    assert bars.volume.tolist() == [int(row["volume"]) for row in rows]
    expected_days = np.array([row["date"] for row in rows], "datetime64[D]")
    assert np.array_equal(bars.time, expected_days.astype("datetime64[ns]") + np.timedelta64(8, "h"))
    assert bars.close[_day(bars, "2022-01-05")] == 26830


def test_partial_last_row_is_cut_by_end_and_reported(vci: DirectorySource) -> None:
    bars = vci.read("HPG")
    assert bars.time[-1] == np.datetime64("2025-11-12T08:00", "ns")
    report = vci.report("HPG")
    assert [(p.code, p.line, p.value, p.action) for p in report.problems] == [
        (ProblemCode.OUTSIDE_RANGE, 1535, "2025-11-13", "dropped")
    ]
    assert report.rows_read == 1534 and report.rows_kept == 1533


def test_query_bounds_follow_the_close_stamp(vci: DirectorySource) -> None:
    day_start = datetime(2022, 1, 5, 0, 0, tzinfo=UTC)
    before_close = vci.read("HPG", end=datetime(2022, 1, 5, 7, 59, tzinfo=UTC))
    at_close = vci.read("HPG", end=datetime(2022, 1, 5, 8, 0, tzinfo=UTC))
    assert len(at_close) == len(before_close) + 1  # the day's bar exists only from its close
    one_day = vci.read("HPG", start=date(2022, 1, 5), end=date(2022, 1, 5))
    assert one_day.close.tolist() == [26830]
    assert len(vci.read("HPG", start=day_start)) == len(vci.read("HPG")) - _day(vci.read("HPG"), "2022-01-05")
    with pytest.raises(Exception, match="naive"):
        vci.read("HPG", end=datetime(2022, 1, 5))


def test_async_bars_and_resolution(vci: DirectorySource) -> None:
    async def main() -> None:
        bars = await vci.bars("VCB", "1D", date(2022, 1, 5), date(2022, 1, 5))
        assert bars.close.tolist() == [43860]
        with pytest.raises(DataSourceError, match="daily bars only"):
            await vci.bars("VCB", "1m", None, None)
        with pytest.raises(DataSourceError, match="unknown symbol"):
            await vci.bars("NOPE", "1D", None, None)

    anyio.run(main)


def test_all_tickers_file_is_indexed_and_matches_the_per_ticker_file(all_tickers, vci) -> None:
    symbols = all_tickers.symbols()
    assert len(symbols) == 1498 and {"HPG", "VCB", "VNINDEX"} <= set(symbols)
    long_hpg, file_hpg = all_tickers.read("HPG"), vci.read("HPG")
    assert np.array_equal(long_hpg.time, file_hpg.time)
    assert np.array_equal(long_hpg.close, file_hpg.close)
    assert all_tickers.read("VNINDEX", start=date(2025, 11, 12)).close.tolist() == [1_631_860]


def test_all_tickers_report_names_real_problems(all_tickers) -> None:
    report = all_tickers.report()
    assert report.rows_read == 2_200_037
    kept = sum(len(all_tickers.read(s)) for s in all_tickers.symbols())
    assert report.rows_kept == kept < report.rows_read
    assert report.counts["ohlc_inconsistent"] > 40_000 and report.counts["missing_days"] > 0
    first = report.problems[0]
    # line 2 of the file: A32,2019-08-06,13.6,13.65,13.65,13.65,0 -> open below low
    assert (first.line, first.symbol, first.code) == (2, "A32", ProblemCode.OHLC_INCONSISTENT)
    assert first.action == "dropped"
    zero = [p for p in all_tickers.report("NAW").problems if p.code is ProblemCode.NON_POSITIVE_PRICE]
    assert [(p.field, p.value) for p in zero] == [("close", "0")]
    assert len(report.problems) == 1000 and report.problems_omitted > 0


def test_index_preset_reads_points() -> None:
    source = DirectorySource(DirectoryConfig(path=need(VN / "indices" / "VNINDEX.csv"),
                                             preset="index", policy="repair"))
    bars = source.read("VNINDEX", start=date(2020, 3, 24), end=date(2020, 3, 24))
    assert bars.close.tolist() == [659.21]


def test_wrong_preset_names_missing_columns() -> None:
    path = need(DAILY / "vci_adjusted_2019_2025" / "HPG.csv")
    with pytest.raises(DataSourceError, match=r"HPG.csv line 1: missing date \(column 'Date'\)"):
        DirectorySource(DirectoryConfig(path=path, preset="raw_vnd")).read("HPG")
    raw = need(DAILY / "raw_unadjusted_2006_2022")
    with pytest.raises(DataSourceError, match="hnx_BAB.csv: file name does not match"):
        DirectorySource(DirectoryConfig(path=raw, preset="vci")).symbols()
