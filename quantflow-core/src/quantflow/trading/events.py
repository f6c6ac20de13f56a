"""Order events: the persisted history from which every order's state is rebuilt.

Each event names one thing that happened to one order. `apply_event` folds an event into the order
through the state machine, so a replayed history is validated exactly like a live one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, model_validator

from quantflow.domain.orders import Fill, Order, OrderRequest
from quantflow.domain.trusted import built
from quantflow.trading import state_machine as sm
from quantflow.trading.errors import IllegalTransitionError


class OrderEventKind(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FILLED = "filled"  # one fill, partial or final
    CANCEL_REQUESTED = "cancel_requested"
    CANCEL_REJECTED = "cancel_rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


_K = OrderEventKind


class OrderEvent(BaseModel):
    """One event. `request` is set on SUBMITTED, `fill` on FILLED, `reason_code`/`message` on
    REJECTED (risk or venue) and optionally on cancels."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: OrderEventKind
    client_order_id: str
    ts: AwareDatetime
    request: OrderRequest | None = None
    fill: Fill | None = None
    broker_order_id: str | None = None
    reason_code: str | None = None
    message: str | None = None

    @classmethod
    def trusted(cls, kind: OrderEventKind, client_order_id: str, ts: datetime, *, request: OrderRequest | None = None,
                fill: Fill | None = None, broker_order_id: str | None = None, reason_code: str | None = None,
                message: str | None = None) -> OrderEvent:
        """An event a broker or ledger builds from parts it already holds validated (its order's id
        and timestamps, a validated request or fill), one per order change: not validated again.
        Input from outside (a store, an API) goes through the normal constructor."""
        return built(cls, {"kind": kind, "client_order_id": client_order_id, "ts": ts, "request": request, "fill": fill,
                           "broker_order_id": broker_order_id, "reason_code": reason_code, "message": message},
                     fields_set=_ALL_FIELDS)

    @model_validator(mode="after")
    def _payload_matches_kind(self) -> OrderEvent:
        if (self.kind is _K.SUBMITTED) != (self.request is not None):
            raise ValueError("request is required on submitted events and only there")
        if (self.kind is _K.FILLED) != (self.fill is not None):
            raise ValueError("fill is required on filled events and only there")
        if self.kind is _K.REJECTED and not (self.reason_code and self.message):
            raise ValueError("rejected events need reason_code and message")
        for payload in (self.request, self.fill):
            if payload is not None and payload.client_order_id != self.client_order_id:
                raise ValueError("payload client_order_id differs from the event's")
        return self


_ALL_FIELDS = set(OrderEvent.model_fields)  # what `trusted` sets, shared by its (frozen) events


def apply_event(order: Order | None, event: OrderEvent) -> Order:
    """The order after `event` (None before its SUBMITTED event)."""
    if event.kind is _K.SUBMITTED:
        if order is not None:
            raise IllegalTransitionError(f"order {event.client_order_id} was already submitted")
        assert event.request is not None
        return Order.from_request(event.request)
    if order is None:
        raise IllegalTransitionError(f"{event.kind} event for unknown order {event.client_order_id}")
    match event.kind:
        case _K.ACCEPTED:
            return sm.accept(order, event.ts, event.broker_order_id)
        case _K.REJECTED:
            return sm.reject(order, event.ts, event.reason_code or "", event.message or "")
        case _K.FILLED:
            assert event.fill is not None
            return sm.apply_fill(order, event.fill)
        case _K.CANCEL_REQUESTED:
            return sm.request_cancel(order, event.ts)
        case _K.CANCEL_REJECTED:
            return sm.cancel_rejected(order, event.ts)
        case _K.CANCELLED:
            return sm.cancel(order, event.ts)
        case _K.EXPIRED:
            return sm.expire(order, event.ts)
    raise AssertionError(event.kind)  # pragma: no cover
