"""`core:memory`: bars held in memory, built from `Bars`, from plain rows, or generated.

Rows go through the same quality rules as files (`clean.py`), so a hand-written table cannot
smuggle in a NaN or an unsorted date either. `metadata["synthetic"]` says whether the prices are
made up; demos must show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import anyio
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from quantflow.data.bars import Bars
from quantflow.data.clean import CleanOptions, clean
from quantflow.data.directory import _slice
from quantflow.data.layout import PRESETS, PriceUnit
from quantflow.data.quality import (
    DataQualityError,
    DataSourceError,
    QualityPolicy,
    QualityReport,
    build_report,
)
from quantflow.data.synthetic import SyntheticConfig, generate_market
from quantflow.data.table import NUMBER_FIELDS, RawTable, date_issue, parse_dates
from quantflow.data.timestamps import parse_resolution
from quantflow.market.calendar import default_calendar

#: One daily row: (session date 'YYYY-MM-DD' or date, open, high, low, close, volume).
Row = Sequence[Any]


class MemoryConfig(BaseModel):
    """Either `rows` per symbol or a `synthetic` market (not both)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: dict[str, list[tuple[date, float, float, float, float, float]]] = Field(
        default_factory=dict, description="Symbol -> [(date, open, high, low, close, volume)]."
    )
    price_unit: PriceUnit = "vnd"
    policy: QualityPolicy = "strict"
    synthetic: SyntheticConfig | None = Field(
        default=None, description="Generate a seeded synthetic market instead of rows."
    )


class MemorySource:
    """A `DataSource` over a dict of `Bars` (all of one resolution)."""

    def __init__(self, bars: Mapping[str, Bars] | Iterable[Bars], resolution: str = "1D",
                 *, synthetic: bool = False, report: QualityReport | None = None) -> None:
        items = bars.values() if isinstance(bars, Mapping) else bars
        self._bars = {b.symbol: b for b in items}
        self.resolution = parse_resolution(resolution)
        self.synthetic = synthetic
        self.metadata: dict[str, Any] = {"synthetic": synthetic, "resolution": str(self.resolution)}
        self._report = report

    @classmethod
    def from_rows(cls, rows: Mapping[str, Sequence[Row]], *, price_unit: PriceUnit = "vnd",
                  policy: QualityPolicy = "strict") -> MemorySource:
        """Daily rows per symbol, checked like a file ("line" = 1-based row number)."""
        layout = PRESETS["quantflow"].model_copy(update={"price_unit": price_unit})
        options = CleanOptions(layout=layout, policy=policy, calendar=default_calendar())
        bars: dict[str, Bars] = {}
        issues, rejected, read, kept = [], set(), 0, 0
        for symbol, table_rows in rows.items():
            result = clean(_table(symbol, table_rows), options, symbol)
            bars.update(result.bars)
            issues += result.issues
            rejected |= result.rejected
            read, kept = read + result.rows_read, kept + result.rows_kept
        report = build_report(policy, [f"memory:{s}" for s in rows], read, kept, issues, rejected)
        if rejected:
            raise DataQualityError("rows rejected under the strict policy", report)
        return cls(bars, "1D", report=report)

    @classmethod
    def from_config(cls, config: MemoryConfig) -> MemorySource:
        if config.synthetic is not None:
            if config.rows:
                raise DataSourceError("core:memory takes rows or synthetic, not both")
            return cls(generate_market(config.synthetic), "1D", synthetic=True)
        return cls.from_rows(config.rows, price_unit=config.price_unit, policy=config.policy)

    def report(self) -> QualityReport | None:
        return self._report

    def symbols(self) -> list[str]:
        return sorted(self._bars)

    def read(self, symbol: str, start: datetime | date | None = None,
             end: datetime | date | None = None) -> Bars:
        if symbol not in self._bars:
            raise DataSourceError(f"unknown symbol {symbol!r}; have {self.symbols()[:20]}")
        return _slice(self._bars[symbol], start, end)

    async def bars(self, symbol: str, resolution: str = "1D", start: datetime | date | None = None,
                   end: datetime | date | None = None) -> Bars:
        if parse_resolution(resolution) != self.resolution:
            raise DataSourceError(f"this source holds {self.resolution} bars, not {resolution!r}")
        await anyio.lowlevel.checkpoint()
        return self.read(symbol, start, end)


def _table(symbol: str, rows: Sequence[Row]) -> RawTable:
    """Rows -> RawTable; a row of the wrong length or with a non-number becomes NaN (reported)."""
    n = len(rows)
    numbers = {f: np.full(n, np.nan) for f in NUMBER_FIELDS}
    raw_dates = []
    for i, row in enumerate(rows):
        raw_dates.append(str(row[0]) if len(row) else "")
        for j, f in enumerate(NUMBER_FIELDS, start=1):
            try:
                numbers[f][i] = float(row[j])
            except (IndexError, TypeError, ValueError):
                pass
    days, ok = parse_dates(np.array(raw_dates, dtype=str), "%Y-%m-%d")
    issues = [date_issue(f"memory:{symbol}", i + 1, raw_dates[i], "%Y-%m-%d")
              for i in np.flatnonzero(~ok).tolist()]
    return RawTable(f"memory:{symbol}", np.arange(1, n + 1, dtype=np.int64), days, numbers, None,
                    ~ok, issues)
