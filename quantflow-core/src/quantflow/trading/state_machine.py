"""The order state machine: the only code that changes an `Order`'s status.

States and legal transitions (anything else raises `IllegalTransitionError`):

| from              | to                                                                      |
|-------------------|-------------------------------------------------------------------------|
| pending_new       | new, rejected, partially_filled, filled, cancelled, expired              |
| new               | partially_filled, filled, pending_cancel, cancelled, expired             |
| partially_filled  | partially_filled, filled, pending_cancel, cancelled, expired             |
| pending_cancel    | cancelled, partially_filled, filled, expired, new (cancel rejected)      |
| filled, cancelled, rejected, expired | (terminal: nothing)                                   |

pending_new may fill directly because venues can match before acknowledging. From pending_cancel a
cancel rejection returns to `new` or `partially_filled`, whichever the fills say. Fills are applied
exactly: `filled_notional` accumulates price x quantity as an int.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

from quantflow.domain.orders import Fill, Order, OrderStatus
from quantflow.domain.trusted import changed
from quantflow.trading.errors import IllegalTransitionError

S = OrderStatus

TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = MappingProxyType(
    {
        S.PENDING_NEW: frozenset(
            {S.NEW, S.REJECTED, S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED}
        ),
        S.NEW: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.CANCELLED, S.EXPIRED}),
        S.PARTIALLY_FILLED: frozenset(
            {S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.CANCELLED, S.EXPIRED}
        ),
        S.PENDING_CANCEL: frozenset(
            {S.CANCELLED, S.PARTIALLY_FILLED, S.FILLED, S.EXPIRED, S.NEW}
        ),
        S.FILLED: frozenset(),
        S.CANCELLED: frozenset(),
        S.REJECTED: frozenset(),
        S.EXPIRED: frozenset(),
    }
)


def transition(order: Order, target: OrderStatus, ts: datetime, **changes: object) -> Order:
    """`order` moved to `target` at `ts` (plus any field `changes`), or IllegalTransitionError."""
    _check_move(order, target, ts)
    # Checked as `Order` validation would check them, without dumping and re-validating the
    # fields that did not change (an order is re-built on every event).
    for name, value in changes.items():
        kind = _CHANGEABLE.get(name)
        if kind is _COUNT:
            if type(value) is not int or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {value!r}")
        elif kind is _TEXT:
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string or None, got {value!r}")
        elif kind is None:
            raise ValueError(f"an order's {name} never changes after submission")
        # (status and updated_at: replaced below by the transition's own, checked there)
    assert isinstance(target, OrderStatus)
    if not isinstance(ts, datetime) or ts.utcoffset() is None:
        raise ValueError(f"updated_at must be a timezone-aware datetime, got {ts!r}")
    changes["status"], changes["updated_at"] = target, ts
    return changed(order, changes).check_consistent()


def _check_move(order: Order, target: OrderStatus, ts: datetime) -> None:
    """IllegalTransitionError unless the table allows `target` and `ts` is not before the last update."""
    if target not in TRANSITIONS[order.status]:
        allowed = ", ".join(sorted(TRANSITIONS[order.status])) or "nothing (terminal state)"
        raise IllegalTransitionError(
            f"order {order.client_order_id}: cannot go from {order.status} to {target}; "
            f"allowed from {order.status}: {allowed}"
        )
    if ts < order.updated_at:
        raise IllegalTransitionError(
            f"order {order.client_order_id}: event at {ts} is older than the last update {order.updated_at}"
        )


def _moved(order: Order, target: OrderStatus, ts: datetime, changes: dict[str, object]) -> Order:
    """`transition` for the named transitions below, one per order event. Their changes are valid
    by construction (the typed text they are given; sums of a consistent order's and a valid
    fill's counts, the fill checked to fit), and an aware `ts` not before `updated_at` (itself
    not before `created_at`) keeps the new state consistent: neither is checked again."""
    _check_move(order, target, ts)
    changes["status"], changes["updated_at"] = target, ts
    return changed(order, changes)


_COUNTS = ("filled_quantity", "filled_notional", "fees_paid", "taxes_paid")
_TEXTS = ("broker_order_id", "reject_code", "reject_message")
_COUNT, _TEXT, _STATUS, _TIME = "count", "text", "status", "time"
#: The fields a state change may set, and how each is checked (one lookup per field).
_CHANGEABLE = {**dict.fromkeys(_COUNTS, _COUNT), **dict.fromkeys(_TEXTS, _TEXT), "status": _STATUS, "updated_at": _TIME}


def accept(order: Order, ts: datetime, broker_order_id: str | None = None) -> Order:
    return _moved(order, S.NEW, ts, {"broker_order_id": broker_order_id or order.broker_order_id})


def reject(order: Order, ts: datetime, code: str, message: str) -> Order:
    return _moved(order, S.REJECTED, ts, {"reject_code": code, "reject_message": message})


def request_cancel(order: Order, ts: datetime) -> Order:
    return _moved(order, S.PENDING_CANCEL, ts, {})


def cancel(order: Order, ts: datetime) -> Order:
    return _moved(order, S.CANCELLED, ts, {})


def expire(order: Order, ts: datetime) -> Order:
    return _moved(order, S.EXPIRED, ts, {})


def cancel_rejected(order: Order, ts: datetime) -> Order:
    """A cancel the venue refused: back to the working state the fills imply."""
    if order.status is not S.PENDING_CANCEL:
        raise IllegalTransitionError(
            f"order {order.client_order_id}: cancel rejection while {order.status}, not pending_cancel"
        )
    return _moved(order, S.PARTIALLY_FILLED if order.filled_quantity else S.NEW, ts, {})


def apply_fill(order: Order, fill: Fill) -> Order:
    """`order` after `fill`: quantities, exact notional and costs updated, status from the fill."""
    if fill.client_order_id != order.client_order_id or fill.symbol != order.symbol:
        raise IllegalTransitionError(f"fill {fill.fill_id} does not belong to order {order.client_order_id}")
    if fill.side is not order.side:
        raise IllegalTransitionError(f"fill {fill.fill_id} side {fill.side} != order side {order.side}")
    if fill.quantity > order.remaining_quantity:
        raise IllegalTransitionError(
            f"fill {fill.fill_id} of {fill.quantity} exceeds the {order.remaining_quantity} "
            f"shares remaining on order {order.client_order_id}"
        )
    filled = order.filled_quantity + fill.quantity
    target = S.FILLED if filled == order.quantity else S.PARTIALLY_FILLED
    return _moved(order, target, fill.ts, {
        "filled_quantity": filled, "filled_notional": order.filled_notional + fill.notional,
        "fees_paid": order.fees_paid + fill.fee, "taxes_paid": order.taxes_paid + fill.tax,
    })
