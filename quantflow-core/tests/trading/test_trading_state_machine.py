from fractions import Fraction

import pytest
from quantflow.domain import Fill, Order, OrderStatus, Side
from quantflow.errors import QuantflowError
from quantflow.trading import state_machine as sm
from quantflow.trading.errors import IllegalTransitionError

from .conftest import T0, later, make_request

S = OrderStatus


def fill(qty: int, price: int, seconds: int = 10, cid: str = "c-1", **over: object) -> Fill:
    data = dict(fill_id=f"f{seconds}", client_order_id=cid, symbol="HPG", side=Side.BUY,
                quantity=qty, price=price, ts=later(seconds))
    data.update(over)
    return Fill(**data)  # type: ignore[arg-type]


def test_table_covers_every_state_and_terminals_are_dead_ends() -> None:
    assert set(sm.TRANSITIONS) == set(S)
    for terminal in (S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED):
        assert sm.TRANSITIONS[terminal] == frozenset()


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transition_obeys_table(current: OrderStatus, target: OrderStatus) -> None:
    order = Order.from_request(make_request()).model_copy(update={"status": current})
    if target in sm.TRANSITIONS[current]:
        assert sm.transition(order, target, later(1)).status is target
    else:
        with pytest.raises(IllegalTransitionError, match=f"cannot go from {current} to {target}"):
            sm.transition(order, target, later(1))


def test_illegal_transition_is_a_quantflow_error() -> None:
    done = sm.cancel(Order.from_request(make_request()), later(1))
    with pytest.raises(QuantflowError, match="terminal"):
        sm.accept(done, later(2))


def test_fills_accumulate_exactly() -> None:
    order = sm.accept(Order.from_request(make_request(quantity=300)), later(1), "B-1")
    order = sm.apply_fill(order, fill(100, 26_850, 2))
    assert order.status is S.PARTIALLY_FILLED and order.filled_quantity == 100
    order = sm.apply_fill(order, fill(100, 26_900, 3))
    order = sm.apply_fill(order, fill(100, 26_900, 4, fee=12))
    assert order.status is S.FILLED and order.remaining_quantity == 0
    assert order.filled_notional == 100 * (26_850 + 2 * 26_900)
    assert order.avg_fill_price == Fraction(26_850 + 2 * 26_900, 3)
    assert order.fees_paid == 12 and order.broker_order_id == "B-1"


def test_overfill_wrong_order_wrong_side_and_stale_events_are_refused() -> None:
    order = sm.accept(Order.from_request(make_request()), later(1))
    with pytest.raises(IllegalTransitionError, match="exceeds"):
        sm.apply_fill(order, fill(200, 26_850))
    with pytest.raises(IllegalTransitionError, match="does not belong"):
        sm.apply_fill(order, fill(100, 26_850, cid="other"))
    with pytest.raises(IllegalTransitionError, match="side"):
        sm.apply_fill(order, fill(100, 26_850, side=Side.SELL))
    with pytest.raises(IllegalTransitionError, match="older"):
        sm.cancel(order, T0.replace(hour=9))


def test_cancel_rejection_returns_to_working_state() -> None:
    order = sm.accept(Order.from_request(make_request(quantity=200)), later(1))
    assert sm.cancel_rejected(sm.request_cancel(order, later(2)), later(3)).status is S.NEW
    part = sm.apply_fill(order, fill(100, 26_850, 2))
    assert sm.cancel_rejected(sm.request_cancel(part, later(3)), later(4)).status is S.PARTIALLY_FILLED
    with pytest.raises(IllegalTransitionError):
        sm.cancel_rejected(order, later(5))


def test_reject_records_reason() -> None:
    order = sm.reject(Order.from_request(make_request()), later(1), "price_off_tick", "bad tick")
    assert (order.status, order.reject_code, order.reject_message) == (S.REJECTED, "price_off_tick", "bad tick")
