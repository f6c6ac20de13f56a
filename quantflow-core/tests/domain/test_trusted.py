"""The trusted builders give exactly what pydantic's model_construct / model_copy give."""

from __future__ import annotations

from datetime import UTC, datetime

from quantflow.domain.orders import Order, OrderRequest, OrderStatus, OrderType, Side
from quantflow.domain.trusted import built, changed
from quantflow.trading.events import OrderEvent, OrderEventKind

AT = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)
REQUEST = OrderRequest(client_order_id="t-1", symbol="FPT", side=Side.BUY, order_type=OrderType.LO,
                       quantity=200, price=101_500, created_at=AT)


def same(a: object, b: object) -> None:
    assert type(a) is type(b)
    assert a.__dict__ == b.__dict__
    assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__  # type: ignore[attr-defined]
    assert a.__pydantic_extra__ == b.__pydantic_extra__  # type: ignore[attr-defined]
    assert a.__pydantic_private__ == b.__pydantic_private__  # type: ignore[attr-defined]
    assert a.model_dump_json() == b.model_dump_json()  # type: ignore[attr-defined]


def test_a_fresh_order_is_what_model_construct_gives() -> None:
    want = Order.model_construct(**dict(REQUEST), updated_at=REQUEST.created_at)
    same(Order.from_request(REQUEST), want)
    assert Order.from_request(REQUEST) == Order.model_validate(want.model_dump())


def test_built_and_changed_match_pydantic() -> None:
    values = {"kind": OrderEventKind.SUBMITTED, "client_order_id": "t-1", "ts": AT, "request": REQUEST, "fill": None,
              "broker_order_id": None, "reason_code": None, "message": None}
    same(built(OrderEvent, dict(values)), OrderEvent.model_construct(**values))
    order = Order.from_request(REQUEST)
    update = {"status": OrderStatus.NEW, "updated_at": AT, "broker_order_id": "B-1"}
    same(changed(order, update), order.model_copy(update=update))
    assert order.status is OrderStatus.PENDING_NEW  # the original is untouched
