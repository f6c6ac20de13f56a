"""Orders and fills. Prices are whole VND (`int`), quantities whole shares.

`OrderRequest` is what a strategy asks for; `Order` is that request plus its lifecycle state, which
only `quantflow.trading.state_machine` changes. Average fill price is kept exact: the order stores
`filled_notional` (sum of price x quantity, an exact int) and `avg_fill_price` is the `Fraction`
filled_notional / filled_quantity, so no rounding ever creeps into P&L.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from quantflow.domain.money import (
    NonNegativeQuantity,
    NonNegativeVnd,
    PriceVnd,
    Quantity,
)
from quantflow.domain.trusted import built

ClientOrderId = str


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    """Vietnamese order types. Only LO carries a price; the others execute at a market/auction price.

    LO limit; MTL market-to-limit; ATO/ATC opening/closing auction; MAK match-and-kill (IOC);
    MOK match-or-kill (FOK); PLO post-close at the closing price (HNX).
    """

    LO = "LO"
    MTL = "MTL"
    ATO = "ATO"
    ATC = "ATC"
    MAK = "MAK"
    MOK = "MOK"
    PLO = "PLO"


#: Order types whose request carries a limit price.
PRICED_ORDER_TYPES: frozenset[OrderType] = frozenset({OrderType.LO})


class OrderStatus(StrEnum):
    """Lifecycle states; the legal transitions are the table in `quantflow.trading.state_machine`."""

    PENDING_NEW = "pending_new"
    NEW = "new"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    PENDING_CANCEL = "pending_cancel"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


TERMINAL_STATUSES: frozenset[OrderStatus] = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)


class OrderRequest(BaseModel):
    """What a strategy wants to trade. `client_order_id` is the idempotency key: submitting the
    same id twice yields the one existing order, never a second one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_order_id: ClientOrderId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    side: Side
    order_type: OrderType
    quantity: Quantity
    price: PriceVnd | None = Field(default=None, description="Limit price in VND; LO only.")
    created_at: AwareDatetime

    @model_validator(mode="after")
    def _price_matches_type(self) -> OrderRequest:
        if self.order_type in PRICED_ORDER_TYPES and self.price is None:
            raise ValueError(f"price is required for {self.order_type} orders")
        if self.order_type not in PRICED_ORDER_TYPES and self.price is not None:
            raise ValueError(f"price must be omitted for {self.order_type} orders (got {self.price})")
        return self


class Order(OrderRequest):
    """An order with its current state. Build new states with `quantflow.trading.state_machine`."""

    status: OrderStatus = OrderStatus.PENDING_NEW
    broker_order_id: str | None = None
    filled_quantity: NonNegativeQuantity = 0
    filled_notional: NonNegativeVnd = Field(default=0, description="Sum of fill price x quantity, VND.")
    fees_paid: NonNegativeVnd = 0
    taxes_paid: NonNegativeVnd = 0
    reject_code: str | None = None
    reject_message: str | None = None
    updated_at: AwareDatetime

    @model_validator(mode="after")
    def _fills_consistent(self) -> Order:
        return self.check_consistent()

    def check_consistent(self) -> Order:
        """The order, or ValueError if its fills or timestamps disagree (the model validator; also
        run by the state machine, which builds new states without re-validating every field)."""
        if self.filled_quantity > self.quantity:
            raise ValueError(
                f"filled_quantity {self.filled_quantity} exceeds quantity {self.quantity}"
            )
        if (self.filled_quantity == 0) != (self.filled_notional == 0):
            raise ValueError("filled_notional must be zero exactly when filled_quantity is zero")
        if self.updated_at < self.created_at:
            raise ValueError("updated_at must not be before created_at")
        return self

    @classmethod
    def from_request(cls, request: OrderRequest) -> Order:
        """A fresh `pending_new` order for `request`. The request is already valid and a fresh
        order's state is consistent by construction, so nothing is validated twice."""
        values = {**request.__dict__, **_FRESH, "updated_at": request.created_at}
        return built(cls, values, fields_set=_NEW_ORDER_SET)

    @property
    def request(self) -> OrderRequest:
        """The original request, without state."""
        return OrderRequest(**self.model_dump(include=set(OrderRequest.model_fields)))

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.filled_quantity

    @property
    def avg_fill_price(self) -> Fraction | None:
        """Exact volume-weighted fill price in VND, or None before the first fill."""
        if self.filled_quantity == 0:
            return None
        return Fraction(self.filled_notional, self.filled_quantity)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


_REQUEST_FIELDS = frozenset(OrderRequest.model_fields)
_FRESH = {name: field.default for name, field in Order.model_fields.items()
          if name not in _REQUEST_FIELDS and name != "updated_at"}  # a new order's state: the defaults
_NEW_ORDER_SET = {*_REQUEST_FIELDS, "updated_at"}  # what model_construct(**request, updated_at=...) marks set (shared)


class Fill(BaseModel):
    """One execution of (part of) an order. `fee` and `tax` are whole VND, already rounded by
    `quantflow.market.fees`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fill_id: str = Field(min_length=1)
    client_order_id: ClientOrderId = Field(min_length=1)
    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    side: Side
    quantity: Quantity
    price: PriceVnd
    fee: NonNegativeVnd = 0
    tax: NonNegativeVnd = 0
    ts: AwareDatetime

    @property
    def notional(self) -> int:
        """price x quantity in VND."""
        return self.price * self.quantity

    @property
    def cash_flow(self) -> int:
        """Signed effect on cash in VND: negative for a buy, positive for a sale, after costs."""
        if self.side is Side.BUY:
            return -(self.notional + self.fee + self.tax)
        return self.notional - self.fee - self.tax
