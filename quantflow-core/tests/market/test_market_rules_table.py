from decimal import Decimal

import pytest
from pydantic import ValidationError
from quantflow.domain import Exchange, OrderType, Side
from quantflow.market import EXCHANGE_SPECS, FeeSchedule, Session, spec_for


def test_exchange_table_matches_dnse_section_5() -> None:
    hose, hnx, upcom = (spec_for(e) for e in Exchange)
    assert {s.round_lot for s in (hose, hnx, upcom)} == {100}
    assert {s.odd_lot_max for s in (hose, hnx, upcom)} == {99}
    assert hose.max_order_quantity == 500_000
    assert [(s.daily_band_pct, s.first_day_band_pct) for s in (hose, hnx, upcom)] == [(7, 20), (10, 30), (15, 40)]
    assert hose.order_types == {OrderType.ATO, OrderType.ATC, OrderType.LO, OrderType.MTL}
    assert hnx.order_types == {OrderType.ATC, OrderType.LO, OrderType.MAK, OrderType.MOK, OrderType.MTL, OrderType.PLO}
    assert upcom.order_types == {OrderType.LO}
    assert hose.odd_lot_order_types == {OrderType.LO} and hose.odd_lot_sessions == {Session.CONTINUOUS}


def test_session_order_types_are_subsets_of_exchange_types() -> None:
    for spec in EXCHANGE_SPECS.values():
        for types in spec.order_types_by_session.values():
            assert types <= spec.order_types
        assert set().union(*spec.order_types_by_session.values()) == spec.order_types


def test_default_fees_and_tax_round_up_to_whole_vnd() -> None:
    fees = FeeSchedule()
    assert fees.fee(2_685_000) == 4_028  # 4,027.5 rounds up
    assert fees.sell_tax(2_685_000) == 2_685
    assert fees.costs(Side.BUY, 2_685_000) == (4_028, 0)
    assert fees.costs(Side.SELL, 2_685_000) == (4_028, 2_685)
    assert fees.fee(0) == 0 and fees.fee(1) == 1  # any non-zero amount costs at least 1 VND
    assert fees.fee(2_000_000) == 3_000  # exact, no rounding


def test_fees_are_configurable_and_validated() -> None:
    assert FeeSchedule(fee_rate=Decimal("0.001")).fee(1_000_000) == 1_000
    assert FeeSchedule(fee_rate="0.0035").fee(1_000_000) == 3_500  # type: ignore[arg-type]
    assert FeeSchedule(fee_rate=0).fee(1_000_000) == 0
    with pytest.raises(ValidationError) as e:
        FeeSchedule(fee_rate=Decimal("-0.1"))
    assert e.value.errors()[0]["loc"] == ("fee_rate",)
    with pytest.raises(ValueError):
        FeeSchedule().fee(-1)
