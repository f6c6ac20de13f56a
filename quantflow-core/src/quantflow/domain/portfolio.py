"""Holdings and cash, in whole VND and shares.

Vietnamese stocks settle T+2: shares bought on day T can be sold from the T+2 trading day. A
`Position` therefore carries both `quantity` (owned, settled or not) and `sellable_quantity`.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, model_validator

from quantflow.domain.money import MoneyVnd, NonNegativeQuantity, NonNegativeVnd, Quantity


class PendingSettlement(BaseModel):
    """Shares bought but not yet settled: they become sellable on `settles_on`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quantity: Quantity
    settles_on: date


class Position(BaseModel):
    """A long position in one symbol (the Vietnamese cash market has no short selling)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    quantity: NonNegativeQuantity
    sellable_quantity: NonNegativeQuantity = Field(
        description="Settled shares not reserved by open sell orders."
    )
    cost_basis: NonNegativeVnd = Field(
        description="Total VND paid for the shares held, fees included (average-cost method)."
    )
    pending: tuple[PendingSettlement, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Position:
        if self.sellable_quantity > self.quantity:
            raise ValueError(
                f"sellable_quantity {self.sellable_quantity} exceeds quantity {self.quantity}"
            )
        if sum(p.quantity for p in self.pending) > self.quantity:
            raise ValueError("pending settlement exceeds quantity")
        if self.quantity == 0 and self.cost_basis != 0:
            raise ValueError("cost_basis must be 0 for an empty position")
        return self

    @property
    def avg_cost(self) -> Fraction | None:
        """Exact average cost per share in VND (fees included), None when flat."""
        return Fraction(self.cost_basis, self.quantity) if self.quantity else None


class Account(BaseModel):
    """Cash and what can be spent. `buying_power` is cash not reserved by open buy orders."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str = Field(min_length=1)
    cash: MoneyVnd
    buying_power: MoneyVnd
    reserved_cash: NonNegativeVnd = 0

    @model_validator(mode="after")
    def _consistent(self) -> Account:
        if self.buying_power != self.cash - self.reserved_cash:
            raise ValueError(
                f"buying_power {self.buying_power} must equal cash {self.cash} "
                f"minus reserved_cash {self.reserved_cash}"
            )
        return self
