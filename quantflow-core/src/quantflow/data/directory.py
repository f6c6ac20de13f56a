"""`core:directory`: daily bars from a folder (or one file) of CSV, CSV.gz or Parquet files.

Files are read on first use and cached per file (parsed, checked and indexed by symbol), so a
2.2 M-row all-tickers file costs one load. Bars are stamped at the session close (see
`timestamps.py`). Every problem goes into the quality report (`report()`); under `strict` a symbol
with any problem is refused with `DataQualityError`.

About vnstock/VCI per-ticker files: their last row (2025-11-13 in the shared set) is a partial
intraday snapshot taken while the session was open. Nothing in the row says so, and files of
delisted or suspended symbols end earlier, so "drop the last row" would be wrong. Set `end` to the
last complete session (`end: 2025-11-12`); later rows are then dropped and reported as
`outside_range`.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from pathlib import Path

import anyio
import numpy as np
from pydantic import ConfigDict, Field

from quantflow.data.bars import Bars
from quantflow.data.clean import CleanOptions, CleanResult, clean
from quantflow.data.csv_read import read_csv_table
from quantflow.data.layout import LayoutMixin
from quantflow.data.parquet_read import read_parquet_table
from quantflow.data.quality import (
    DataQualityError,
    DataSourceError,
    QualityPolicy,
    QualityReport,
    build_report,
)
from quantflow.data.timestamps import parse_resolution, query_bound
from quantflow.market.calendar import default_calendar


class DirectoryConfig(LayoutMixin):
    """Where the files are and how to read them. Example for the shared VCI files:
    `{"path": ".../vci_adjusted_2019_2025", "preset": "vci", "end": "2025-11-12"}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path = Field(description="A directory of files, or a single file.")
    include: tuple[str, ...] = Field(
        default=("*.csv", "*.csv.gz", "*.parquet"), description="Glob patterns inside `path`."
    )
    policy: QualityPolicy = Field(default="strict", description="strict rejects; repair fixes.")
    start: date | None = Field(default=None, description="Drop (and report) sessions before this.")
    end: date | None = Field(
        default=None, description="Last complete session; later rows are dropped and reported."
    )
    check_calendar: bool = Field(
        default=True, description="Flag non-trading days and missing sessions (VN calendar)."
    )
    report_limit: int = Field(default=1000, ge=0, description="Problems listed in a report.")


class DirectorySource:
    """A `DataSource` over files; see the module docstring."""

    synthetic = False

    def __init__(self, config: DirectoryConfig) -> None:
        self.config = config
        self.layout = config.effective_layout
        self._cache: dict[Path, CleanResult] = {}
        self._locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()
        self._files: list[Path] | None = None
        self._by_symbol: dict[str, Path] | None = None

    # -- discovery -------------------------------------------------------------------------
    def files(self) -> list[Path]:
        if self._files is None:
            root = self.config.path
            if root.is_file():
                self._files = [root]
            elif root.is_dir():
                found = {p for pattern in self.config.include for p in root.glob(pattern)}
                self._files = sorted(p for p in found if p.is_file())
            else:
                raise DataSourceError(f"{root}: no such file or directory")
        return self._files

    @property
    def long(self) -> bool:
        return self.layout.columns.symbol is not None

    def _index(self) -> dict[str, Path]:
        """Symbol -> file. Long files are loaded to learn their symbols."""
        if self._by_symbol is None:
            index: dict[str, Path] = {}
            pattern = re.compile(self.layout.symbol_pattern)
            for path in self.files():
                if self.long:
                    names = self._load(path).bars.keys() | self._load(path).rejected
                else:
                    match = pattern.match(path.name)
                    if match is None:
                        raise DataSourceError(
                            f"{path}: file name does not match symbol_pattern "
                            f"{self.layout.symbol_pattern!r}; rename it or adjust the pattern"
                        )
                    names = {match.group("symbol").upper()}
                for name in names:
                    if name in index:
                        raise DataSourceError(
                            f"symbol {name} is in both {index[name]} and {path}; keep one"
                        )
                    index[name] = path
            self._by_symbol = index
        return self._by_symbol

    def symbols(self) -> list[str]:
        """Symbols the files hold (under strict, a listed symbol may still be rejected)."""
        return sorted(self._index())

    # -- loading ----------------------------------------------------------------------------
    def _load(self, path: Path) -> CleanResult:
        with self._guard:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            if path not in self._cache:
                reader = read_parquet_table if path.name.endswith(".parquet") else read_csv_table
                table = reader(path, self.layout)
                options = CleanOptions(
                    layout=self.layout, policy=self.config.policy, start=self.config.start,
                    end=self.config.end,
                    calendar=default_calendar() if self.config.check_calendar else None,
                )
                symbol = None
                if not self.long:
                    match = re.match(self.layout.symbol_pattern, path.name)
                    symbol = match.group("symbol") if match else path.name.split(".")[0]
                self._cache[path] = clean(table, options, symbol)
            return self._cache[path]

    def read(self, symbol: str, start: datetime | date | None = None,
             end: datetime | date | None = None) -> Bars:
        """Bars of `symbol` with `start <= time <= end` (a `date` bound covers that whole day)."""
        path = self._index().get(symbol)
        if path is None:
            raise DataSourceError(
                f"unknown symbol {symbol!r} in {self.config.path}; "
                f"{len(self._index())} symbols available"
            )
        result = self._load(path)
        if symbol in result.rejected:
            raise DataQualityError(
                f"{symbol}: data in {path} rejected under the strict policy "
                "(use policy 'repair' to drop bad rows)",
                self.report(symbol),
            )
        bars = result.bars.get(symbol)
        if bars is None:
            raise DataSourceError(f"{symbol}: no usable rows in {path}; see report()")
        return _slice(bars, start, end)

    async def bars(self, symbol: str, resolution: str = "1D", start: datetime | date | None = None,
                   end: datetime | date | None = None) -> Bars:
        if not parse_resolution(resolution).daily:
            raise DataSourceError(
                f"core:directory serves daily bars only; asked for {resolution!r}"
            )
        return await anyio.to_thread.run_sync(self.read, symbol, start, end)

    def report(self, symbol: str | None = None) -> QualityReport:
        """The quality report of every file (loading them), or of the file holding `symbol`,
        restricted to that symbol's problems."""
        paths = [self._index()[symbol]] if symbol is not None and symbol in self._index() else (
            self.files()
        )
        results = [self._load(p) for p in paths]
        issues = [i for r in results for i in r.issues if symbol is None or i.symbol in (symbol, None)]
        rejected = [s for r in results for s in r.rejected if symbol is None or s == symbol]
        if symbol is None:
            read, kept = sum(r.rows_read for r in results), sum(r.rows_kept for r in results)
        else:
            kept = sum(len(r.bars[symbol]) for r in results if symbol in r.bars)
            read = sum(r.rows_by_symbol.get(symbol, 0) for r in results)
        return build_report(self.config.policy, [str(p) for p in paths], read, kept, issues,
                            rejected, self.config.report_limit)


def _slice(bars: Bars, start: datetime | date | None, end: datetime | date | None) -> Bars:
    lo_t, hi_t = query_bound(start, is_end=False), query_bound(end, is_end=True)
    lo = 0 if lo_t is None else int(np.searchsorted(bars.time, lo_t, "left"))
    hi = len(bars) if hi_t is None else int(np.searchsorted(bars.time, hi_t, "right"))
    if lo == 0 and hi == len(bars):
        return bars
    return Bars(bars.symbol, *(getattr(bars, f)[lo:hi] for f in
                               ("time", "open", "high", "low", "close", "volume")))
