"""Domain models shared by every QuantFlow mode. Units: prices and money are whole VND (`int`),
quantities are shares, timestamps are timezone-aware. See `money.py` for unit conversion."""

from quantflow.domain.instrument import Exchange, Instrument
from quantflow.domain.market_data import Auction, Bar, Quote, Tick
from quantflow.domain.money import (
    UnitError,
    format_vnd,
    thousands_from_vnd,
    vnd_from_thousands,
)
from quantflow.domain.orders import (
    PRICED_ORDER_TYPES,
    TERMINAL_STATUSES,
    Fill,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
)
from quantflow.domain.portfolio import Account, PendingSettlement, Position

__all__ = [
    "PRICED_ORDER_TYPES",
    "TERMINAL_STATUSES",
    "Account",
    "Auction",
    "Bar",
    "Exchange",
    "Fill",
    "Instrument",
    "Order",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "PendingSettlement",
    "Position",
    "Quote",
    "Side",
    "Tick",
    "UnitError",
    "format_vnd",
    "thousands_from_vnd",
    "vnd_from_thousands",
]
