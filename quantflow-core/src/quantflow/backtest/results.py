"""The result of a backtest as frozen models (-> JSON), built the same way by both paths.

Both paths hand over orders, fills, final positions and the daily equity series; `build_result`
turns those into trades and metrics with one piece of code, so any difference between the paths
shows up in the raw records, never in derived numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from quantflow.backtest.config import BacktestConfig
from quantflow.backtest.metrics import Metrics, compute_metrics
from quantflow.domain.orders import Fill, Order, OrderStatus, OrderType, Side
from quantflow.domain.trusted import built


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


class Trade(_Frozen):
    """A round trip in one symbol: from flat to flat (or still open at the end)."""

    symbol: str
    entry_day: date
    exit_day: date | None
    quantity: int  # largest position held during the trade
    cost: int  # VND paid for buys, fees included
    proceeds: int  # VND received from sells, after fee and tax
    pnl: int | None  # proceeds - cost, once closed
    return_pct: float | None


class EquityPoint(_Frozen):
    day: date
    cash: int
    equity: int


#: an order enum member -> the string a result row holds (an enum's `.value`, looked up once)
VALUE: dict[Side | OrderType | OrderStatus, str] = {m: m.value for e in (Side, OrderType, OrderStatus) for m in e}

#: every field of each record: the fields-set their trusted builders share (the models are frozen)
ORDER_FIELDS, FILL_FIELDS, POSITION_FIELDS, TRADE_FIELDS, EQUITY_FIELDS = (
    set(m.model_fields) for m in (OrderRecord, FillRecord, PositionRecord, Trade, EquityPoint))


def order_row(client_order_id: str, symbol: str, side: str, order_type: str, quantity: int, price: int | None,
              created_at: datetime, status: str, filled_quantity: int, filled_notional: int, fees: int, taxes: int,
              reject_code: str | None) -> OrderRecord:
    """An `OrderRecord` of values valid by construction (a simulated broker's own), unvalidated:
    a backtest makes thousands."""
    return built(OrderRecord, {
        "client_order_id": client_order_id, "symbol": symbol, "side": side, "order_type": order_type,
        "quantity": quantity, "price": price, "created_at": created_at, "status": status,
        "filled_quantity": filled_quantity, "filled_notional": filled_notional, "fees": fees, "taxes": taxes,
        "reject_code": reject_code}, ORDER_FIELDS)


def fill_row(client_order_id: str, symbol: str, side: str, quantity: int, price: int, fee: int, tax: int,
             day: date) -> FillRecord:
    """A `FillRecord` of values valid by construction, unvalidated (as `order_row`)."""
    return built(FillRecord, {"client_order_id": client_order_id, "symbol": symbol, "side": side, "quantity": quantity,
                              "price": price, "fee": fee, "tax": tax, "day": day}, FILL_FIELDS)


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


def trades_from_fills(fills: list[FillRecord]) -> list[Trade]:
    open_: dict[str, list[Any]] = {}  # symbol -> [entry day, held, peak, cost, proceeds]
    done: list[Trade] = []
    for fill in fills:
        symbol, value = fill.symbol, fill.price * fill.quantity
        trade = open_.get(symbol)
        if trade is None:
            trade = open_[symbol] = [fill.day, 0, 0, 0, 0]
        if fill.side == "buy":
            held = trade[1] = trade[1] + fill.quantity
            if held > trade[2]:
                trade[2] = held
            trade[3] += value + fill.fee + fill.tax
        else:
            held = trade[1] = trade[1] - fill.quantity
            trade[4] += value - fill.fee - fill.tax
        if held == 0:
            done.append(_trade(symbol, trade, fill.day))
            del open_[symbol]
    done.extend(_trade(symbol, trade, None) for symbol, trade in sorted(open_.items()))
    return done


def _trade(symbol: str, t: list[Any], exit_day: date | None) -> Trade:
    entry, _, peak, cost, proceeds = t
    pnl = proceeds - cost if exit_day is not None else None
    return built(Trade, {  # whole numbers and days from valid fills
        "symbol": symbol, "entry_day": entry, "exit_day": exit_day, "quantity": peak, "cost": cost,
        "proceeds": proceeds, "pnl": pnl,
        # int / int is correctly rounded in Python: the float nearest pnl x 100 / cost, exactly
        # float(Fraction(pnl, cost) * 100), without building the fraction
        "return_pct": pnl * 100 / cost if pnl is not None and cost else None,
    }, TRADE_FIELDS)


def build_result(path: Literal["bar_by_bar", "fast"], config: BacktestConfig, symbols: tuple[str, ...],
                 orders: list[OrderRecord], fills: list[FillRecord], positions: list[PositionRecord],
                 equity: list[EquityPoint]) -> BacktestResult:
    trades = trades_from_fills(fills)
    return BacktestResult(
        path=path, config=config, symbols=symbols, orders=tuple(orders), fills=tuple(fills),
        trades=tuple(trades), positions=tuple(positions), equity=tuple(equity),
        metrics=compute_metrics(config, equity, trades, fills),
    )
