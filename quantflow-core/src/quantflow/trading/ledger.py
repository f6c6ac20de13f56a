"""The order ledger: current order states over an event store, with idempotent submission.

Every change goes through `record`, which validates the event against the state machine *before*
persisting it, so the store never holds an impossible history. Orders are cached in memory and
rebuilt from the store on construction (restart recovery).
"""

from __future__ import annotations

from collections.abc import Iterable

from quantflow.domain.orders import Order, OrderRequest
from quantflow.trading.errors import OrderNotFoundError
from quantflow.trading.events import OrderEvent, OrderEventKind, apply_event
from quantflow.trading.store import (
    DuplicateSubmissionError,
    InMemoryOrderEventStore,
    OrderEventStore,
)


class OrderLedger:
    def __init__(self, store: OrderEventStore | None = None) -> None:
        self.store: OrderEventStore = store if store is not None else InMemoryOrderEventStore()
        self._orders: dict[str, Order] = {}
        # Non-terminal orders only, in submission order: brokers ask for them on every bar, and a
        # long backtest must not rescan every order it ever placed.
        self._open: dict[str, Order] = {}
        self._open_by_symbol: dict[str, dict[str, Order]] = {}  # the same orders, per symbol
        for event in self.store.all_events():
            self._remember(apply_event(self._orders.get(event.client_order_id), event))

    def submit(self, request: OrderRequest) -> tuple[Order, bool]:
        """Record a new order; `(order, created)`. A client order id seen before returns the
        existing order and `created=False`, whatever the new request says: never a second order."""
        existing = self._orders.get(request.client_order_id)
        if existing is not None:
            return existing, False
        event = OrderEvent.trusted(OrderEventKind.SUBMITTED, request.client_order_id, request.created_at,
                                   request=request)  # a validated request: consistent by construction
        try:
            return self.record(event), True
        except DuplicateSubmissionError:
            # Another writer sharing the store submitted it first: adopt its history.
            order = None
            for past in self.store.events_for(request.client_order_id):
                order = apply_event(order, past)
            assert order is not None
            self._remember(order)
            return order, False

    def record(self, event: OrderEvent) -> Order:
        """Apply `event` (IllegalTransitionError if not allowed), persist it, return the new state."""
        order = apply_event(self._orders.get(event.client_order_id), event)
        self.store.append(event)
        self._remember(order)
        return order

    def _remember(self, order: Order) -> None:
        cid = order.client_order_id
        self._orders[cid] = order
        if order.is_terminal:
            if self._open.pop(cid, None) is not None:
                self._open_by_symbol[order.symbol].pop(cid, None)
        else:
            self._open[cid] = order
            self._open_by_symbol.setdefault(order.symbol, {})[cid] = order

    def get(self, client_order_id: str) -> Order:
        try:
            return self._orders[client_order_id]
        except KeyError:
            raise OrderNotFoundError(f"no order with client order id {client_order_id!r}") from None

    def find(self, client_order_id: str) -> Order | None:
        return self._orders.get(client_order_id)

    def orders(self) -> list[Order]:
        """All orders, in submission order."""
        return list(self._orders.values())

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Non-terminal orders (of `symbol`), in submission order."""
        if symbol is None:
            return list(self._open.values())
        found = self._open_by_symbol.get(symbol)
        return list(found.values()) if found else []

    def has_open(self, symbol: str) -> bool:
        """Whether `symbol` has a non-terminal order (`open_orders(symbol)` without the list)."""
        return bool(self._open_by_symbol.get(symbol))

    def history(self, client_order_id: str) -> list[OrderEvent]:
        return self.store.events_for(client_order_id)

    def extend(self, events: Iterable[OrderEvent]) -> Order | None:
        """Record several events in order; the last resulting state (None if no events)."""
        order = None
        for event in events:
            order = self.record(event)
        return order
