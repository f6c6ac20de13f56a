"""core:replay: order, pacing with a fake clock (never real sleeping), no look-ahead; ticks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import anyio
import numpy as np
import pytest
from quantflow.data import (
    MemorySource,
    ReplayConfig,
    ReplaySource,
    SyntheticConfig,
    TickFilesConfig,
    TickFilesSource,
    generate_market,
)
from quantflow.data.bars import Bars
from quantflow.data.timestamps import to_utc64

TICKS = Path("/work/shared/data/vn/intraday/ticks_2026-02")


class FakeClock:
    """Wall clock that only moves when the replay sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _market() -> MemorySource:
    config = SyntheticConfig(symbols=("SYNA", "SYNB"), start=date(2024, 3, 1), end=date(2024, 3, 29))
    return MemorySource(generate_market(config), synthetic=True)


async def _collect(replay: ReplaySource, symbols: list[str], res: str = "1D") -> list[Bars]:
    return [bars async for bars in replay.subscribe(symbols, res)]


def test_speed_zero_emits_everything_in_time_order_without_sleeping() -> None:
    clock = FakeClock()
    replay = ReplaySource(_market(), 0, clock=clock, sleep=clock.sleep)
    out = anyio.run(_collect, replay, ["SYNA", "SYNB"])
    assert len(out) == 2 * 21 and all(len(b) == 1 for b in out)
    times = [b.time[0] for b in out]
    assert times == sorted(times)
    assert [b.symbol for b in out[:2]] == ["SYNA", "SYNB"]  # same close time: order given
    assert clock.sleeps == []
    source = _market().read("SYNB")
    assert [b.close[0] for b in out if b.symbol == "SYNB"] == source.close.tolist()


def test_paced_replay_never_emits_before_the_bar_time() -> None:
    clock = FakeClock()
    speed = 3600.0  # one simulated hour per second
    replay = ReplaySource(_market(), speed, clock=clock, sleep=clock.sleep)
    start_wall = clock.now
    first: list[np.datetime64] = []

    async def main() -> None:
        async for bars in replay.subscribe(["SYNA"], "1D"):
            first.append(first[0] if first else bars.time[0])
            simulated = first[0] + np.timedelta64(int((clock.now - start_wall) * speed * 1e9), "ns")
            assert simulated >= bars.time[0] - np.timedelta64(1, "us")
            assert replay.now == datetime.fromtimestamp(bars.time[0].astype(int) / 1e9, UTC)

    anyio.run(main)
    span_s = (_market().read("SYNA").time[-1] - first[0]) / np.timedelta64(1, "s")
    assert clock.now - start_wall == pytest.approx(span_s / speed)
    assert len(clock.sleeps) >= 19  # one wait per later session at least


def test_history_during_replay_stops_at_the_simulated_present() -> None:
    clock = FakeClock()
    replay = ReplaySource(_market(), 0, clock=clock, sleep=clock.sleep)

    async def main() -> None:
        seen = 0
        async for bars in replay.subscribe(["SYNA"], "1D"):
            seen += 1
            history = await replay.bars("SYNA", "1D", None, None)
            assert len(history) == seen and history.time[-1] == bars.time[0]

    anyio.run(main)


def test_start_and_end_bound_the_replay() -> None:
    start = datetime(2024, 3, 11, tzinfo=UTC)
    end = datetime(2024, 3, 15, 23, tzinfo=UTC)
    replay = ReplaySource(_market(), 0, start=start, end=end)
    out = anyio.run(_collect, replay, ["SYNA"])
    assert [str(b.time[0])[:10] for b in out] == [
        "2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-15"]
    assert all(b.time[0] >= to_utc64(start) for b in out)


def test_replay_from_config_is_synthetic_and_labelled() -> None:
    replay = ReplaySource.from_config(ReplayConfig(synthetic=SyntheticConfig(symbols=("SYNX",))))
    assert replay.metadata["synthetic"] is True and list(replay.symbols()) == ["SYNX"]
    with pytest.raises(ValueError, match="exactly one"):
        ReplayConfig(speed=1)


def test_ticks_aggregate_into_minute_bars_and_replay() -> None:
    if not TICKS.exists():
        pytest.skip("real tick data not available")
    source = TickFilesSource(TickFilesConfig(path=TICKS))
    bars = source.read("HPG", "1m")
    # first trade 13:18:47 local -> the 13:18 bar closes at 13:19 local = 06:19 UTC
    assert bars.time[0] == np.datetime64("2026-02-13T06:19", "ns")
    assert bars.close[-1] == 26850 and bars.time[-1] == np.datetime64("2026-02-13T07:46", "ns")
    seconds = source.read("HPG", "1s")
    assert seconds.volume.sum() == bars.volume.sum()
    assert np.all(np.diff(seconds.time.astype(np.int64)) > 0)

    clock = FakeClock()
    replay = ReplaySource(source, 60.0, clock=clock, sleep=clock.sleep)
    out = anyio.run(_collect, replay, ["HPG"], "1m")
    assert [b.close[0] for b in out] == bars.close.tolist()
    minutes = (bars.time[-1] - bars.time[0]) / np.timedelta64(1, "m")
    assert clock.now - 1000.0 == pytest.approx(minutes)  # 60x: one simulated minute per second


class _DatetimeOnlySource:
    """A third-party source that keeps to the `DataSource` protocol: datetimes (or None) only."""

    def __init__(self) -> None:
        self.inner = _market()
        self.calls: list[tuple[datetime | None, datetime | None]] = []

    def symbols(self) -> list[str]:
        return list(self.inner.symbols())

    async def bars(self, symbol: str, resolution: str, start: datetime | None, end: datetime | None) -> Bars:
        assert start is None or isinstance(start, datetime)
        assert end is None or isinstance(end, datetime)
        self.calls.append((start, end))
        return await self.inner.bars(symbol, resolution, start, end)


def test_replay_hands_its_inner_source_datetimes_for_plain_dates() -> None:
    inner = _DatetimeOnlySource()
    replay = ReplaySource(inner, 0)
    got = anyio.run(replay.bars, "SYNA", "1D", date(2024, 3, 11), date(2024, 3, 15))
    want = anyio.run(_market().bars, "SYNA", "1D", date(2024, 3, 11), date(2024, 3, 15))
    assert [type(b) for b in inner.calls[0]] == [datetime, datetime]
    assert len(got) == 5 and got.time.tolist() == want.time.tolist()
