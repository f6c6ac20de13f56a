"""The result of a backtest as frozen models (-> JSON), built the same way by both paths.

Both paths hand over orders, fills, final positions and the daily equity series; `build_result`
turns those into trades and metrics with one piece of code, so any difference between the paths
shows up in the raw records, never in derived numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from quantflow.backtest.config import BacktestConfig
from quantflow.backtest.metrics import Metrics, compute_metrics
from quantflow.backtest.trades import FillColumns, Trade, trades_from_fills
from quantflow.domain.orders import Fill, Order, OrderStatus, OrderType, Side
from quantflow.domain.trusted import built_all


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OrderRecord(_Frozen):
    client_order_id: str
    symbol: str
    side: Literal["buy", "sell"]
    order_type: str
    quantity: int
    price: int | None
    created_at: datetime
    status: str
    filled_quantity: int
    filled_notional: int
    fees: int
    taxes: int
    reject_code: str | None = None

    @classmethod
    def of(cls, order: Order) -> OrderRecord:
        return cls(
            client_order_id=order.client_order_id, symbol=order.symbol, side=order.side.value,
            order_type=order.order_type.value, quantity=order.quantity, price=order.price,
            created_at=order.created_at, status=order.status.value, filled_quantity=order.filled_quantity,
            filled_notional=order.filled_notional, fees=order.fees_paid, taxes=order.taxes_paid,
            reject_code=order.reject_code,
        )


class FillRecord(_Frozen):
    client_order_id: str
    symbol: str
    side: Literal["buy", "sell"]
    quantity: int
    price: int
    fee: int
    tax: int
    day: date

    @classmethod
    def of(cls, fill: Fill, day: date) -> FillRecord:
        return cls(client_order_id=fill.client_order_id, symbol=fill.symbol, side=fill.side.value,
                   quantity=fill.quantity, price=fill.price, fee=fill.fee, tax=fill.tax, day=day)


class PositionRecord(_Frozen):
    symbol: str
    quantity: int
    cost_basis: int
    last_price: int
    market_value: int


class EquityPoint(_Frozen):
    day: date
    cash: int
    equity: int


#: an order enum member -> the string a result row holds (an enum's `.value`, looked up once)
VALUE: dict[Side | OrderType | OrderStatus, str] = {m: m.value for e in (Side, OrderType, OrderStatus) for m in e}

#: every field of each record: the fields-set their trusted builders share (the models are frozen)
ORDER_FIELDS, FILL_FIELDS, POSITION_FIELDS, EQUITY_FIELDS = (
    set(m.model_fields) for m in (OrderRecord, FillRecord, PositionRecord, EquityPoint))


#: an `OrderRecord`'s fields in order, as `order_rows` takes them
OrderFields = tuple[str, str, str, str, int, int | None, datetime, str, int, int, int, int, str | None]
#: a `FillRecord`'s fields in order, as `fill_rows` takes them
FillFields = tuple[str, str, str, int, int, int, int, date]


def order_rows(rows: Iterable[OrderFields]) -> list[OrderRecord]:
    """`OrderRecord`s of values valid by construction (a simulated broker's own), unvalidated:
    a backtest makes thousands."""
    return built_all(OrderRecord, [
        {"client_order_id": i, "symbol": s, "side": side, "order_type": kind, "quantity": q, "price": p,
         "created_at": at, "status": status, "filled_quantity": filled, "filled_notional": notional, "fees": fee,
         "taxes": tax, "reject_code": code}
        for i, s, side, kind, q, p, at, status, filled, notional, fee, tax, code in rows], ORDER_FIELDS)


def fill_rows(rows: Iterable[FillFields]) -> list[FillRecord]:
    """`FillRecord`s of values valid by construction, unvalidated (as `order_rows`)."""
    return built_all(FillRecord, [
        {"client_order_id": i, "symbol": s, "side": side, "quantity": q, "price": p, "fee": fee, "tax": tax, "day": day}
        for i, s, side, q, p, fee, tax, day in rows], FILL_FIELDS)


def equity_points(days: Iterable[date], cash: Iterable[int], equity: Iterable[int]) -> list[EquityPoint]:
    """The equity curve's `EquityPoint`s, unvalidated (whole VND, the sessions' days)."""
    return built_all(EquityPoint, [{"day": d, "cash": c, "equity": e} for d, c, e in zip(days, cash, equity, strict=True)],
                     EQUITY_FIELDS)


class BacktestResult(_Frozen):
    path: Literal["bar_by_bar", "fast"]
    config: BacktestConfig
    symbols: tuple[str, ...]
    orders: tuple[OrderRecord, ...]
    fills: tuple[FillRecord, ...]
    trades: tuple[Trade, ...]
    positions: tuple[PositionRecord, ...]
    equity: tuple[EquityPoint, ...]
    metrics: Metrics

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """A summary, not every row (the JSON has them): CPython 3.11 formats the repr of an
        event loop's main task, result included, when `asyncio.run` / `anyio.run` restores the
        SIGINT handler, so a backtest returned from one paid for two reprs of tens of thousands
        of rows (~0.2 s on the benchmark universe)."""
        yield "path", self.path
        yield "symbols", len(self.symbols)
        for name in ("orders", "fills", "trades", "positions", "equity"):
            yield name, _Rows(len(getattr(self, name)))
        yield "metrics", self.metrics


class _Rows(int):
    def __repr__(self) -> str:
        return f"<{int(self)} rows>"


def build_result(path: Literal["bar_by_bar", "fast"], config: BacktestConfig, symbols: tuple[str, ...],
                 orders: list[OrderRecord], fills: list[FillRecord], positions: list[PositionRecord],
                 equity: list[EquityPoint], fill_columns: FillColumns | None = None) -> BacktestResult:
    """The result; `fill_columns`: the fills' columns when the caller holds them already (else
    read from the records)."""
    columns = fill_columns if fill_columns is not None else FillColumns.of(fills)
    trades = trades_from_fills(columns)
    return BacktestResult(
        path=path, config=config, symbols=symbols, orders=tuple(orders), fills=tuple(fills),
        trades=tuple(trades), positions=tuple(positions), equity=tuple(equity),
        metrics=compute_metrics(config, equity, trades, columns),
    )
