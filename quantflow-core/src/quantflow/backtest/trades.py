"""Round trips from fills, and the fills as columns that trades and metrics read.

A symbol's trade runs from a fill while it is flat to the fill that makes it flat again (or stays
open at the end of the backtest). Both are worked out on the fills as numpy columns
(`FillColumns`): a backtest has thousands of fills, and a Python pass over their records cost more
than everything else in building a result. Money stays exact: a column is int64 only when any sum
of all its values fits; otherwise it holds Python ints (an object array, same code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from quantflow.domain.trusted import built_all

_SAFE = 2**62  # a column whose largest magnitude x its length stays below this sums exactly in int64


class Trade(BaseModel):
    """A round trip in one symbol: from flat to flat (or still open at the end)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str
    entry_day: date
    exit_day: date | None
    quantity: int  # largest position held during the trade
    cost: int  # VND paid for buys, fees included
    proceeds: int  # VND received from sells, after fee and tax
    pnl: int | None  # proceeds - cost, once closed
    return_pct: float | None


TRADE_FIELDS = set(Trade.model_fields)  # shared by the trusted rows (the model is frozen)


def exact(values: Sequence[int] | np.ndarray) -> np.ndarray:
    """Whole numbers as int64 when every sum of them fits, else as Python ints in an object array."""
    if isinstance(values, np.ndarray) and values.dtype == np.int64:
        top = max(int(values.max(initial=0)), -int(values.min(initial=0)))
    else:
        top = max((abs(int(v)) for v in values), default=0)
    if top * max(len(values), 1) < _SAFE:
        return np.asarray(values, dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    out[:] = [int(v) for v in values]
    return out


@dataclass(frozen=True, slots=True)
class FillColumns:
    """A result's fills, one entry per fill in the fills' order: the symbol (an index into
    `names`), buy or sell, shares, value (price x shares), fee, tax and session day. Make it with
    `checked` or `of`, which keep the money exact."""

    names: tuple[str, ...]
    symbol: np.ndarray
    buy: np.ndarray
    quantity: np.ndarray
    value: np.ndarray
    fee: np.ndarray
    tax: np.ndarray
    day: Sequence[date]

    @classmethod
    def checked(cls, names: tuple[str, ...], symbol: np.ndarray, buy: np.ndarray, quantity: np.ndarray,
                value: np.ndarray, fee: np.ndarray, tax: np.ndarray, day: Sequence[date]) -> FillColumns:
        """Columns a simulation already holds (int64), made exact where their sums could overflow."""
        return cls(names, symbol, np.asarray(buy, dtype=bool), exact(quantity), exact(value), exact(fee), exact(tax), day)

    @classmethod
    def of(cls, fills: Sequence[Any]) -> FillColumns:
        """The columns of fill records (`symbol`, `side`, `quantity`, `price`, `fee`, `tax`, `day`)."""
        code: dict[str, int] = {}
        rows = [(code.setdefault(f.symbol, len(code)), f.side == "buy", f.quantity, f.price * f.quantity, f.fee, f.tax,
                 f.day) for f in fills]
        symbol, buy, quantity, value, fee, tax, day = zip(*rows, strict=True) if rows else ((),) * 7
        return cls(tuple(code), np.array(symbol, dtype=np.int64), np.array(buy, dtype=bool), exact(quantity),
                   exact(value), exact(fee), exact(tax), day)


def trades_from_fills(columns: FillColumns) -> list[Trade]:
    """The round trips of the fills: closed ones in the order of the fills that close them, then
    open ones by symbol."""
    n = len(columns.symbol)
    if not n:
        return []
    order = np.argsort(columns.symbol, kind="stable")  # symbol by symbol, each in fill order
    symbol, buy, quantity = columns.symbol[order], columns.buy[order], columns.quantity[order]
    signed = np.where(buy, quantity, -quantity)
    running = np.cumsum(signed)
    first = np.ones(n, dtype=bool)
    first[1:] = symbol[1:] != symbol[:-1]
    heads = np.flatnonzero(first)
    held = running - np.repeat(running[heads] - signed[heads], np.diff(np.append(heads, n)))  # per symbol
    opens = first.copy()
    opens[1:] |= held[:-1] == 0  # a fill after the position went flat opens a new trade
    starts = np.flatnonzero(opens)
    ends = np.append(starts[1:], n) - 1
    value, fee, tax = columns.value[order], columns.fee[order], columns.tax[order]
    cost = np.add.reduceat(np.where(buy, value + fee + tax, 0), starts).tolist()
    proceeds = np.add.reduceat(np.where(buy, 0, value - fee - tax), starts).tolist()
    peak = np.maximum.reduceat(held, starts).tolist()  # held only grows on buys: the largest after one
    closed = held[ends] == 0
    entry, exit_ = order[starts].tolist(), order[ends].tolist()
    names = [columns.names[s] for s in symbol[starts].tolist()]
    done = np.flatnonzero(closed)
    done = done[np.argsort(order[ends][done], kind="stable")].tolist()
    still = sorted(np.flatnonzero(~closed).tolist(), key=names.__getitem__)
    day = columns.day
    rows = [_trade(names[t], day[entry[t]], day[exit_[t]], peak[t], cost[t], proceeds[t]) for t in done]
    rows += [_trade(names[t], day[entry[t]], None, peak[t], cost[t], proceeds[t]) for t in still]
    return built_all(Trade, rows, TRADE_FIELDS)  # whole numbers and days from valid fills


def _trade(symbol: str, entry: date, exit_day: date | None, peak: int, cost: int, proceeds: int) -> dict[str, Any]:
    pnl = proceeds - cost if exit_day is not None else None
    return {
        "symbol": symbol, "entry_day": entry, "exit_day": exit_day, "quantity": max(peak, 0), "cost": cost,
        "proceeds": proceeds, "pnl": pnl,
        # int / int is correctly rounded in Python: the float nearest pnl x 100 / cost, exactly
        # float(Fraction(pnl, cost) * 100), without building the fraction
        "return_pct": pnl * 100 / cost if pnl is not None and cost else None,
    }
