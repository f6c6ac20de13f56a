"""Money and price units: every price and amount in QuantFlow is an `int` of whole VND (đồng).

DNSE's market-data feed (and the VCI data sets) quote stock prices in *thousands* of VND
(`26.85` means 26,850 VND), while its order API takes VND. Mixing the two is the classic way to send
an order 1,000x off, so the conversion happens in exactly one place: `vnd_from_thousands`.
It is exact (via `Decimal`) and refuses any value that is not a whole number of VND.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import Field

from quantflow.errors import QuantflowError

#: A price in whole VND, strictly positive (e.g. 26_850). Strict: floats and strings are refused.
PriceVnd = Annotated[int, Field(strict=True, gt=0)]
#: An amount of money in whole VND; may be zero or negative (cash flows, P&L).
MoneyVnd = Annotated[int, Field(strict=True)]
#: A non-negative amount of money in whole VND (cash balances, fees).
NonNegativeVnd = Annotated[int, Field(strict=True, ge=0)]
#: A number of shares, strictly positive.
Quantity = Annotated[int, Field(strict=True, gt=0)]
#: A number of shares that may be zero (positions, filled quantities).
NonNegativeQuantity = Annotated[int, Field(strict=True, ge=0)]

_THOUSAND = Decimal(1000)


class UnitError(QuantflowError, ValueError):
    """A value cannot be converted to whole VND exactly (wrong unit or precision)."""


def vnd_from_thousands(value: Decimal | float | int | str) -> int:
    """Convert a feed price in thousands of VND to whole VND: `vnd_from_thousands(26.85) -> 26850`.

    Floats are read through their shortest decimal repr (`str(26.85) == "26.85"`), so the result is
    exact. Raises `UnitError` for non-finite input, booleans, or a value that is not whole VND
    (e.g. `26.8505`), because silently rounding a price is how orders land on the wrong tick.
    """
    if isinstance(value, bool):
        raise UnitError(f"expected a price in thousands of VND, got boolean {value!r}")
    try:
        thousands = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise UnitError(f"expected a price in thousands of VND, got {value!r}") from None
    if not thousands.is_finite():
        raise UnitError(f"price must be finite, got {value!r}")
    vnd = thousands * _THOUSAND
    if vnd != vnd.to_integral_value():
        raise UnitError(
            f"{value!r} thousand VND is {vnd} VND, which is not a whole number of VND; "
            "check the unit (feed prices are thousands of VND, order prices are VND)"
        )
    return int(vnd)


def thousands_from_vnd(vnd: int) -> Decimal:
    """The inverse of `vnd_from_thousands`, exact: `thousands_from_vnd(26850) == Decimal('26.85')`."""
    return Decimal(vnd).scaleb(-3)


def format_vnd(vnd: int) -> str:
    """Human format with thousands separators, as used in risk messages: `26850 -> '26,850'`."""
    return f"{vnd:,}"
