"""The data-source plugin interface.

| method | required | what it does |
|---|---|---|
| `symbols()` | yes | the symbols this source can serve |
| `bars(symbol, resolution, start, end)` | yes | historical bars, oldest first, no look-ahead past `end` |
| `subscribe(symbols, resolution)` | no | an async iterator of new bars (live or replayed) |

`resolution` is '1D' or an intraday span ('1s', '1m', '5m', '1h'; see `timestamps.parse_resolution`).
`start`/`end` are aware datetimes compared with bar close times (`start <= time <= end`), or plain
dates meaning that whole local session day; `end` is how a caller asks "as of" an instant.
Built-in sources also expose a sync `read(symbol, start, end)` and `metadata["synthetic"]`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from quantflow.data.bars import Bars
from quantflow.plugins.components import ComponentSpec


@runtime_checkable
class DataSource(Protocol):
    def symbols(self) -> Sequence[str]: ...

    async def bars(
        self, symbol: str, resolution: str, start: datetime | None, end: datetime | None
    ) -> Bars: ...


class LiveDataSource(DataSource, Protocol):
    def subscribe(self, symbols: Sequence[str], resolution: str) -> AsyncIterator[Bars]: ...


@dataclass(frozen=True, slots=True)
class DataSourceSpec(ComponentSpec):
    """A registrable data source; `factory(config)` returns a `DataSource`."""
