"""Intraday trades (vnstock `quote.intraday` files) aggregated into bars, for replay.

Columns used: `time` (local Asia/Ho_Chi_Minh, 'YYYY-MM-DD HH:MM:SS'), `price` (thousand VND by
default), `volume` (shares). The symbol is the file name's stem. Several trades share a second, so
the finest resolution is `1s`; each bar is stamped at the end of its interval (see
`timestamps.py`), which is when it is complete. Any unusable row is an error naming file and line:
trades are few, and a wrong print would be a wrong fill.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import anyio
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from quantflow.data.bars import Bars
from quantflow.data.csv_read import read_text
from quantflow.data.directory import _slice
from quantflow.data.layout import UNIT_SCALE, PriceUnit
from quantflow.data.quality import DataSourceError
from quantflow.data.timestamps import parse_resolution

_VN_OFFSET = np.timedelta64(7, "h")
Ticks = tuple[np.ndarray, np.ndarray, np.ndarray]  # (time UTC ns, price VND, volume)


class TickFilesConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path = Field(description="Folder of per-symbol tick CSVs, or one file.")
    price_unit: PriceUnit = "thousand_vnd"


def read_ticks(path: Path, price_unit: PriceUnit = "thousand_vnd") -> Ticks:
    """(time UTC ns, price VND, volume) arrays, in file order, which must be time order."""
    reader = csv.reader(read_text(path).split("\n"))
    header = [h.strip() for h in next(reader, [])]
    try:
        ti, pi, vi = (header.index(c) for c in ("time", "price", "volume"))
    except ValueError:
        raise DataSourceError(f"{path} line 1: need columns time, price, volume; got {header}") from None
    times: list[np.datetime64] = []
    prices: list[float] = []
    volumes: list[float] = []
    scale = UNIT_SCALE[price_unit]
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        try:
            local = np.datetime64(datetime.strptime(row[ti].strip(), "%Y-%m-%d %H:%M:%S"), "ns")
            price, volume = float(row[pi]) * scale, float(row[vi])
        except (IndexError, ValueError) as exc:
            raise DataSourceError(f"{path} line {line}: unusable trade {row}: {exc}") from None
        whole = round(price)
        if not (np.isfinite(price) and whole > 0 and abs(price - whole) < 1e-6 and volume > 0):
            raise DataSourceError(f"{path} line {line}: bad price or volume in {row}")
        if times and local - _VN_OFFSET < times[-1]:
            raise DataSourceError(f"{path} line {line}: trade time {row[ti]} goes backwards")
        times.append(local - _VN_OFFSET)
        prices.append(float(whole))
        volumes.append(volume)
    return (np.array(times, "datetime64[ns]"), np.array(prices), np.array(volumes))


def aggregate(symbol: str, times: np.ndarray, prices: np.ndarray, volumes: np.ndarray,
              span: np.timedelta64) -> Bars:
    """Trades -> OHLCV bars of length `span`, stamped at each interval's end; empty intervals
    produce no bar (nothing traded, nothing invented)."""
    if len(times) == 0:
        empty = np.zeros(0)
        return Bars(symbol, np.zeros(0, "datetime64[ns]"), empty, empty, empty, empty, empty)
    step = span.astype("timedelta64[ns]").astype(np.int64)
    ends = (times.astype(np.int64) // step + 1) * step
    starts = np.flatnonzero(np.concatenate(([True], ends[1:] != ends[:-1])))
    return Bars(
        symbol,
        ends[starts].astype("datetime64[ns]"),
        prices[starts],
        np.maximum.reduceat(prices, starts),
        np.minimum.reduceat(prices, starts),
        prices[np.append(starts[1:], len(prices)) - 1],
        np.add.reduceat(volumes, starts),
    )


class TickFilesSource:
    """A `DataSource` serving intraday bars aggregated from per-symbol tick files."""

    synthetic = False

    def __init__(self, config: TickFilesConfig) -> None:
        self.config = config
        root = config.path
        files = [root] if root.is_file() else sorted(root.glob("*.csv")) if root.is_dir() else []
        if not files:
            raise DataSourceError(f"{root}: no tick files found")
        self._files = {p.name.split(".")[0].upper(): p for p in files}
        self._ticks: dict[str, Ticks] = {}

    def symbols(self) -> list[str]:
        return sorted(self._files)

    def read(self, symbol: str, resolution: str = "1m", start: datetime | date | None = None,
             end: datetime | date | None = None) -> Bars:
        res = parse_resolution(resolution)
        if res.daily:
            raise DataSourceError("tick files serve intraday bars ('1s', '1m', ...), not '1D'")
        if symbol not in self._files:
            raise DataSourceError(f"unknown symbol {symbol!r}; tick files hold {self.symbols()}")
        if symbol not in self._ticks:
            self._ticks[symbol] = read_ticks(self._files[symbol], self.config.price_unit)
        return _slice(aggregate(symbol, *self._ticks[symbol], res.span), start, end)

    async def bars(self, symbol: str, resolution: str = "1m", start: datetime | date | None = None,
                   end: datetime | date | None = None) -> Bars:
        return await anyio.to_thread.run_sync(self.read, symbol, resolution, start, end)
