from pathlib import Path

import pytest
from quantflow.domain import Fill, OrderStatus, Side
from quantflow.trading.errors import IllegalTransitionError, OrderNotFoundError
from quantflow.trading.events import OrderEvent, OrderEventKind
from quantflow.trading.ledger import OrderLedger
from quantflow.trading.store import (
    DuplicateSubmissionError,
    InMemoryOrderEventStore,
    OrderEventStore,
    SqliteOrderEventStore,
)

from .conftest import later, make_request

K = OrderEventKind


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> OrderEventStore:
    if request.param == "memory":
        return InMemoryOrderEventStore()
    return SqliteOrderEventStore(tmp_path / "orders.sqlite")


def lifecycle(ledger: OrderLedger) -> None:
    ledger.submit(make_request(quantity=200))
    ledger.record(OrderEvent(kind=K.ACCEPTED, client_order_id="c-1", ts=later(1), broker_order_id="B1"))
    f = Fill(fill_id="f1", client_order_id="c-1", symbol="HPG", side=Side.BUY, quantity=100,
             price=26_850, fee=4_028, ts=later(2))
    ledger.record(OrderEvent(kind=K.FILLED, client_order_id="c-1", ts=later(2), fill=f))
    ledger.record(OrderEvent(kind=K.CANCEL_REQUESTED, client_order_id="c-1", ts=later(3)))
    ledger.record(OrderEvent(kind=K.CANCELLED, client_order_id="c-1", ts=later(4)))


def test_every_event_is_persisted_and_state_rebuilds(store: OrderEventStore) -> None:
    ledger = OrderLedger(store)
    lifecycle(ledger)
    kinds = [e.kind for e in store.events_for("c-1")]
    assert kinds == [K.SUBMITTED, K.ACCEPTED, K.FILLED, K.CANCEL_REQUESTED, K.CANCELLED]
    rebuilt = OrderLedger(store).get("c-1")
    assert rebuilt == ledger.get("c-1")
    assert rebuilt.status is OrderStatus.CANCELLED and rebuilt.filled_quantity == 100
    assert rebuilt.fees_paid == 4_028 and rebuilt.broker_order_id == "B1"


def test_submission_is_idempotent(store: OrderEventStore) -> None:
    ledger = OrderLedger(store)
    first, created = ledger.submit(make_request())
    again, created_again = ledger.submit(make_request(quantity=500))
    assert created and not created_again and again == first and again.quantity == 100
    assert len(ledger.orders()) == 1
    assert [e.kind for e in store.all_events()] == [K.SUBMITTED]


def test_store_itself_refuses_a_second_submission(store: OrderEventStore) -> None:
    event = OrderEvent(kind=K.SUBMITTED, client_order_id="c-1", ts=later(0), request=make_request())
    store.append(event)
    with pytest.raises(DuplicateSubmissionError):
        store.append(event)


def test_two_ledgers_sharing_sqlite_never_create_two_orders(tmp_path: Path) -> None:
    a = OrderLedger(SqliteOrderEventStore(tmp_path / "shared.sqlite"))
    b = OrderLedger(SqliteOrderEventStore(tmp_path / "shared.sqlite"))
    _, created_a = a.submit(make_request())
    order_b, created_b = b.submit(make_request(quantity=900))
    assert created_a and not created_b and order_b.quantity == 100


def test_illegal_events_are_not_persisted(store: OrderEventStore) -> None:
    ledger = OrderLedger(store)
    ledger.submit(make_request())
    ledger.record(OrderEvent(kind=K.CANCELLED, client_order_id="c-1", ts=later(1)))
    with pytest.raises(IllegalTransitionError):
        ledger.record(OrderEvent(kind=K.ACCEPTED, client_order_id="c-1", ts=later(2)))
    with pytest.raises(IllegalTransitionError, match="unknown order"):
        ledger.record(OrderEvent(kind=K.ACCEPTED, client_order_id="nope", ts=later(2)))
    assert len(store.all_events()) == 2


def test_lookup_and_open_orders(store: OrderEventStore) -> None:
    ledger = OrderLedger(store)
    ledger.submit(make_request("a"))
    ledger.submit(make_request("b", symbol="VCB"))
    assert [o.client_order_id for o in ledger.open_orders("VCB")] == ["b"]
    assert ledger.find("zzz") is None
    with pytest.raises(OrderNotFoundError, match="zzz"):
        ledger.get("zzz")


def test_event_payload_validation() -> None:
    with pytest.raises(ValueError, match="request is required"):
        OrderEvent(kind=K.SUBMITTED, client_order_id="c-1", ts=later(0))
    with pytest.raises(ValueError, match="reason_code"):
        OrderEvent(kind=K.REJECTED, client_order_id="c-1", ts=later(0))
    with pytest.raises(ValueError, match="client_order_id"):
        OrderEvent(kind=K.SUBMITTED, client_order_id="x", ts=later(0), request=make_request())


def test_has_open_follows_open_orders(store: OrderEventStore) -> None:
    ledger = OrderLedger(store)
    ledger.submit(make_request("a", symbol="VCB"))
    assert ledger.has_open("VCB") and not ledger.has_open("HPG")
    ledger.record(OrderEvent(kind=K.CANCELLED, client_order_id="a", ts=later(1)))
    assert not ledger.has_open("VCB") and ledger.open_orders("VCB") == []
