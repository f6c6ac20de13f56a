"""The fast path's `plan_one` (one signal, an account holding no other symbol) wants exactly the
orders `plan` (the node's decision) yields for the same signal and book, whatever is accepted."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.backtest import rules
from quantflow.backtest.decide import BarSignal, Book, Planned, SizingRule, plan, plan_one
from quantflow.domain import Exchange, Instrument
from quantflow.domain.orders import OrderType
from quantflow.market import FeeSchedule

DAY = date(2024, 3, 12)


@st.composite
def cases(draw: st.DrawFn) -> tuple[object, ...]:
    exchange = draw(st.sampled_from(list(Exchange)))
    instrument = Instrument(symbol="ABC", exchange=exchange)
    close = draw(st.integers(1_000, 150_000))
    limits = rules.limits_for(instrument, close, DAY)
    assert limits is not None
    order_type = draw(st.sampled_from(["LO", "MTL", "ATO", "ATC"]))
    rule = SizingRule(
        sizing=draw(st.sampled_from(["quantity", "percent_equity", "target_percent", "atr_risk"])),
        quantity=draw(st.integers(1, 50_000)), percent=draw(st.sampled_from([5.0, 12.5, 30.0, 60.0, 100.0])),
        risk_percent=draw(st.sampled_from([0.5, 1.0, 2.0])), atr_multiple=draw(st.sampled_from([1.0, 1.5, 3.0])),
        order_type=order_type, limit_offset_ticks=draw(st.integers(0, 3)),
        limit_at=draw(st.sampled_from(["close", "band"])),
    )
    buy, sell = draw(st.sampled_from([(True, False), (True, False), (False, True), (True, True), (False, False)]))
    atr = draw(st.one_of(st.none(), st.floats(0.0, 5_000.0), st.just(float("nan"))))
    signal = BarSignal("ABC", close, buy, sell, atr, instrument, limits)
    cash = draw(st.one_of(st.integers(0, 3 * 10**9), st.integers(10**8, 3 * 10**9)))
    buying_power = draw(st.one_of(st.just(cash), st.integers(0, cash)))
    held = draw(st.one_of(st.just(0), st.integers(1, 200_000), st.integers(1, 300).map(lambda n: n * 100)))
    sellable = draw(st.one_of(st.just(held), st.integers(0, held))) if held else 0
    sell_all = draw(st.booleans()) and not buy  # close_position: exits only
    return rule, OrderType(order_type), signal, cash, buying_power, held, sellable, sell_all, \
        draw(st.lists(st.booleans(), min_size=2, max_size=2))


def _planned(rule: SizingRule, signal: BarSignal, cash: int, buying_power: int, held: int, sellable: int,
             sell_all: bool, accepted: list[bool]) -> list[Planned]:
    holdings = {"ABC": held} if held else {}
    book = Book(cash=cash, buying_power=buying_power, held=holdings, sellable={s: sellable for s in holdings},
                closes={"ABC": signal.close})
    out: list[Planned] = []
    steps = plan(rule, [signal], book, FeeSchedule(), sell_all=sell_all)
    try:
        wanted = next(steps)
        while True:
            out.append(wanted)
            wanted = steps.send(accepted[len(out) - 1])
    except StopIteration:
        return out


@settings(max_examples=1500, deadline=None)
@given(cases())
def test_plan_one_wants_what_plan_yields(case: tuple[object, ...]) -> None:
    rule, order_type, signal, cash, buying_power, held, sellable, sell_all, accepted = case
    expected = _planned(rule, signal, cash, buying_power, held, sellable, sell_all, accepted)  # type: ignore[arg-type]
    assert plan_one(rule, order_type, signal, cash, buying_power, held, sellable, FeeSchedule(),  # type: ignore[arg-type]
                    sell_all=sell_all) == expected  # type: ignore[arg-type]


def test_plan_one_sells_then_buys_nothing_twice() -> None:
    hpg = Instrument(symbol="ABC", exchange=Exchange.HOSE)
    limits = rules.limits_for(hpg, 26_850, DAY)
    assert limits is not None
    rule = SizingRule("percent_equity", 0, 100.0, 1.0, 1.0, "LO", 0, "band")
    buy = BarSignal("ABC", 26_850, True, False, None, hpg, limits)
    (order,) = plan_one(rule, OrderType.LO, buy, 10**9, 10**9, 0, 0, FeeSchedule())
    assert order.side.value == "buy" and order.price == limits.ceiling and order.quantity % 100 == 0
    sell = BarSignal("ABC", 26_850, False, True, None, hpg, limits)
    (order,) = plan_one(rule, OrderType.LO, sell, 10**9, 10**9, 5_000, 3_000, FeeSchedule())
    assert order.side.value == "sell" and order.quantity == 3_000 and order.price == limits.floor
