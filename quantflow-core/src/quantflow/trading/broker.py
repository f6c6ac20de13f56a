"""The broker plugin contract: what every broker (paper, DNSE, ...) implements.

A broker is only ever called after the risk engine accepted the order (the paper broker runs the
risk engine itself; live brokers are driven through a component that does). Order state is reported
as `quantflow.trading.events.OrderEvent`s, the same events the ledger persists, so backtest, paper
and live share one code path. Units: prices whole VND, quantities shares.

| method                        | required | contract                                                                 |
|-------------------------------|----------|--------------------------------------------------------------------------|
| `connect()`                   | yes      | open sessions/streams; idempotent; `is_connected` becomes True            |
| `disconnect()`                | yes      | close everything; idempotent; later calls raise `NotConnectedError`       |
| `is_connected` (property)     | yes      |                                                                          |
| `submit(request) -> Order`    | yes      | idempotent on `client_order_id`: a repeat returns the existing order;     |
|                               |          | a refused order comes back `rejected` with `reject_code`, never raises   |
| `cancel(client_order_id)`     | yes      | -> Order (pending_cancel or cancelled); `OrderNotFoundError` if unknown;  |
|                               |          | `BrokerError` if the order is already terminal                            |
| `order_reports() -> [Order]`  | yes      | every order this session knows, for reconciliation                        |
| `fill_reports() -> [Fill]`    | yes      | every fill, oldest first                                                  |
| `position_reports()`          | yes      | -> [Position], non-zero positions only                                   |
| `events() -> AsyncIterator`   | yes      | OrderEvents from the moment of subscription, in occurrence order          |
| `account_report() -> Account` | optional | default raises `BrokerError` ("not supported")                           |
| `modify(...) -> Order`        | optional | cancel-and-replace (DNSE stock semantics): the old order is cancelled and |
|                               |          | a new order `new_client_order_id` is submitted; returns the new order     |

Optional methods are advertised in `capabilities` so callers need not probe by calling.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from quantflow.domain.market_data import Tick
from quantflow.domain.orders import Fill, Order, OrderRequest
from quantflow.domain.portfolio import Account, Position
from quantflow.plugins.components import ComponentSpec
from quantflow.trading.errors import BrokerError
from quantflow.trading.events import OrderEvent

CAP_MODIFY = "modify"
CAP_ACCOUNT = "account_report"


class Broker(abc.ABC):
    """Base class of broker plugins. See the module docstring for the contract table."""

    #: Optional features implemented, from {CAP_MODIFY, CAP_ACCOUNT}.
    capabilities: frozenset[str] = frozenset()

    @abc.abstractmethod
    async def connect(self) -> None: ...

    @abc.abstractmethod
    async def disconnect(self) -> None: ...

    @property
    @abc.abstractmethod
    def is_connected(self) -> bool: ...

    @abc.abstractmethod
    async def submit(self, request: OrderRequest) -> Order: ...

    @abc.abstractmethod
    async def cancel(self, client_order_id: str) -> Order: ...

    @abc.abstractmethod
    async def order_reports(self) -> list[Order]: ...

    @abc.abstractmethod
    async def fill_reports(self) -> list[Fill]: ...

    @abc.abstractmethod
    async def position_reports(self) -> list[Position]: ...

    @abc.abstractmethod
    def events(self) -> AsyncIterator[OrderEvent]: ...

    async def account_report(self) -> Account:
        raise BrokerError(f"{type(self).__name__} does not report accounts")

    async def modify(
        self,
        client_order_id: str,
        *,
        new_client_order_id: str,
        price: int | None = None,
        quantity: int | None = None,
    ) -> Order:
        raise BrokerError(f"{type(self).__name__} does not support modify")


class BarLike(Protocol):
    """What a simulating broker reads from a bar: a `domain.Bar`, or any object with its fields
    (the backtester feeds a lighter one whose columns were validated once at load)."""

    @property
    def symbol(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def open(self) -> int: ...
    @property
    def high(self) -> int: ...
    @property
    def low(self) -> int: ...
    @property
    def close(self) -> int: ...
    @property
    def volume(self) -> int: ...


class MarketDataSink(abc.ABC):
    """A broker that simulates fills consumes market data (the paper broker; conformance harnesses)."""

    @abc.abstractmethod
    async def on_bar(self, bar: BarLike) -> None: ...

    @abc.abstractmethod
    async def on_tick(self, tick: Tick) -> None: ...


@dataclass(frozen=True, slots=True)
class BrokerSpec(ComponentSpec):
    """What a plugin hands to `register_brokers(register)`: id ('core:paper'), title, description,
    `factory(config) -> Broker`, and the optional pydantic `config_model` that validates config."""
