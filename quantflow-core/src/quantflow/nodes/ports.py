"""Port types and the one compatibility table that the validator, the engine and the canvas share.

The table is exported in node metadata (`compatibility_table()`), so the canvas refuses exactly the
connections the validator refuses.
"""

from __future__ import annotations

from enum import StrEnum


class PortType(StrEnum):
    """What travels along an edge. Few and explicit on purpose."""

    EVENT = "event"  # a trigger fired (time, reason); starts the data → logic → action chain
    FRAME = "frame"  # bars of one or more symbols (OHLCV columns, VND)
    SERIES = "series"  # a numeric time series per symbol, aligned to a frame's bars
    BOOL_SERIES = "bool_series"  # a boolean time series per symbol
    SIGNAL = "signal"  # trading intent per symbol: +1 buy, -1 sell, 0 nothing
    ORDERS = "orders"  # order requests or order reports
    SCALAR = "scalar"  # one number
    TEXT = "text"  # one string
    ANY = "any"  # anything; checked by the receiving node at run time


# Extra source → target pairs allowed beyond "same type" and "either side is ANY". Each widening is
# lossless: a boolean series is a 0/1 numeric series, a scalar broadcasts over any series.
_WIDENINGS: frozenset[tuple[PortType, PortType]] = frozenset(
    {
        (PortType.BOOL_SERIES, PortType.SERIES),
        (PortType.BOOL_SERIES, PortType.SIGNAL),
        (PortType.SCALAR, PortType.SERIES),
    }
)


def is_compatible(source: PortType, target: PortType) -> bool:
    """Whether an output of type `source` may feed an input of type `target`."""
    return (
        source == target
        or PortType.ANY in (source, target)
        or (source, target) in _WIDENINGS
    )


def compatibility_table() -> dict[str, list[str]]:
    """For each source type, every target type it may connect to (JSON-ready, sorted)."""
    return {
        source.value: sorted(t.value for t in PortType if is_compatible(source, t))
        for source in PortType
    }
