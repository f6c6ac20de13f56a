"""Per-exchange rules as one table (dnse-api.md §5): lots, limits, bands, order types by session.

Risk checks read this table; nothing else in QuantFlow should hard-code an exchange's numbers.
Where §5 is silent we chose the conservative reading and say so in `notes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from quantflow.domain.instrument import Exchange
from quantflow.domain.orders import OrderType
from quantflow.market.sessions import Session

LO, MTL, ATO, ATC, MAK, MOK, PLO = (
    OrderType.LO, OrderType.MTL, OrderType.ATO, OrderType.ATC, OrderType.MAK, OrderType.MOK,
    OrderType.PLO,
)


@dataclass(frozen=True)
class ExchangeSpec:
    exchange: Exchange
    round_lot: int
    odd_lot_max: int
    max_order_quantity: int | None  # None: no per-order maximum documented
    daily_band_pct: int
    first_day_band_pct: int
    tick_ladder: str
    order_types: frozenset[OrderType]
    #: Which order types the exchange accepts in each session (absent session: none).
    order_types_by_session: Mapping[Session, frozenset[OrderType]]
    odd_lot_order_types: frozenset[OrderType]
    odd_lot_sessions: frozenset[Session]
    notes: tuple[str, ...] = field(default=())


EXCHANGE_SPECS: Mapping[Exchange, ExchangeSpec] = MappingProxyType(
    {
        Exchange.HOSE: ExchangeSpec(
            exchange=Exchange.HOSE,
            round_lot=100,
            odd_lot_max=99,
            max_order_quantity=500_000,
            daily_band_pct=7,
            first_day_band_pct=20,
            tick_ladder="HOSE",
            order_types=frozenset({ATO, ATC, LO, MTL}),
            order_types_by_session=MappingProxyType({
                Session.ATO: frozenset({ATO, LO}),
                Session.CONTINUOUS: frozenset({LO, MTL}),
                Session.ATC: frozenset({ATC, LO}),
            }),
            odd_lot_order_types=frozenset({LO}),
            odd_lot_sessions=frozenset({Session.CONTINUOUS}),
        ),
        Exchange.HNX: ExchangeSpec(
            exchange=Exchange.HNX,
            round_lot=100,
            odd_lot_max=99,
            max_order_quantity=None,
            daily_band_pct=10,
            first_day_band_pct=30,
            tick_ladder="HNX",
            order_types=frozenset({ATC, LO, MAK, MOK, MTL, PLO}),
            order_types_by_session=MappingProxyType({
                Session.CONTINUOUS: frozenset({LO, MAK, MOK, MTL}),
                Session.ATC: frozenset({ATC, LO}),
                Session.PLO: frozenset({PLO}),
            }),
            odd_lot_order_types=frozenset({LO}),
            odd_lot_sessions=frozenset({Session.CONTINUOUS}),
            notes=("odd lots assumed LO-only in the continuous session, as on HOSE",),
        ),
        Exchange.UPCOM: ExchangeSpec(
            exchange=Exchange.UPCOM,
            round_lot=100,
            odd_lot_max=99,
            max_order_quantity=None,
            daily_band_pct=15,
            first_day_band_pct=40,
            tick_ladder="UPCOM",
            order_types=frozenset({LO}),
            order_types_by_session=MappingProxyType({Session.CONTINUOUS: frozenset({LO})}),
            odd_lot_order_types=frozenset({LO}),
            odd_lot_sessions=frozenset({Session.CONTINUOUS}),
            notes=("odd lots assumed LO-only in the continuous session, as on HOSE",),
        ),
    }
)


def spec_for(exchange: Exchange | str) -> ExchangeSpec:
    return EXCHANGE_SPECS[Exchange(exchange)]
