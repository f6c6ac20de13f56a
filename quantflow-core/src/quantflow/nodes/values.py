"""What travels on each port type at run time.

| port type | Python value |
|---|---|
| `event` | `dict` with at least `time` (ISO 8601) and `reason` |
| `frame` | `Frame`: symbol → `quantflow.data.Bars` |
| `series` | `SeriesMap`: symbol → float64 array, aligned with that symbol's bars in the frame |
| `bool_series` | `SeriesMap`: symbol → bool array |
| `signal` | `SeriesMap`: symbol → int8 array of +1 (buy), -1 (sell), 0 |
| `orders` | `list` of `quantflow.domain.orders.OrderRequest` or `Order` |
| `scalar` | `float` |
| `text` | `str` |

A one-shot run (a manual run, a vectorised backtest) sees the whole history at once. In an
incremental run (`ctx.incremental`: a bar-by-bar backtest, paper or live), a frame holds only the
bars new since the previous run — usually one per symbol — and series hold values for exactly
those bars; nodes that need history keep it in `ctx.node_state()`. The newest value of every
array is the current bar, in both modes, so an action node reads `values[-1]` either way.

Values are read-only `Mapping`s, not necessarily `dict`s: in a backtest the bars node emits a
`PanelFrame` and formula nodes a `SeriesPanel` (`quantflow.nodes.panel`), which build each
symbol's `Bars` or array on access. Treat every port value as read-only and index it by symbol.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from quantflow.data.bars import Bars

Frame = Mapping[str, Bars]
SeriesMap = Mapping[str, np.ndarray]


def latest(series: SeriesMap) -> dict[str, float]:
    """The current bar's value per symbol (symbols with no bar in this run are left out)."""
    return {symbol: values[-1].item() for symbol, values in series.items() if len(values)}
