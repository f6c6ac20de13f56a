"""Trading costs: broker fee on every fill and the 0.1% personal-income tax on every sale.

Rounding rule: each cost is computed exactly (integer x rational) and rounded UP to the next whole
VND, per fill. Rounding up means a simulation never looks cheaper than reality; the overstatement is
below 1 VND per fill. Rates are `Decimal` fractions (0.0015 = 0.15%), never binary floats.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from quantflow.domain.orders import Side

DEFAULT_FEE_RATE = Decimal("0.0015")
SELL_TAX_RATE = Decimal("0.001")


@lru_cache(maxsize=64)
def rate_ratio(rate: Decimal) -> tuple[int, int]:
    """`rate` as an exact (numerator, denominator): a cost is then integer arithmetic alone, where
    converting the Decimal to a Fraction on every fill used to dominate the cost of a fill."""
    return rate.as_integer_ratio()


def _ceil_cost(notional: int, rate: Decimal) -> int:
    if notional < 0:
        raise ValueError(f"notional must be non-negative, got {notional}")
    num, den = rate_ratio(rate)
    return -(-notional * num // den)  # ceil(notional x rate), exactly


class FeeSchedule(BaseModel):
    """Configurable costs. `fee_rate` applies to buys and sells, `sell_tax_rate` to sells only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fee_rate: Decimal = Field(default=DEFAULT_FEE_RATE, ge=0, lt=Decimal("0.1"))
    sell_tax_rate: Decimal = Field(default=SELL_TAX_RATE, ge=0, lt=Decimal("0.1"))

    def fee(self, notional: int) -> int:
        """Broker fee in VND on a fill worth `notional` VND."""
        return _ceil_cost(notional, self.fee_rate)

    def sell_tax(self, notional: int) -> int:
        """Sales tax in VND on a sale worth `notional` VND."""
        return _ceil_cost(notional, self.sell_tax_rate)

    def costs(self, side: Side, notional: int) -> tuple[int, int]:
        """(fee, tax) in VND for one fill."""
        tax = self.sell_tax(notional) if side is Side.SELL else 0
        return self.fee(notional), tax
